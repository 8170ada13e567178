using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CarePlanMesh.Contracts;
using CarePlanMesh.Standard;
using MassTransit;

namespace CarePlanMesh.EndToEnd.Tests;

/// <summary>予定 against 実績 on the running mesh (issue #13): counts for both offices, the sealed detail report, no personal data in billing-reconciliation.</summary>
[Collection(MeshCollection.Name)]
public sealed class ReconciliationTests(MeshFixture mesh)
{
    const string Month = "202508";
    static readonly string[] Personal = [.. StandardFiles.Users, "カイゴ", "（架空）"];

    [Fact]
    public async Task A_providers_actual_is_reconciled_with_the_care_offices_plan_and_the_detail_report_opens_with_openssl()
    {
        var events = new List<string>();
        var listener = await ListenFor<ReconciliationCompleted>(events);
        try
        {
            using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
            using var provider = mesh.ClientFor(MeshFixture.Provider);
            var plan = await Send(careOffice, Plan("20250720090000"));
            var planStatus = await mesh.WaitForState(careOffice, plan, "AwaitingPickup");
            // The first user is planned 16,900 units, 135 over 要介護1's limit: the care manager is warned at validation.
            Assert.Contains("reconciliation.over-limit", planStatus.GetRawText());

            var actualFile = StandardFiles.Valid("actual6", Month, "20250801090000").Set(1, "count", "2");
            var actual = await Send(provider, [actualFile.Pair]);
            await mesh.WaitForState(provider, actual, "AwaitingPickup");

            JsonElement item = default;
            await mesh.Eventually(async () =>
            {
                var list = await careOffice.GetFromJsonAsync<JsonElement>($"/v1/reconciliations?serviceMonth={Month}");
                item = list.GetProperty("items").EnumerateArray().FirstOrDefault(i => i.GetProperty("id").GetGuid() == actual);
                return item.ValueKind == JsonValueKind.Object && item.GetProperty("report").GetProperty("ready").GetBoolean();
            });
            Assert.Equal(MeshFixture.Provider, item.GetProperty("providerOffice").GetString());
            Assert.Equal((2, 1, 1, 1, 0, 1), (item.GetProperty("usersCompared").GetInt32(), item.GetProperty("usersMatched").GetInt32(),
                item.GetProperty("usersWithDifferences").GetInt32(), item.GetProperty("differentCounts").GetInt32(), item.GetProperty("notDelivered").GetInt32(),
                item.GetProperty("usersOverLimit").GetInt32()));
            Assert.Equal((plan, actual), (item.GetProperty("planSubmissionId").GetGuid(), item.GetProperty("actualSubmissionId").GetGuid()));

            // The provider sees the same counts for its own rows, without the report that names users.
            var mine = (await provider.GetFromJsonAsync<JsonElement>($"/v1/reconciliations?serviceMonth={Month}")).GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetGuid() == actual);
            Assert.Equal(1, mine.GetProperty("differentCounts").GetInt32());
            Assert.False(mine.TryGetProperty("report", out _));
            Assert.Equal(HttpStatusCode.NotFound, (await provider.GetAsync($"/v1/reconciliations/{actual}/report")).StatusCode);

            var download = await careOffice.GetAsync($"/v1/reconciliations/{actual}/report");
            Assert.Equal("application/pkcs7-mime", download.Content.Headers.ContentType?.MediaType);
            var signed = await OpenSsl.Decrypt(await download.Content.ReadAsByteArrayAsync(), Path.Combine(mesh.DemoDirectory, "offices", MeshFixture.CareOffice));
            var report = JsonDocument.Parse(await OpenSsl.Verify(signed, Path.Combine(mesh.DemoDirectory, "ca.pem"))).RootElement;
            var difference = Assert.Single(report.GetProperty("differences").EnumerateArray());
            Assert.Equal(("differentCounts", StandardFiles.Users[0], "119902", 2, 2, 1, 2),
                (difference.GetProperty("kind").GetString(), difference.GetProperty("user").GetProperty("insuredNumber").GetString(),
                 difference.GetProperty("planServiceCode").GetString(), difference.GetProperty("planLine").GetInt32(), difference.GetProperty("actualLine").GetInt32(),
                 difference.GetProperty("planCount").GetInt32(), difference.GetProperty("actualCount").GetInt32()));
            Assert.Equal(135, Assert.Single(report.GetProperty("overLimit").EnumerateArray()).GetProperty("overUnits").GetInt32());
            await mesh.Eventually(async () =>
                await mesh.Count($"notification.notifications WHERE submission_id = '{actual}' AND office_number = '{MeshFixture.CareOffice}' AND topic = 'reconciliation.ready'") == 1);

            await mesh.Eventually(() => Task.FromResult(events.Count > 0));
            Assert.All(events, body => Assert.All(Personal, secret => Assert.DoesNotContain(secret, body)));
            Assert.All(Personal, secret => Assert.DoesNotContain(secret, File.ReadAllText(Path.Combine(mesh.DemoDirectory, "billing-reconciliation.log"))));
            foreach (var table in (string[])["fact_units", "service_facts", "limit_facts", "reconciliations", "usage", "licences"])
                foreach (var secret in Personal)
                    Assert.Equal(0, await mesh.Count($"billing_reconciliation.{table} t WHERE t::text LIKE '%{secret}%'"));
        }
        finally
        {
            await listener.StopAsync();
        }
    }

    [Fact]
    public async Task The_dry_run_warns_before_sending_of_a_user_planned_over_the_limit_and_the_unit_stays_valid()
    {
        using var careOffice = mesh.ClientFor(MeshFixture.CareOffice);
        var files = Plan("20250720100000");

        var over = await DryRun(careOffice, files);

        Assert.True(over.GetProperty("valid").GetBoolean(), over.ToString());
        Assert.Equal(0, over.GetProperty("errorCount").GetInt32());
        Assert.Equal(1, over.GetProperty("warningCount").GetInt32());
        var warning = Assert.Single(over.GetProperty("defects").EnumerateArray());
        Assert.Equal(("reconciliation.over-limit", "warning", files[2].Name, 1, 19, "区分支給限度基準額"),
            (warning.GetProperty("rule").GetString(), warning.GetProperty("severity").GetString(), warning.GetProperty("file").GetString(),
             warning.GetProperty("line").GetInt32(), warning.GetProperty("column").GetInt32(), warning.GetProperty("field").GetString()));
        Assert.Contains("135単位超過", warning.GetProperty("messageJa").GetString());
        Assert.Contains("(135 over)", warning.GetProperty("messageEn").GetString());
        Assert.All(Personal, secret => Assert.DoesNotContain(secret, over.ToString()));

        var within = await DryRun(careOffice, Plan("20250720100000", limitUnits: "17000"));

        Assert.True(within.GetProperty("valid").GetBoolean(), within.ToString());
        Assert.Equal(0, within.GetProperty("warningCount").GetInt32());
        Assert.Empty(within.GetProperty("defects").EnumerateArray());
    }

    static async Task<JsonElement> DryRun(HttpClient client, (string Name, byte[] Content)[] files)
    {
        var response = await client.PostAsync("/v1/validate", SampleFiles.Form(files));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A 予定 unit of the month for the default users, the first one planned 16,900 units against 要介護1's 16,765 (or <paramref name="limitUnits"/>).</summary>
    static (string Name, byte[] Content)[] Plan(string serial, string limitUnits = "16765")
    {
        var plan = StandardFiles.Valid("plan6", Month, serial);
        var table7 = StandardFiles.Valid("table7", Month, serial);
        var supplement = StandardFiles.Valid("supplement", Month, serial).SetAll("careLevel", "21").SetAll("categoryLimitUnits", limitUnits);
        table7.SetAll("categoryLimitWithinUnits", "").SetAll("categoryLimitExcessUnits", "");
        var totals = Enumerable.Range(0, table7.Rows.Count).Where(r => table7.Get(r, "serviceCode") == "999999").ToList();
        table7.Set(totals[0], "categoryLimitWithinUnits", "16000").Set(totals[0], "categoryLimitExcessUnits", "900");
        table7.Set(totals[1], "categoryLimitWithinUnits", "1100").Set(totals[1], "categoryLimitExcessUnits", "0");
        return [plan.Pair, table7.Pair, supplement.Pair];
    }

    static async Task<Guid> Send(HttpClient client, (string Name, byte[] Content)[] files)
    {
        var response = await client.PostAsync("/v1/submissions", SampleFiles.Form(files));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>Subscribes to an event on the mesh's bus and keeps each raw message body, as it travels.</summary>
    async Task<IBusControl> ListenFor<T>(List<string> bodies) where T : class
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            var user = mesh.RabbitMq.UserInfo.Split(':');
            cfg.Host(mesh.RabbitMq.Host, (ushort)mesh.RabbitMq.Port, mesh.RabbitMq.AbsolutePath.TrimStart('/'), h => { h.Username(user[0]); h.Password(user[1]); });
            cfg.ReceiveEndpoint($"e2e-{typeof(T).Name}-{Guid.NewGuid():N}", e =>
            {
                e.AutoDelete = true;
                e.Handler<T>(context =>
                {
                    lock (bodies)
                        bodies.Add(Encoding.UTF8.GetString(context.ReceiveContext.Body.GetBytes()));
                    return Task.CompletedTask;
                });
            });
        });
        await bus.StartAsync();
        return bus;
    }
}
