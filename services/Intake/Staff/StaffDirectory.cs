using System.Security.Cryptography;
using System.Text;
using CarePlanMesh.Contracts;
using CarePlanMesh.Security;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CarePlanMesh.Intake.Staff;

/// <summary>The outcome of a sign-in: a token, or a refusal with its status and reason.</summary>
public sealed record SignIn(string? AccessToken, TimeSpan ExpiresIn, Refusal? Refusal);

/// <summary>The staff signed in for one office on one certificate.</summary>
public sealed record StaffSession(string UserId, string Office, IReadOnlyList<string> Roles);

/// <summary>
/// Staff accounts, sign-in with lockout, and access tokens. A token is 32 random bytes; only its SHA-256 is stored, bound
/// to the office and the exact client certificate that signed in. One class for both tables (intake.staff,
/// intake.access_tokens): they are one feature, and a sign-in resets the lockout and issues the token in one transaction.
/// </summary>
public sealed class StaffDirectory(NpgsqlDataSource dataSource, IOptions<AuthOptions> options, TimeProvider clock)
{
    public async Task Register(string userId, string office, string passwordHash, IReadOnlyList<string> roles, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO intake.staff (user_id, office_number, password_hash, roles) VALUES (@user, @office, @hash, @roles)
            ON CONFLICT (user_id) DO UPDATE SET office_number = excluded.office_number, password_hash = excluded.password_hash, roles = excluded.roles
            """);
        command.Parameters.AddWithValue("user", userId);
        command.Parameters.AddWithValue("office", office);
        command.Parameters.AddWithValue("hash", passwordHash);
        command.Parameters.AddWithValue("roles", roles.ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<SignIn> SignIn(string office, string thumbprint, string? userId, string? password, CancellationToken cancellationToken)
    {
        var auth = options.Value;
        if (StaffUserId.Problem(userId, auth.UserIdPrefixes) is { } problem)
            return Refused(400, "user-id-invalid", problem.Ja, problem.En);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        string? hash = null;
        DateTimeOffset? lockedUntil = null;
        await using (var find = new NpgsqlCommand(
            "SELECT password_hash, locked_until FROM intake.staff WHERE user_id = @user AND office_number = @office FOR UPDATE", connection, transaction))
        {
            find.Parameters.AddWithValue("user", userId!);
            find.Parameters.AddWithValue("office", office);
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
                (hash, lockedUntil) = (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1));
        }
        var now = clock.GetUtcNow();
        // One answer for an unknown user and a wrong password, so that IDs cannot be probed.
        var wrong = Refused(401, "sign-in-failed", "利用者IDまたはパスワードが違います。", "The user ID or password is wrong.");
        if (hash is null)
            return wrong;
        if (lockedUntil > now)
            return Refused(401, "account-locked",
                $"サインインの失敗が続いたため、{lockedUntil:yyyy-MM-dd HH:mm}（UTC）までロックされています。",
                $"Too many failed sign-ins: the account is locked until {lockedUntil:u}.");

        if (!PasswordHash.Verify(password ?? "", hash))
        {
            await using var fail = new NpgsqlCommand(
                """
                UPDATE intake.staff SET failed_attempts = failed_attempts + 1,
                    locked_until = CASE WHEN failed_attempts + 1 >= @max THEN @until END
                WHERE user_id = @user
                """, connection, transaction);
            fail.Parameters.AddWithValue("user", userId!);
            fail.Parameters.AddWithValue("max", auth.MaxFailedAttempts);
            fail.Parameters.AddWithValue("until", now + auth.LockoutPeriod);
            await fail.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return wrong;
        }

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await using (var issue = new NpgsqlCommand(
            """
            UPDATE intake.staff SET failed_attempts = 0, locked_until = NULL WHERE user_id = @user;
            DELETE FROM intake.access_tokens WHERE expires_at < @now;
            INSERT INTO intake.access_tokens (token_hash, user_id, office_number, thumbprint, expires_at) VALUES (@hash, @user, @office, @thumbprint, @expires);
            """, connection, transaction))
        {
            issue.Parameters.AddWithValue("user", userId!);
            issue.Parameters.AddWithValue("now", now);
            issue.Parameters.AddWithValue("hash", Hash(token));
            issue.Parameters.AddWithValue("office", office);
            issue.Parameters.AddWithValue("thumbprint", thumbprint);
            issue.Parameters.AddWithValue("expires", now + auth.TokenLifetime);
            await issue.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return new SignIn(token, auth.TokenLifetime, null);
    }

    /// <summary>The session a bearer token stands for, if it is current and was issued to this office and certificate.</summary>
    public async Task<(StaffSession? Session, string? Problem)> Resolve(string token, string office, string thumbprint, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT t.user_id, t.office_number, t.thumbprint, t.expires_at, s.roles
            FROM intake.access_tokens t JOIN intake.staff s USING (user_id) WHERE t.token_hash = @hash
            """);
        command.Parameters.AddWithValue("hash", Hash(token));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return (null, "unknown");
        if (reader.GetFieldValue<DateTimeOffset>(3) <= clock.GetUtcNow())
            return (null, "expired");
        if (reader.GetString(1) != office || reader.GetString(2) != thumbprint)
            return (null, "other-certificate");
        return (new StaffSession(reader.GetString(0), office, reader.GetFieldValue<string[]>(4)), null);
    }

    /// <summary>Deletes every token issued on a certificate: its revocation ends the sessions at once.</summary>
    public async Task EndSessions(string office, string thumbprint, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM intake.access_tokens WHERE office_number = @office AND thumbprint = @thumbprint");
        command.Parameters.AddWithValue("office", office);
        command.Parameters.AddWithValue("thumbprint", thumbprint.ToUpperInvariant());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token)));

    static SignIn Refused(int status, string reason, string ja, string en) =>
        new(null, TimeSpan.Zero, new Refusal { Status = status, Reason = reason, ReasonJa = ja, ReasonEn = en });
}
