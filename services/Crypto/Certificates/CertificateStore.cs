using System.Security.Cryptography.X509Certificates;
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

    /// <summary>Every certificate of the office valid at <paramref name="now"/>.</summary>
    public async Task<IReadOnlyList<X509Certificate2>> Current(string officeNumber, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT certificate FROM crypto.office_certificates WHERE office_number = @office AND not_before <= @now AND not_after > @now");
        command.Parameters.AddWithValue("office", officeNumber);
        command.Parameters.AddWithValue("now", now);
        var certificates = new List<X509Certificate2>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            certificates.Add(X509CertificateLoader.LoadCertificate(reader.GetFieldValue<byte[]>(0)));
        return certificates;
    }
}
