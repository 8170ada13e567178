using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>Staff sign-in at the edge: certificate and token together, lockout, and the user-ID rules.</summary>
[Collection(MeshCollection.Name)]
public sealed class SignInTests(MeshFixture mesh)
{
    object Body(string office)
    {
        var (userId, password) = mesh.Credentials(office);
        return new { userId, password };
    }

    [Fact]
    public async Task A_certificate_alone_is_not_enough_the_staff_token_is_needed_too()
    {
        using var certificateOnly = mesh.ClientFor(MeshFixture.CareOffice, signIn: false);

        var refused = await certificateOnly.GetAsync("/v1/mailbox");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("/v1/auth/token", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        var signIn = await certificateOnly.PostAsJsonAsync("/v1/auth/token", Body(MeshFixture.CareOffice));
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var token = await signIn.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(900, token.GetProperty("expiresIn").GetInt32());
        certificateOnly.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());
        Assert.Equal(HttpStatusCode.OK, (await certificateOnly.GetAsync("/v1/mailbox")).StatusCode);
        await mesh.Eventually(async () => await mesh.Count($"intake.audit_log WHERE action = 'sign-in' AND subject = '{mesh.Credentials(MeshFixture.CareOffice).UserId}' AND outcome = 'allowed'") >= 1);
    }

    [Fact]
    public async Task A_token_works_only_with_the_certificate_it_was_issued_on()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice, signIn: false);
        using var provider = mesh.ClientFor(MeshFixture.Provider, signIn: false);
        var token = (await (await careOffice.PostAsJsonAsync("/v1/auth/token", Body(MeshFixture.CareOffice)))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();

        provider.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var refused = await provider.GetAsync("/v1/mailbox");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("another certificate", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        // Nor can a provider's staff member sign in on the care office's certificate.
        var wrongOffice = await careOffice.PostAsJsonAsync("/v1/auth/token", Body(MeshFixture.Provider));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongOffice.StatusCode);
    }

    [Fact]
    public async Task An_expired_token_is_refused()
    {
        using var client = mesh.ClientFor(MeshFixture.OrderedCareOffice);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/mailbox")).StatusCode);

        await mesh.Execute($"UPDATE intake.access_tokens SET expires_at = now() - interval '1 second' WHERE office_number = '{MeshFixture.OrderedCareOffice}'");
        var refused = await client.GetAsync("/v1/mailbox");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("expired", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Repeated_wrong_passwords_lock_the_account_even_against_the_right_one()
    {
        using var client = mesh.ClientFor(MeshFixture.OtherProvider, signIn: false);
        var (userId, password) = mesh.Credentials(MeshFixture.OtherProvider);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var wrong = await client.PostAsJsonAsync("/v1/auth/token", new { userId, password = "wrong" });
            Assert.Equal("urn:careplanmesh:problem:sign-in-failed", (await wrong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        }

        var locked = await client.PostAsJsonAsync("/v1/auth/token", new { userId, password });

        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Equal("urn:careplanmesh:problem:account-locked", (await locked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        await mesh.Eventually(async () => await mesh.Count($"intake.audit_log WHERE action = 'sign-in' AND subject = '{userId}' AND outcome = 'refused'") == 6);
        await mesh.Execute($"UPDATE intake.staff SET failed_attempts = 0, locked_until = NULL WHERE user_id = '{userId}'");
    }

    [Theory]
    [InlineData("HD030000010001", "proxy-claim")]
    [InlineData("AB030000010001", "begin with KJ or ID")]
    [InlineData("KJ03000001000", "14 characters")]
    public async Task User_ids_outside_the_rules_are_refused_with_the_reason(string userId, string reason)
    {
        using var client = mesh.ClientFor(MeshFixture.CareOffice, signIn: false);

        var refused = await client.PostAsJsonAsync("/v1/auth/token", new { userId, password = "whatever" });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:careplanmesh:problem:user-id-invalid", problem.GetProperty("type").GetString());
        Assert.Contains(reason, problem.GetProperty("detail").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detailJa").GetString()));
    }
}
