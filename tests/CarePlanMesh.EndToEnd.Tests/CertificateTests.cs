using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CarePlanMesh.Contracts;
using CarePlanMesh.Security;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>At sign-in the certificate must be registered for the office and unrevoked; revocation ends sessions at once.</summary>
[Collection(MeshCollection.Name)]
public sealed class CertificateTests(MeshFixture mesh)
{
    [Fact]
    public async Task A_revoked_certificate_loses_its_sessions_at_once_and_cannot_sign_in_again()
    {
        using var client = mesh.ClientFor(MeshFixture.RevokedProvider);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/licence")).StatusCode);
        var thumbprint = mesh.OfficeCertificate(MeshFixture.RevokedProvider).GetCertHashString(HashAlgorithmName.SHA256);

        await mesh.Send(Queues.Certificates, new RevokeCertificate { Office = MeshFixture.RevokedProvider, Thumbprint = thumbprint });

        await mesh.Eventually(async () => (await client.GetAsync("/v1/licence")).StatusCode == HttpStatusCode.Unauthorized);
        using var again = mesh.ClientFor(MeshFixture.RevokedProvider, signIn: false);
        var (userId, password) = mesh.Credentials(MeshFixture.RevokedProvider);
        var refused = await again.PostAsJsonAsync("/v1/auth/token", new { userId, password });
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("urn:careplanmesh:problem:certificate-revoked", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_certificate_from_the_right_ca_that_is_not_registered_cannot_sign_in()
    {
        // A second certificate for the care office, issued by the same CA but never registered with the relay.
        using var unregistered = mesh.IssueCertificate(MeshFixture.CareOffice);
        using var client = mesh.ClientWith(unregistered);
        var (userId, password) = mesh.Credentials(MeshFixture.CareOffice);

        var refused = await client.PostAsJsonAsync("/v1/auth/token", new { userId, password });

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("urn:careplanmesh:problem:certificate-not-registered", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_certificate_nearing_its_end_is_warned_about_once_per_threshold()
    {
        var thumbprint = mesh.OfficeCertificate(MeshFixture.OrderedProvider).GetCertHashString(HashAlgorithmName.SHA256);
        // Time travel: the provider's certificate now ends in 20 days, past both the 90-day and the 30-day thresholds.
        await mesh.Execute($"UPDATE crypto.office_certificates SET not_after = now() + interval '20 days' WHERE thumbprint = '{thumbprint}'");
        using var ops = new HttpClient { BaseAddress = mesh.Management["crypto"] };
        try
        {
            var first = await (await ops.PostAsync("/certificates/check", null)).Content.ReadFromJsonAsync<JsonElement>();
            var warning = Assert.Single(first.GetProperty("warnings").EnumerateArray(), w => w.GetProperty("thumbprint").GetString() == thumbprint);
            Assert.Equal((MeshFixture.OrderedProvider, 30, 19), (warning.GetProperty("office").GetString(), warning.GetProperty("threshold").GetInt32(), warning.GetProperty("daysLeft").GetInt32()));

            var second = await (await ops.PostAsync("/certificates/check", null)).Content.ReadFromJsonAsync<JsonElement>();
            Assert.DoesNotContain(second.GetProperty("warnings").EnumerateArray(), w => w.GetProperty("thumbprint").GetString() == thumbprint);
            Assert.Equal(2, await mesh.Count($"crypto.expiry_warnings WHERE thumbprint = '{thumbprint}' AND threshold IN (30, 90)"));
        }
        finally
        {
            await mesh.Execute($"UPDATE crypto.office_certificates SET not_after = now() + interval '700 days' WHERE thumbprint = '{thumbprint}'");
        }
    }

    [Fact]
    public async Task A_front_door_may_forward_the_client_certificate_and_nobody_else_may()
    {
        var (userId, password) = mesh.Credentials(MeshFixture.Provider);
        var credentials = new { userId, password };
        using var frontDoor = mesh.ClientThroughFrontDoor(MeshFixture.Provider, MeshFixture.FrontDoorAddress);

        var signIn = await frontDoor.PostAsJsonAsync("/v1/auth/token", credentials);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        frontDoor.DefaultRequestHeaders.Authorization = new("Bearer", (await signIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString());
        Assert.Equal(HttpStatusCode.OK, (await frontDoor.GetAsync("/v1/mailbox")).StatusCode);

        // The same header from an address that is not a configured front door is refused, not believed.
        using var impostor = mesh.ClientThroughFrontDoor(MeshFixture.Provider, System.Net.IPAddress.Loopback);
        var refused = await impostor.PostAsJsonAsync("/v1/auth/token", credentials);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("TrustedProxies", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }
}
