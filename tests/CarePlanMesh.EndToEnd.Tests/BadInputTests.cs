using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>Every refusal is a problem document that says what is wrong, in Japanese and English, and stores nothing.</summary>
[Collection(MeshCollection.Name)]
public sealed class BadInputTests(MeshFixture mesh)
{
    [Fact]
    public async Task A_file_with_a_wrong_name_is_refused_with_every_defect_listed()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var files = SampleFiles.PlanSendUnit("20250601090000");
        files[1] = ("UPSIKYU_2025_0300000100_43_0300000005_11_20250601090000.CSV", files[1].Content);
        files[2] = ("plan.csv", files[2].Content);

        var problem = await Refused(careOffice, files, HttpStatusCode.UnprocessableEntity);

        Assert.Equal("urn:careplanmesh:problem:invalid-upload", problem.GetProperty("type").GetString());
        var errors = problem.GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal([files[1].Name, files[2].Name], errors.Select(e => e.GetProperty("file").GetString()));
        Assert.All(errors, e => Assert.Equal("file-name.pattern", e.GetProperty("rule").GetString()));
    }

    [Fact]
    public async Task Files_of_different_send_units_are_refused()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var files = SampleFiles.PlanSendUnit("20250601100000");
        files[2] = SampleFiles.PlanSendUnit("20250601100001")[2];

        var problem = await Refused(careOffice, files, HttpStatusCode.UnprocessableEntity);

        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("rule").GetString() == "send-unit.mixed");
    }

    [Fact]
    public async Task An_office_cannot_send_in_another_offices_name()
    {
        using var provider = mesh.ClientFor(MeshFixture.Provider);

        var problem = await Refused(provider, SampleFiles.PlanSendUnit("20250601110000"), HttpStatusCode.Forbidden);

        Assert.Equal("urn:careplanmesh:problem:sender-mismatch", problem.GetProperty("type").GetString());
        Assert.Contains(MeshFixture.Provider, problem.GetProperty("detail").GetString());
        Assert.Contains(MeshFixture.Provider, problem.GetProperty("detailJa").GetString());
    }

    [Fact]
    public async Task A_call_without_a_client_certificate_is_refused()
    {
        using var anonymous = mesh.ClientFor(null);

        var problem = await Refused(anonymous, SampleFiles.PlanSendUnit("20250601120000"), HttpStatusCode.Unauthorized);

        Assert.Equal("urn:careplanmesh:problem:client-certificate", problem.GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/mailbox")).StatusCode);
    }

    [Fact]
    public async Task A_certificate_from_another_ca_is_refused()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=0300000100", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var client = mesh.ClientWith(X509CertificateLoader.LoadPkcs12(selfSigned.Export(X509ContentType.Pfx), null));

        var problem = await Refused(client, SampleFiles.PlanSendUnit("20250601130000"), HttpStatusCode.Unauthorized);

        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detailJa").GetString()));
    }

    [Fact]
    public async Task A_send_unit_for_an_unregistered_recipient_is_refused()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);

        var problem = await Refused(careOffice, SampleFiles.PlanSendUnit("20250601140000", recipient: "0300000099"), HttpStatusCode.UnprocessableEntity);

        Assert.Equal("urn:careplanmesh:problem:unknown-recipient", problem.GetProperty("type").GetString());
        Assert.Contains("0300000099", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_request_that_is_not_multipart_is_refused()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var before = await mesh.StoredRows();

        var response = await careOffice.PostAsJsonAsync("/v1/submissions", new { files = "UPPLAN" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await mesh.StoredRows());
    }

    [Fact]
    public async Task An_unknown_submission_is_not_found()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);

        var response = await careOffice.GetAsync($"/v1/submissions/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    async Task<JsonElement> Refused(HttpClient client, (string Name, byte[] Content)[] files, HttpStatusCode expected)
    {
        var before = await mesh.StoredRows();

        var response = await client.PostAsync("/v1/submissions", SampleFiles.Form(files));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await mesh.StoredRows());
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("titleJa").GetString()));
        return problem;
    }
}
