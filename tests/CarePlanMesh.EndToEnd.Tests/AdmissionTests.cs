using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// Admission control: while the pipeline holds Submissions:MaxInPipeline submissions or more, intake refuses new ones with a
/// fast 503 pipeline-busy and Retry-After, stores nothing, and takes them again once the pipeline drains.
/// </summary>
[Collection(MeshCollection.Name)]
public sealed class AdmissionTests(MeshFixture mesh)
{
    [Fact]
    public async Task A_full_pipeline_refuses_new_units_with_503_and_Retry_After_and_takes_them_again_once_it_drains()
    {
        using var first = mesh.ClientFor(MeshFixture.CareOffice);
        using var second = mesh.ClientFor(MeshFixture.CareOffice);
        second.BaseAddress = mesh.SecondIntakeAddress;
        // The second replica admits while fewer than one submission is in the pipeline, and counts it every 200 ms.
        await using var bounded = await mesh.Reconfigure("intake-2", new Dictionary<string, string>
        {
            ["Submissions__MaxInPipeline"] = "1",
            ["Submissions__PipelineCheckInterval"] = "00:00:00.200",
        });

        Guid held;
        await mesh.Stop("validation");
        try
        {
            // With validation down, a unit sent to the first replica (no bound there) stays in Validating.
            held = await mesh.Submit(first, SampleFiles.PlanSendUnit("20251201090000"));
            await mesh.Eventually(async () => await InPipeline() >= 1);
            var before = await mesh.StoredRows();

            using var refused = await Post(second, "20251201090100", "admission-1");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);

            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("urn:careplanmesh:problem:pipeline-busy", problem.GetProperty("type").GetString());
            Assert.Equal(503, problem.GetProperty("status").GetInt32());
            Assert.Contains("Retry-After", problem.GetProperty("detail").GetString());
            Assert.Contains("何も保存していません", problem.GetProperty("detailJa").GetString());
            Assert.Equal("中継が混み合っています", problem.GetProperty("titleJa").GetString());
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.True(int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After"))) > 0);
            Assert.Equal(before, await mesh.StoredRows());
        }
        finally
        {
            await mesh.Start("validation");
        }

        // The held unit goes on; the pipeline drains and the refused unit, sent again with its key, is taken.
        await mesh.WaitForState(first, held, "AwaitingPickup");
        HttpResponseMessage taken = null!;
        await mesh.Eventually(async () =>
        {
            taken = await Post(second, "20251201090100", "admission-1");
            return taken.StatusCode != HttpStatusCode.ServiceUnavailable;
        });
        Assert.Equal(HttpStatusCode.Accepted, taken.StatusCode);
        var id = (await taken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await mesh.WaitForState(first, id, "AwaitingPickup");
    }

    /// <summary>The second replica's count of the pipeline, from its metrics (careplanmesh.submissions.in_pipeline).</summary>
    async Task<double> InPipeline() => Metrics.Value(await Metrics.Scrape(mesh, "intake-2"), "careplanmesh_submissions_in_pipeline");

    static async Task<HttpResponseMessage> Post(HttpClient client, string serial, string idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/submissions") { Content = SampleFiles.Form(SampleFiles.PlanSendUnit(serial)) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await client.SendAsync(request);
    }
}
