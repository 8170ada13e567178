using System.Security.Cryptography.X509Certificates;
using CarePlanMesh.Contracts;
using Npgsql;

namespace CarePlanMesh.Crypto.Certificates;

/// <summary>The offices' encryption certificates (public parts only).</summary>
public sealed class CertificateStore(NpgsqlDataSource dataSource)
{
    public async Task Add(string officeNumber, X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO crypto.office_certificates (office_number, thumbprint, certificate, not_before, not_after)
            VALUES (@office, @thumbprint, @der, @from, @to)
            ON CONFLICT (office_number, thumbprint) DO NOTHING
            """);
        command.Parameters.AddWithValue("office", officeNumber);
        command.Parameters.AddWithValue("thumbprint", certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256));
        command.Parameters.AddWithValue("der", certificate.RawData);
        command.Parameters.AddWithValue("from", new DateTimeOffset(certificate.NotBefore.ToUniversalTime()));
        command.Parameters.AddWithValue("to", new DateTimeOffset(certificate.NotAfter.ToUniversalTime()));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Is this certificate registered for the office and not revoked? (The CA chain and validity were checked at the edge.)</summary>
    public async Task<CertificateChecked> Check(string officeNumber, byte[] certificate, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT revoked_at FROM crypto.office_certificates WHERE office_number = @office AND certificate = @der");
        command.Parameters.AddWithValue("office", officeNumber);
        command.Parameters.AddWithValue("der", certificate);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return new CertificateChecked { Accepted = false, Reason = "not-registered" };
        return reader.IsDBNull(0) || reader.GetFieldValue<DateTimeOffset>(0) > now
            ? new CertificateChecked { Accepted = true }
            : new CertificateChecked { Accepted = false, Reason = "revoked", RevokedAt = reader.GetFieldValue<DateTimeOffset>(0) };
    }

    /// <summary>Revokes from <paramref name="now"/>; returns when it was revoked (the first time, if it already was), or null if unknown.</summary>
    public async Task<DateTimeOffset?> Revoke(string officeNumber, string thumbprint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            UPDATE crypto.office_certificates SET revoked_at = coalesce(revoked_at, @now)
            WHERE office_number = @office AND thumbprint = @thumbprint
            RETURNING revoked_at
            """);
        command.Parameters.AddWithValue("office", officeNumber);
        command.Parameters.AddWithValue("thumbprint", thumbprint.ToUpperInvariant());
        command.Parameters.AddWithValue("now", now);
        // Npgsql reads timestamptz as a UTC DateTime when untyped.
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime revokedAt ? new DateTimeOffset(revokedAt, TimeSpan.Zero) : null;
    }

    /// <summary>Every certificate of the office valid at <paramref name="now"/> and not revoked.</summary>
    public async Task<IReadOnlyList<X509Certificate2>> Current(string officeNumber, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT certificate FROM crypto.office_certificates WHERE office_number = @office AND not_before <= @now AND not_after > @now AND revoked_at IS NULL");
        command.Parameters.AddWithValue("office", officeNumber);
        command.Parameters.AddWithValue("now", now);
        var certificates = new List<X509Certificate2>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            certificates.Add(X509CertificateLoader.LoadCertificate(reader.GetFieldValue<byte[]>(0)));
        return certificates;
    }
}
