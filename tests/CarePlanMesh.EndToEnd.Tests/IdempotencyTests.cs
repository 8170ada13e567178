using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>Idempotency-Key on creating POSTs (issue #11 §3) through the running mesh.</summary>
[Collection(MeshCollection.Name)]
public sealed class IdempotencyTests(MeshFixture mesh)
{
    static HttpRequestMessage Submission(string serial, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/submissions")
        {
            // A new form each time: a new multipart boundary, as a client rebuilding its request after a network error draws.
            Content = SampleFiles.Form(SampleFiles.PlanSendUnit(serial, MeshFixture.VendorCareOffice, MeshFixture.VendorProvider)),
        };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    Task<long> Stored(string serial) =>
        mesh.Count($"intake.submissions WHERE sender_office = '{MeshFixture.VendorCareOffice}' AND send_unit = '{serial}'");

    [Fact]
    public async Task A_send_retried_with_the_same_key_answers_what_the_first_attempt_created_and_creates_nothing()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.VendorCareOffice);
        var key = Guid.NewGuid().ToString();

        var first = await careOffice.SendAsync(Submission("20250803090000", key));
        var retry = await careOffice.SendAsync(Submission("20250803090000", key));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal("true", Assert.Single(retry.Headers.GetValues("Idempotent-Replayed")));
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, await Stored("20250803090000"));

        // Without a key the same files are what they always were: a duplicate.
        Assert.Equal(HttpStatusCode.Conflict, (await careOffice.PostAsync("/v1/submissions",
            SampleFiles.Form(SampleFiles.PlanSendUnit("20250803090000", MeshFixture.VendorCareOffice, MeshFixture.VendorProvider)))).StatusCode);
    }

    [Fact]
    public async Task The_same_key_with_other_files_is_refused_and_stores_nothing()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.VendorCareOffice);
        var key = Guid.NewGuid().ToString();
        await mesh.Submit(careOffice, Vendor.Files("20250803100000"), key);

        var other = await careOffice.SendAsync(Submission("20250803101000", key));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        var problem = await other.Content.ReadFromJsonAsync<JsonElement>();
        Assert.EndsWith(":idempotency-key-reused", problem.GetProperty("type").GetString());
        Assert.Equal(0, await Stored("20250803101000"));
    }

    [Fact]
    public async Task Two_identical_sends_in_flight_create_one_submission()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.VendorCareOffice);
        var key = Guid.NewGuid().ToString();

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => careOffice.SendAsync(Submission("20250803110000", key))));

        Assert.Equal(1, await Stored("20250803110000"));
        var accepted = answers.Where(a => a.StatusCode == HttpStatusCode.Accepted).ToList();
        Assert.NotEmpty(accepted);
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Accepted, HttpStatusCode.Conflict }));
        var ids = await Task.WhenAll(accepted.Select(async a => (await a.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid()));
        Assert.Single(ids.Distinct());
        foreach (var busy in answers.Where(a => a.StatusCode == HttpStatusCode.Conflict))
            Assert.EndsWith(":idempotency-in-progress", (await busy.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Keys_are_per_office_and_hold_for_other_creating_posts_too()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.VendorCareOffice);
        using var provider = mesh.ClientFor(MeshFixture.VendorProvider);
        var key = Guid.NewGuid().ToString();
        HttpRequestMessage Partnership(string partner)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/partnerships")
            {
                Content = new StringContent(JsonSerializer.Serialize(new { partnerOffice = partner }), Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Idempotency-Key", key);
            return request;
        }

        var first = await careOffice.SendAsync(Partnership(MeshFixture.VendorProvider));
        var again = await careOffice.SendAsync(Partnership(MeshFixture.VendorProvider));
        var otherBody = await careOffice.SendAsync(Partnership(MeshFixture.Provider));
        var otherOffice = await provider.SendAsync(Partnership(MeshFixture.VendorCareOffice));

        Assert.Equal(first.StatusCode, again.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        Assert.True(again.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, otherBody.StatusCode);
        Assert.False(otherOffice.Headers.Contains("Idempotent-Replayed"));
        Assert.NotEqual(HttpStatusCode.UnprocessableEntity, otherOffice.StatusCode);
    }

    [Fact]
    public async Task A_key_that_is_not_visible_ascii_is_refused()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.VendorCareOffice);

        var response = await careOffice.SendAsync(Submission("20250803120000", new string('k', 256)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.EndsWith(":idempotency-key-invalid", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        Assert.Equal(0, await Stored("20250803120000"));
    }
}
