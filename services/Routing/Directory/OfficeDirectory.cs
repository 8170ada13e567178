using CarePlanMesh.Contracts;
using Npgsql;

namespace CarePlanMesh.Routing.Directory;

/// <summary>The registered offices and the routing decision between two of them.</summary>
public sealed class OfficeDirectory(NpgsqlDataSource dataSource)
{
    public async Task Register(string officeNumber, string name, IReadOnlyList<string> serviceTypes, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO routing.offices (office_number, name, service_types) VALUES (@office, @name, @types)
            ON CONFLICT (office_number) DO UPDATE SET name = excluded.name, service_types = excluded.service_types
            """);
        command.Parameters.AddWithValue("office", officeNumber);
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("types", serviceTypes.ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> IsRegistered(string officeNumber, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT 1 FROM routing.offices WHERE office_number = @office");
        command.Parameters.AddWithValue("office", officeNumber);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    /// <summary>May <paramref name="sender"/> send to <paramref name="recipient"/>? Both must be registered and distinct.</summary>
    public async Task<RouteChecked> Check(string sender, string recipient, CancellationToken cancellationToken)
    {
        if (sender == recipient)
            return Refuse("same-office", $"送信元と送信先が同じ事業所番号（{sender}）です。同一事業所番号間では送信できません。",
                $"Sender and recipient are the same office number ({sender}); an office cannot send to itself.");
        if (!await IsRegistered(sender, cancellationToken))
            return Refuse("unknown-sender", $"送信元の事業所（{sender}）は登録されていません。",
                $"The sending office {sender} is not registered with the relay.");
        if (!await IsRegistered(recipient, cancellationToken))
            return Refuse("unknown-recipient", $"送信先の事業所（{recipient}）は登録されていません。",
                $"The recipient office {recipient} is not registered with the relay.");
        return new RouteChecked { Allowed = true };
    }

    static RouteChecked Refuse(string reason, string ja, string en) => new() { Allowed = false, Reason = reason, ReasonJa = ja, ReasonEn = en };
}
