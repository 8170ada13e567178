using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CarePlanMesh.Standard;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CarePlanMesh.EndToEnd.Tests.Browser;

/// <summary>
/// The office agent's web page (`cpm agent --port`) in a real Chromium, with two agents running against the mesh: the care
/// office sends from its page, the provider's agent receives and its page lists what arrived.
/// </summary>
[Collection(MeshCollection.Name)]
public sealed class AgentPageTests(MeshFixture mesh) : IAsyncLifetime
{
    static readonly TimeSpan Delivery = TimeSpan.FromSeconds(90);
    readonly string _root = Directory.CreateTempSubdirectory("careplanmesh-page-").FullName;
    AgentProcess _care = null!;
    AgentProcess _provider = null!;

    public Task InitializeAsync()
    {
        _care = new AgentProcess(mesh, MeshFixture.PageCareOffice, _root);
        _provider = new AgentProcess(mesh, MeshFixture.PageProvider, _root);
        _care.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _care.DisposeAsync();
        await _provider.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task The_page_refuses_requests_without_the_key_under_another_host_name_from_another_origin_and_without_the_csrf_token()
    {
        var address = new Uri(await AgentPageAddress.Of(_care));
        var origin = $"http://127.0.0.1:{_care.Port}";
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(origin) };
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_care.Data, "page-url.txt")));

        await AssertProblem(await http.GetAsync("/api/status"), HttpStatusCode.Unauthorized, "no-session");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/?key=not-the-key")).StatusCode);
        // DNS rebinding: a name that resolves to 127.0.0.1 still carries its own Host header.
        await AssertProblem(await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, address.PathAndQuery) { Headers = { Host = $"rebound.example:{_care.Port}" } }),
            HttpStatusCode.MisdirectedRequest, "host-refused");

        var signIn = await http.GetAsync(address.PathAndQuery);
        Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
        Assert.Equal("/", signIn.Headers.Location?.ToString());
        var setCookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        var cookie = setCookie.Split(';')[0];
        HttpRequestMessage Request(HttpMethod method, string path, string? requestOrigin = null, string? csrf = null)
        {
            var request = new HttpRequestMessage(method, path) { Headers = { { "Cookie", cookie } } };
            if (requestOrigin is not null)
                request.Headers.Add("Origin", requestOrigin);
            if (csrf is not null)
                request.Headers.Add("X-CSRF-Token", csrf);
            if (method == HttpMethod.Post)
                request.Content = SampleFiles.Form(SampleFiles.PlanSendUnit("20250730090000", MeshFixture.PageCareOffice, MeshFixture.PageProvider));
            return request;
        }

        var session = await (await http.SendAsync(Request(HttpMethod.Get, "/api/session"))).Content.ReadFromJsonAsync<JsonElement>();
        var token = session.GetProperty("csrfToken").GetString()!;
        Assert.Equal(MeshFixture.PageCareOffice, session.GetProperty("office").GetString());
        var rebound = Request(HttpMethod.Get, "/api/session");
        rebound.Headers.Host = $"localhost.attacker.example:{_care.Port}";
        await AssertProblem(await http.SendAsync(rebound), HttpStatusCode.MisdirectedRequest, "host-refused");
        await AssertProblem(await http.SendAsync(Request(HttpMethod.Post, "/api/send", origin)), HttpStatusCode.Forbidden, "csrf-token");
        await AssertProblem(await http.SendAsync(Request(HttpMethod.Post, "/api/send", "http://attacker.example", token)), HttpStatusCode.Forbidden, "origin-refused");
        await AssertProblem(await http.SendAsync(Request(HttpMethod.Post, "/api/send", null, token)), HttpStatusCode.Forbidden, "origin-refused");
        Assert.Empty(Directory.Exists(_care.Outbox) ? Directory.GetFiles(_care.Outbox) : []);
    }

    [Fact]
    public async Task With_the_relay_unreachable_the_page_says_so_at_once_with_a_503_problem_in_both_languages()
    {
        using var nothing = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        nothing.Start();
        var closed = ((IPEndPoint)nothing.LocalEndpoint).Port;
        nothing.Stop();
        await using var offline = new AgentProcess(mesh, MeshFixture.PageCareOffice, Path.Combine(_root, "offline"), new Uri($"https://127.0.0.1:{closed}"));
        offline.Start();
        var address = new Uri(await AgentPageAddress.Of(offline));
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = new Uri($"http://127.0.0.1:{offline.Port}") };
        Assert.Equal(HttpStatusCode.SeeOther, (await http.GetAsync(address.PathAndQuery)).StatusCode);

        var started = DateTime.UtcNow;
        var sent = await http.GetAsync("/api/sent");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "the page waited for a relay that is not there");
        await AssertProblem(sent, HttpStatusCode.ServiceUnavailable, "relay-unavailable");
        Assert.NotNull(sent.Headers.RetryAfter);
        var status = await http.GetFromJsonAsync<JsonElement>("/api/status");
        Assert.False(status.GetProperty("connected").GetBoolean());
        Assert.False(status.GetProperty("signedIn").GetBoolean());
    }

    [Fact]
    public async Task The_page_shows_the_sign_in_state_and_a_dropped_broken_file_is_refused_with_its_defect_in_japanese_and_english()
    {
        await using var browser = await AgentBrowser.Launch();
        var page = await browser.Open(_care);

        await Expect(page.Locator("#status")).ToHaveAttributeAsync("data-signed-in", "true", new() { Timeout = 30_000 });
        await Expect(page.Locator("#status")).ToContainTextAsync("サインイン済み");
        await Expect(page.Locator("#status")).ToContainTextAsync("中継に接続中");
        await Expect(page.Locator("#office")).ToContainTextAsync(MeshFixture.PageCareOffice);
        await Expect(page.Locator("#partnerships-table tbody tr", new() { HasText = MeshFixture.PageProvider })).ToContainTextAsync("連携中");
        await page.GetByLabel("事業所を探す（名前・事業所番号）").FillAsync("画面テスト訪問看護");
        await page.GetByLabel("事業所を探す（名前・事業所番号）").PressAsync("Enter");
        await Expect(page.Locator("#directory-table tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#directory-table tbody tr")).ToContainTextAsync(MeshFixture.PageProvider);

        var files = Broken("20250731090000");
        var dateDefect = StandardValidator.Validate(files).Defects.Single(d => d.Rule == "field.date");
        await Drop(page, files);
        var row = page.Locator("#defects tr.defect", new() { HasText = dateDefect.MessageJa });
        await Expect(row.Locator("td")).ToHaveTextAsync([files[0].Name, "1", "サービス利用日", "エラー", dateDefect.MessageJa], new() { Timeout = 30_000 });
        await Expect(page.Locator("#send-button")).ToBeDisabledAsync();
        await AgentBrowser.Screenshot(page, "defects");

        await page.GetByRole(AriaRole.Button, new() { Name = "Switch to English" }).ClickAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(page.Locator("#defects tr.defect", new() { HasText = dateDefect.MessageEn }).Locator("td"))
            .ToHaveTextAsync([files[0].Name, "1", "サービス利用日", "error", dateDefect.MessageEn]);
        await Expect(page.Locator("#status")).ToContainTextAsync("Signed in");
        await page.ReloadAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("CarePlanMesh office agent");
        Assert.Empty(Directory.Exists(_care.Outbox) ? Directory.GetFiles(_care.Outbox) : []);
    }

    [Fact]
    public async Task A_unit_sent_from_the_page_is_in_the_sent_list_with_its_timeline_and_receipts_and_in_the_providers_received_list()
    {
        _provider.Start();
        await using var browser = await AgentBrowser.Launch();
        var care = await browser.Open(_care);
        const string serial = "20250801090000";
        var unit = SampleFiles.PlanSendUnit(serial, MeshFixture.PageCareOffice, MeshFixture.PageProvider);

        await care.Locator("#files").SetInputFilesAsync(unit.Select(f => new FilePayload { Name = f.Name, MimeType = "text/csv", Buffer = f.Content }));
        await Expect(care.Locator("#dryrun")).ToContainTextAsync("不備はありません", new() { Timeout = 30_000 });
        await Expect(care.Locator("#send-button")).ToBeEnabledAsync();
        await AgentBrowser.Screenshot(care, "send");
        await care.GetByRole(AriaRole.Button, new() { Name = "送信フォルダに入れて送る" }).ClickAsync();
        await Expect(care.Locator("#send-result")).ToContainTextAsync(serial);

        var sent = care.Locator($"#sent-table tr[data-send-unit='{serial}']");
        await Expect(sent).ToHaveAttributeAsync("data-state", "Acknowledged", new() { Timeout = (float)Delivery.TotalMilliseconds });
        await Expect(sent).ToContainTextAsync(MeshFixture.PageProvider);
        await sent.GetByRole(AriaRole.Button).ClickAsync();
        var detail = care.Locator("#sent-detail");
        await Expect(detail.Locator("ol.timeline")).ToContainTextAsync("受領済み");
        await Expect(detail.Locator("ul.receipts li")).ToHaveCountAsync(3);
        await AgentBrowser.Screenshot(care, "sent");
        await care.ReloadAsync();
        await Expect(care.Locator("#notices-list li.unread", new() { HasText = "相手が受領しました" })).Not.ToHaveCountAsync(0);

        var provider = await browser.Open(_provider);
        var received = provider.Locator($"#received-table tr[data-send-unit='{serial}']");
        // Imported, acknowledged, and the relay's signed receipt of the acknowledgement saved beside the files.
        await Expect(received).ToHaveAttributeAsync("data-local", "receipted", new() { Timeout = (float)Delivery.TotalMilliseconds });
        await Expect(received).ToContainTextAsync("受領済み（受領証を保存）");
        await Expect(received).ToContainTextAsync(MeshFixture.PageCareOffice);
        await Expect(received).ToContainTextAsync("受領済み");
        await AgentBrowser.Screenshot(provider, "received");
        var download = await received.GetByRole(AriaRole.Link).GetAttributeAsync("href");
        var zip = await provider.Context.APIRequest.GetAsync($"http://127.0.0.1:{_provider.Port}{download}");
        Assert.Equal(200, zip.Status);
        using var archive = new ZipArchive(new MemoryStream(await zip.BodyAsync()));
        foreach (var (name, content) in unit)
        {
            using var entry = new MemoryStream();
            await archive.GetEntry(name)!.Open().CopyToAsync(entry);
            Assert.Equal(content, entry.ToArray());
        }
    }

    [Fact]
    public async Task The_months_reconciliation_shows_the_differences_with_the_users_names_from_the_files_the_agent_sent()
    {
        const string month = "202508", planSerial = "20250725090000";
        // Two users planned; the first is planned over 要介護1's limit and delivered twice where once was planned.
        var plan = StandardFiles.Valid("plan6", month, planSerial);
        var table7 = StandardFiles.Valid("table7", month, planSerial).SetAll("categoryLimitWithinUnits", "").SetAll("categoryLimitExcessUnits", "");
        var totals = Enumerable.Range(0, table7.Rows.Count).Where(r => table7.Get(r, "serviceCode") == "999999").ToList();
        table7.Set(totals[0], "categoryLimitWithinUnits", "16000").Set(totals[0], "categoryLimitExcessUnits", "900");
        table7.Set(totals[1], "categoryLimitWithinUnits", "1100").Set(totals[1], "categoryLimitExcessUnits", "0");
        var supplement = StandardFiles.Valid("supplement", month, planSerial).SetAll("careLevel", "21").SetAll("categoryLimitUnits", "16765")
            .Set(0, "name", "突合　一郎（架空）").Set(0, "nameKana", "トツゴウ　イチロウ").Set(1, "name", "突合　二郎（架空）");
        Directory.CreateDirectory(_care.Outbox);
        foreach (var (name, content) in new[] { plan.Pair, table7.Pair, supplement.Pair }.Select(PageOffices))
            await File.WriteAllBytesAsync(Path.Combine(_care.Outbox, name), content);
        var sent = Path.Combine(_care.Outbox, "sent");
        await Poll.Until(() => Task.FromResult(Directory.Exists(sent) && Directory.GetFiles(sent, "submission.json", SearchOption.AllDirectories).Length > 0),
            Delivery, () => $"the plan was never sent.\n{_care.Log()}\n{mesh.Logs()}");
        var planId = JsonDocument.Parse(await File.ReadAllTextAsync(Directory.GetFiles(sent, "submission.json", SearchOption.AllDirectories).Single()))
            .RootElement.GetProperty("submissionId").GetGuid();
        // The 予定's facts are recorded once it is validated: the 実績 follows after that, as it would a month later.
        await mesh.WaitForState(mesh.ClientFor(MeshFixture.PageCareOffice), planId, "AwaitingPickup");
        var actual = PageOffices(StandardFiles.Valid("actual6", month, "20250901090000").Set(1, "count", "2").Pair);
        await mesh.Submit(mesh.ClientFor(MeshFixture.PageProvider), [actual]);

        await using var browser = await AgentBrowser.Launch();
        var page = await browser.Open(_care);
        await page.GetByLabel("対象年月").FillAsync("2025-08");
        var open = page.GetByRole(AriaRole.Button, new() { Name = "詳細を開く" });
        await Poll.Until(async () =>
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "表示", Exact = true }).ClickAsync();
            await Task.Delay(500);
            return await open.CountAsync() == 1;
        }, Delivery, () => $"the reconciliation's report never became ready.\n{_care.Log()}\n{mesh.Logs()}");
        await Expect(page.Locator("#reconcile-table tbody tr")).ToContainTextAsync(MeshFixture.PageProvider);
        await open.ClickAsync();
        var detail = page.Locator("#reconcile-detail");
        await Expect(detail.Locator("tbody tr")).ToHaveCountAsync(1);
        var cells = detail.Locator("tbody tr td");
        await Expect(cells.Nth(0)).ToHaveTextAsync("突合　一郎（架空）（トツゴウ　イチロウ）");
        await Expect(cells.Nth(1)).ToHaveTextAsync("回数が違う");
        await Expect(cells.Nth(3)).ToHaveTextAsync("119902");
        await Expect(cells.Nth(5)).ToHaveTextAsync("2");
        await Expect(cells.Nth(6)).ToHaveTextAsync("2");
        await Expect(detail.Locator("ul li")).ToHaveTextAsync(["突合　一郎（架空）（トツゴウ　イチロウ）: 超過単位数 135"]);
        await AgentBrowser.Screenshot(page, "reconciliation");
        // Names are shown on the page only: never in the agent's log.
        Assert.DoesNotContain(_care.Lines, l => l.Contains("突合", StringComparison.Ordinal) || l.Contains(StandardFiles.Users[0], StringComparison.Ordinal));
    }

    /// <summary>A file of the test data between 0300000100 and 0300000005, moved to the page tests' own pair.</summary>
    static (string Name, byte[] Content) PageOffices((string Name, byte[] Content) file) =>
        (file.Name.Replace(StandardFiles.CareOffice, MeshFixture.PageCareOffice).Replace(StandardFiles.Provider, MeshFixture.PageProvider),
         Ms932.Encoding.GetBytes(Ms932.Encoding.GetString(file.Content).Replace(StandardFiles.CareOffice, MeshFixture.PageCareOffice).Replace(StandardFiles.Provider, MeshFixture.PageProvider)));

    /// <summary>The sample 予定 unit with a サービス利用日 that is no date (line 1 of the 第6表).</summary>
    static (string Name, byte[] Content)[] Broken(string serial)
    {
        var files = SampleFiles.PlanSendUnit(serial, MeshFixture.PageCareOffice, MeshFixture.PageProvider);
        var lines = Ms932.Encoding.GetString(files[0].Content).Split("\r\n");
        var first = lines[0].Split(',');
        first[9] = "20250732";
        lines[0] = string.Join(',', first);
        files[0] = (files[0].Name, Ms932.Encoding.GetBytes(string.Join("\r\n", lines)));
        return files;
    }

    /// <summary>Drops the files on the page's drop zone as a desktop would: a drop event whose DataTransfer holds them.</summary>
    static Task Drop(IPage page, (string Name, byte[] Content)[] files) =>
        page.EvaluateAsync("""
            files => {
              const transfer = new DataTransfer();
              for (const f of files)
                transfer.items.add(new File([Uint8Array.from(atob(f.content), c => c.charCodeAt(0))], f.name, { type: 'text/csv' }));
              const zone = document.getElementById('drop');
              zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
              zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
            }
            """, files.Select(f => new { name = f.Name, content = Convert.ToBase64String(f.Content) }).ToArray());

    static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"urn:careplanmesh:agent:{type}", problem.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("titleJa").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
    }
}
