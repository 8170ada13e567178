using System.Diagnostics;
using System.Text.RegularExpressions;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>
/// docs/api.md's curl examples run against the mesh: its first sh block (the setup) and then each other block, by bash, with the
/// page's variables (CA, CM, PR, S, API) pointing at the mesh's CA, offices, a scratch sample folder and the public address.
/// </summary>
[Collection(MeshCollection.Name)]
public sealed class ApiDocExamplesTests(MeshFixture mesh)
{
    static string ApiMd()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CarePlanMesh.sln")))
                return Path.Combine(dir.FullName, "docs", "api.md");
        throw new InvalidOperationException("CarePlanMesh.sln not found above the test output folder.");
    }

    async Task<(int ExitCode, string Output, string Errors)> Bash(string script, string samples)
    {
        var start = new ProcessStartInfo("bash", ["-uc", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["CA"] = Path.Combine(mesh.DemoDirectory, "ca.pem");
        start.Environment["CM"] = Path.Combine(mesh.DemoDirectory, "offices", MeshFixture.CareOffice);
        start.Environment["PR"] = Path.Combine(mesh.DemoDirectory, "offices", MeshFixture.Provider);
        start.Environment["S"] = samples;
        start.Environment["API"] = mesh.BaseAddress.ToString().TrimEnd('/');
        using var bash = Process.Start(start)!;
        var (output, errors) = (bash.StandardOutput.ReadToEndAsync(), bash.StandardError.ReadToEndAsync());
        await bash.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        return (bash.ExitCode, await output, await errors);
    }

    [Fact]
    public async Task Every_curl_example_of_docs_api_md_runs_against_the_mesh_without_a_refusal()
    {
        var blocks = Regex.Matches(await File.ReadAllTextAsync(ApiMd()), @"^```sh\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)
            .Select(m => m.Groups[1].Value).ToList();
        Assert.True(blocks.Count >= 4, "docs/api.md has its setup block and the examples of paging, idempotency and events.");
        var samples = Directory.CreateTempSubdirectory("careplanmesh-api-md-").FullName;
        foreach (var (name, content) in SampleFiles.PlanSendUnit("20250807090000"))
            await File.WriteAllBytesAsync(Path.Combine(samples, name), content);
        try
        {
            var outputs = new Dictionary<string, string>();
            foreach (var block in blocks.Skip(1))
            {
                var (exitCode, output, errors) = await Bash(blocks[0] + "\n" + block, samples);
                // An example that follows the event stream ends by its own time limit (curl's exit 28), as a reader's Ctrl-C would.
                Assert.True(exitCode == 0 || (exitCode == 28 && block.Contains("/v1/events")), $"The example\n{block}\nexited {exitCode}: {errors}");
                Assert.DoesNotContain("urn:careplanmesh:problem:", output);
                outputs[block] = output;
            }

            Assert.Contains(outputs, o => o.Key.Contains("/v1/mailbox?") && Regex.Matches(o.Value, "\"items\":").Count == 2);
            var idempotent = Assert.Single(outputs, o => o.Key.Contains("Idempotency-Key")).Value;
            var ids = Regex.Matches(idempotent, "\"id\":\"([0-9a-f-]{36})\"").Select(m => m.Groups[1].Value).ToList();
            Assert.Equal(2, ids.Count);
            Assert.Equal(ids[0], ids[1]);
            Assert.Contains("Idempotent-Replayed: true", idempotent, StringComparison.OrdinalIgnoreCase);
            Assert.Contains(": heartbeat", Assert.Single(outputs, o => o.Key.Contains("/v1/events")).Value);
        }
        finally
        {
            Directory.Delete(samples, recursive: true);
        }
    }
}
