using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MimeKit;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>Issue #12 §2: an office chooses which topics come by e-mail (GET|PUT /v1/notification-preferences), on the running mesh.</summary>
[Collection(MeshCollection.Name)]
public sealed class NotificationPreferenceTests(MeshFixture mesh)
{
    static readonly string ProviderAddress = $"office-{MeshFixture.InboxProvider}@demo.careplanmesh.example";

    [Fact]
    public async Task A_topic_taken_off_the_e_mail_topics_still_reaches_the_inbox_but_sends_no_e_mail()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.InboxCareOffice);
        using var provider = mesh.ClientFor(MeshFixture.InboxProvider);
        var before = (await provider.GetFromJsonAsync<JsonElement>("/v1/notification-preferences")).GetProperty("emailTopics");
        Assert.Contains("delivery.available", before.EnumerateArray().Select(t => t.GetString()));
        var set = await provider.PutAsJsonAsync("/v1/notification-preferences", new { emailTopics = new[] { "delivery.withdrawn" } });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        try
        {
            var (id, _) = await mesh.SubmitAndWaitFor(careOffice, SampleFiles.PlanSendUnit("20250601090000", MeshFixture.InboxCareOffice, MeshFixture.InboxProvider), "AwaitingPickup");
            await mesh.Eventually(async () => (await provider.GetFromJsonAsync<JsonElement>("/v1/notifications?limit=200")).GetProperty("items").EnumerateArray()
                .Any(n => n.GetProperty("topic").GetString() == "delivery.available" && n.GetProperty("data").GetProperty("submissionId").GetGuid() == id));

            // The withdrawal's e-mail, which the office still wants, is queued after the delivery's would have been: once it is
            // at the server, the delivery's would be too.
            var withdrawn = await careOffice.PostAsync($"/v1/submissions/{id}/withdraw", null);
            Assert.True(withdrawn.StatusCode == HttpStatusCode.OK, await withdrawn.Content.ReadAsStringAsync());
            await mesh.Eventually(() => Task.FromResult(MailsAbout(id).Any(m => (m.Subject ?? "").Contains("送信が取り下げられました"))));

            Assert.DoesNotContain(MailsAbout(id), m => (m.Subject ?? "").Contains("新しいファイルが届きました"));
            Assert.Equal(0, await mesh.Count($"notification.emails WHERE recipient = '{ProviderAddress}' AND body LIKE '%{id}%' AND subject LIKE '%新しいファイル%'"));
        }
        finally
        {
            await provider.PutAsJsonAsync("/v1/notification-preferences", new { emailTopics = before });
        }
    }

    [Fact]
    public async Task Replacing_the_preferences_without_emailTopics_is_a_bilingual_problem_and_changes_nothing_while_an_empty_list_unsubscribes()
    {
        using var provider = mesh.ClientFor(MeshFixture.InboxProvider);
        var before = await provider.GetFromJsonAsync<JsonElement>("/v1/notification-preferences");

        var missing = await provider.PutAsJsonAsync("/v1/notification-preferences", new { email = "other@example.jp" });

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        var problem = await missing.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:careplanmesh:problem:malformed-request", problem.GetProperty("type").GetString());
        Assert.Contains("emailTopics", problem.GetProperty("detail").GetString());
        Assert.Contains("emailTopics", problem.GetProperty("detailJa").GetString());
        Assert.Equal(before.GetRawText(), (await provider.GetFromJsonAsync<JsonElement>("/v1/notification-preferences")).GetRawText());

        var none = await provider.PutAsJsonAsync("/v1/notification-preferences", new { emailTopics = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.OK, none.StatusCode);
        Assert.Empty((await none.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("emailTopics").EnumerateArray());
        await provider.PutAsJsonAsync("/v1/notification-preferences", new { emailTopics = before.GetProperty("emailTopics") });
    }

    List<MimeMessage> MailsAbout(Guid id) =>
    [
        .. mesh.Smtp.ReceivedEmail.Select(m => MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(m.Data))))
            .Where(m => m.To.Mailboxes.Any(a => a.Address == ProviderAddress) && (m.TextBody ?? "").Contains(id.ToString())),
    ];
}
