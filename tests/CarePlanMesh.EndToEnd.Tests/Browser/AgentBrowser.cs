using Microsoft.Playwright;

namespace CarePlanMesh.EndToEnd.Tests.Browser;

/// <summary>
/// A real headless Chromium driven by Playwright: Debian's chromium package (or CAREPLANMESH_CHROMIUM) through
/// executablePath, never a browser Playwright downloads. Screenshots go to docs/images/ when CAREPLANMESH_ACCEPT_SCREENSHOTS=1.
/// </summary>
public sealed class AgentBrowser : IAsyncDisposable
{
    const string DefaultChromium = "/usr/bin/chromium";

    IPlaywright _playwright = null!;
    IBrowser _browser = null!;

    public static async Task<AgentBrowser> Launch()
    {
        var executable = Environment.GetEnvironmentVariable("CAREPLANMESH_CHROMIUM") is { Length: > 0 } path ? path : DefaultChromium;
        if (!File.Exists(executable))
            throw new InvalidOperationException($"{executable} does not exist: install Debian's chromium (apt-get install chromium; .ci/run does) or set CAREPLANMESH_CHROMIUM.");
        var browser = new AgentBrowser { _playwright = await Playwright.CreateAsync() };
        browser._browser = await browser._playwright.Chromium.LaunchAsync(new() { ExecutablePath = executable, Headless = true });
        return browser;
    }

    /// <summary>A fresh browser profile (its own cookies and localStorage) on the agent's page, opened with the launch key.</summary>
    public async Task<IPage> Open(AgentProcess agent)
    {
        var context = await _browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "ja-JP" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(await AgentPageAddress.Of(agent));
        return page;
    }

    /// <summary>Keeps the page's picture for the README when asked to (CAREPLANMESH_ACCEPT_SCREENSHOTS=1).</summary>
    public static async Task Screenshot(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("CAREPLANMESH_ACCEPT_SCREENSHOTS") != "1")
            return;
        await page.ScreenshotAsync(new() { Path = Path.Combine(MeshFixture.RepositoryRoot(), "docs", "images", $"agent-{name}.png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}

/// <summary>The address with the launch key that the agent writes to page-url.txt in its data folder.</summary>
public static class AgentPageAddress
{
    public static async Task<string> Of(AgentProcess agent)
    {
        var file = Path.Combine(agent.Data, "page-url.txt");
        await agent.WaitForLine("web page on");
        return (await File.ReadAllTextAsync(file)).Trim();
    }
}
