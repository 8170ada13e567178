using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CarePlanMesh.Security;
using CarePlanMesh.Standard;

namespace CarePlanMesh.EndToEnd.Tests;

[Collection(MeshCollection.Name)]
public sealed class SubmissionJourneyTests(MeshFixture mesh)
{
    [Fact]
    public async Task A_care_office_sends_a_months_plan_and_the_provider_opens_and_acknowledges_it()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        using var provider = mesh.ClientFor(MeshFixture.Provider);
        var files = SampleFiles.PlanSendUnit("20250525103000");

        var response = await careOffice.PostAsync("/v1/submissions", SampleFiles.Form(files));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = accepted.GetProperty("id").GetGuid();
        Assert.Equal($"/v1/submissions/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(3, accepted.GetProperty("files").GetArrayLength());

        var status = await mesh.WaitForState(careOffice, id, "AwaitingPickup");
        Assert.Equal(["Received", "Validating", "Sealing", "Routing", "AwaitingPickup"], Timeline(status));

        var mailbox = await provider.GetFromJsonAsync<JsonElement>("/v1/mailbox");
        var item = Assert.Single(mailbox.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetGuid() == id);
        Assert.Equal(MeshFixture.CareOffice, item.GetProperty("senderOffice").GetString());

        var download = await provider.GetAsync($"/v1/mailbox/{id}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/pkcs7-mime", download.Content.Headers.ContentType?.MediaType);
        var sealedPackage = await download.Content.ReadAsByteArrayAsync();

        var opened = PackageOpener.Open(sealedPackage, mesh.OfficeCertificate(MeshFixture.Provider), mesh.Ca,
            Pem.LoadCertificate(Path.Combine(mesh.DemoDirectory, "relay", "cert.pem")));
        AssertSameFiles(files, SendUnitArchive.Read(opened.Content));
        var signed = await OpenSsl.Decrypt(sealedPackage, Path.Combine(mesh.DemoDirectory, "offices", MeshFixture.Provider));
        AssertSameFiles(files, SendUnitArchive.Read(await OpenSsl.Verify(signed, Path.Combine(mesh.DemoDirectory, "ca.pem"))));

        var ack = await provider.PostAsync($"/v1/mailbox/{id}/ack", null);
        Assert.Equal(HttpStatusCode.Accepted, ack.StatusCode);
        var done = await mesh.WaitForState(careOffice, id, "Acknowledged");
        Assert.Equal("Acknowledged", Timeline(done)[^1]);

        using var ops = new HttpClient();
        var usage = await ops.GetFromJsonAsync<JsonElement>(new Uri(mesh.Management["billing-reconciliation"], "/usage/0300000100/202506"));
        Assert.True(usage.GetProperty("planFiles").GetInt32() >= 1);
        Assert.True(await mesh.Count("notification.notifications WHERE office_number = '0300000005' AND topic = 'delivery-available'") >= 1);
    }

    [Fact]
    public async Task The_plaintext_is_gone_once_the_package_is_sealed()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var (id, _) = await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit("20250525110000"), "AwaitingPickup");

        // The only payload left for this submission is the sealed package itself.
        Assert.Equal(1, await mesh.Count($"intake.submissions WHERE correlation_id = '{id}' AND data->>'payloadAddress' LIKE 'urn:careplanmesh:payload:%'"));
        Assert.Equal(0, await mesh.Count(
            $"messagedata.payloads p WHERE (SELECT data->>'payloadAddress' FROM intake.submissions WHERE correlation_id = '{id}') LIKE 'urn:careplanmesh:payload:' || p.id::text || ':%'"));
        Assert.Equal(1, await mesh.Count(
            $"messagedata.payloads p WHERE (SELECT data->>'sealedPackageAddress' FROM intake.submissions WHERE correlation_id = '{id}') LIKE 'urn:careplanmesh:payload:' || p.id::text || ':%'"));
    }

    [Fact]
    public async Task A_file_whose_records_break_the_layout_is_rejected_with_every_defect_on_its_status()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var files = SampleFiles.PlanSendUnit("20250525120000");
        var lines = SampleFiles.Text(SampleFiles.Plan).Split("\r\n");
        lines[0] += ",extra";
        lines[2] += ",extra";
        files[0] = (files[0].Name, Ms932.Encoding.GetBytes(string.Join("\r\n", lines)));

        var (id, status) = await mesh.SubmitAndWaitFor(careOffice, files, "Rejected");

        var defects = status.GetProperty("defects").EnumerateArray().Where(d => d.GetProperty("severity").GetString() == "error").ToList();
        Assert.Equal([1, 3], defects.Select(d => d.GetProperty("line").GetInt32()));
        Assert.All(defects, d =>
        {
            Assert.Equal("csv.field-count", d.GetProperty("rule").GetString());
            Assert.Equal(files[0].Name, d.GetProperty("file").GetString());
            Assert.False(string.IsNullOrEmpty(d.GetProperty("messageJa").GetString()));
            Assert.False(string.IsNullOrEmpty(d.GetProperty("messageEn").GetString()));
        });
        using var provider = mesh.ClientFor(MeshFixture.Provider);
        Assert.Equal(HttpStatusCode.NotFound, (await provider.GetAsync($"/v1/mailbox/{id}")).StatusCode);
    }

    [Fact]
    public async Task Another_office_can_neither_see_nor_download_nor_acknowledge_a_delivery()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        using var stranger = mesh.ClientFor(MeshFixture.OtherProvider);
        var (id, _) = await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit("20250525130000"), "AwaitingPickup");

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/v1/submissions/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/v1/mailbox/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsync($"/v1/mailbox/{id}/ack", null)).StatusCode);
        var mailbox = await stranger.GetFromJsonAsync<JsonElement>("/v1/mailbox");
        Assert.DoesNotContain(mailbox.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetGuid() == id);
    }

    static void AssertSameFiles((string Name, byte[] Content)[] sent, IReadOnlyList<SendUnitArchive.Entry> received)
    {
        Assert.Equal(sent.Select(f => f.Name).Order(), received.Select(f => f.Name).Order());
        foreach (var (name, content) in sent)
            Assert.Equal(content, received.Single(r => r.Name == name).Content);
    }

    static List<string> Timeline(JsonElement status) =>
        status.GetProperty("timeline").EnumerateArray().Select(t => t.GetProperty("state").GetString()!).ToList();
}
