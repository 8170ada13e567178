using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>The registry API: only the operator's admins change it, every change is audited, and a new office can work at once.</summary>
[Collection(MeshCollection.Name)]
public sealed class AdminTests(MeshFixture mesh)
{
    [Fact]
    public async Task An_office_cannot_use_the_registry_api_and_the_refusal_is_audited()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);

        var refused = await careOffice.PostAsJsonAsync("/v1/admin/offices", new { officeNumber = "1500000399", name = "x", serviceTypes = new[] { "11" } });

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("urn:careplanmesh:problem:admin-only", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        await mesh.Eventually(async () => await mesh.Count($"intake.audit_log WHERE action = 'registry-change' AND office = '{MeshFixture.CareOffice}' AND outcome = 'refused' AND status = 403") >= 1);
    }

    [Fact]
    public async Task An_admin_registers_an_office_its_staff_certificate_and_licence_and_the_office_can_work()
    {
        const string office = "1500000301";
        const string userId = "KJ150000030101";
        const string password = "correct horse battery staple";
        using var admin = mesh.ClientFor(MeshFixture.Operator);
        using var certificate = mesh.IssueCertificate(office);

        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsJsonAsync("/v1/admin/offices", new { officeNumber = office, name = "新規訪問介護事業所", serviceTypes = new[] { "11" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync($"/v1/admin/offices/{office}/staff", new { userId, password })).StatusCode);
        var hd = await admin.PostAsJsonAsync($"/v1/admin/offices/{office}/staff", new { userId = "HD150000030101", password });
        Assert.Equal(HttpStatusCode.BadRequest, hd.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsJsonAsync($"/v1/admin/offices/{office}/certificates", new { pem = certificate.ExportCertificatePem() })).StatusCode);
        var wrongOffice = await admin.PostAsJsonAsync($"/v1/admin/offices/1500000302/certificates", new { pem = certificate.ExportCertificatePem() });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrongOffice.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsJsonAsync($"/v1/admin/offices/{office}/licences", new { validFrom = Japan.Today })).StatusCode);

        using var newOffice = mesh.ClientWith(certificate);
        await mesh.Eventually(async () =>
        {
            var signIn = await newOffice.PostAsJsonAsync("/v1/auth/token", new { userId, password });
            if (signIn.StatusCode != HttpStatusCode.OK)
                return false;
            newOffice.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await signIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString());
            var licence = await newOffice.GetFromJsonAsync<JsonElement>("/v1/licence");
            return licence.GetProperty("valid").GetBoolean();
        });
        var listed = await newOffice.GetFromJsonAsync<JsonElement>($"/v1/directory?q={office}");
        Assert.Equal("新規訪問介護事業所", Assert.Single(listed.GetProperty("offices").EnumerateArray()).GetProperty("name").GetString());
        await mesh.Eventually(async () => await mesh.Count($"intake.audit_log WHERE action = 'registry-change' AND office = '{MeshFixture.Operator}' AND outcome = 'allowed'") >= 4);
    }
}
