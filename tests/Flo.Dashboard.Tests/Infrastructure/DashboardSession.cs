using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Flo.Dashboard.Tests;

/// <summary>
/// One test's browser tab on the dashboard: a fresh context (no token, cookies or storage from another test), what went
/// wrong in it (console errors, uncaught exceptions, failed requests, error responses), waits that follow progress, and a
/// screenshot at the end, passed or failed, in <c>test-artifacts/dashboard/&lt;test&gt;.png</c> under the repository root.
/// </summary>
public sealed class DashboardSession : IAsyncDisposable
{
    /// <summary>How long what a wait watches may stay unchanged before the wait fails: generous, so only a stuck page fails.</summary>
    public static readonly TimeSpan Stall = TimeSpan.FromSeconds(30);

    // A wait whose page keeps changing without ever getting there still ends.
    private static readonly TimeSpan Cap = TimeSpan.FromMinutes(2);

    private readonly IBrowserContext context;
    private readonly ITestOutputHelper output;
    private readonly string test;
    private readonly ConcurrentQueue<string> consoleErrors = new();
    private readonly ConcurrentQueue<string> pageErrors = new();
    private readonly ConcurrentQueue<string> failedRequests = new();

    private DashboardSession(IBrowserContext context, IPage page, ITestOutputHelper output, string test)
    {
        this.context = context;
        this.output = output;
        this.test = test;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Enqueue(message.Text);
            }
        };
        page.PageError += (_, error) => pageErrors.Enqueue(error);
        page.RequestFailed += (_, request) => failedRequests.Enqueue($"{request.Method} {request.Url}: {request.Failure}");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                failedRequests.Enqueue($"{response.Request.Method} {response.Url}: {response.Status}");
            }
        };
    }

    /// <summary>The tab.</summary>
    public IPage Page { get; }

    /// <summary>Console errors, uncaught exceptions, failed requests and error responses so far.</summary>
    public IReadOnlyList<string> Problems => [.. consoleErrors.Select(e => "console: " + e), .. pageErrors.Select(e => "exception: " + e), .. failedRequests.Select(e => "request: " + e)];

    /// <summary>
    /// Opens a tab on <paramref name="baseAddress"/> (not navigated yet). <paramref name="acceptAnyCertificate"/> lets it
    /// load HTTPS pages whose certificate Chromium cannot verify (a test authority: Chromium takes no CA file).
    /// </summary>
    public static async Task<DashboardSession> OpenAsync(IBrowser browser, Uri baseAddress, ITestOutputHelper output, bool acceptAnyCertificate = false, [CallerMemberName] string test = "")
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1440, Height = 960 },
            IgnoreHTTPSErrors = acceptAnyCertificate,
        });
        var page = await context.NewPageAsync();
        // Clicks and fills wait this long for their element; what the silo changes is waited for with UntilAsync.
        page.SetDefaultTimeout(20_000);
        return new DashboardSession(context, page, output, test);
    }

    /// <summary>Loads the dashboard (at <paramref name="path"/>) and waits until its scripts ran.</summary>
    public async Task GotoAsync(string path = "/")
    {
        var response = await Page.GotoAsync(path);
        Assert.Equal(200, response?.Status);
        await UntilAsync(async () => await Page.EvaluateAsync<string?>("() => window.floLoadId ?? null") is not null, "the dashboard's scripts to run", "body");
    }

    /// <summary>The page load's id: the same value later means the page was not reloaded.</summary>
    public Task<string> LoadIdAsync() => Page.EvaluateAsync<string>("() => window.floLoadId");

    /// <summary>Opens a tab of the dashboard (Overview, Runs, ...).</summary>
    public async Task ShowTabAsync(string tab)
    {
        await Page.ClickAsync($"#tab-btn-{tab}");
        await UntilAsync(async () => await Page.IsVisibleAsync($"#tab-{tab}"), $"the {tab} tab", "body");
    }

    /// <summary>An attribute of the first element matching <paramref name="selector"/>, or null when there is none (no waiting).</summary>
    public Task<string?> AttributeAsync(string selector, string attribute)
        => Page.EvaluateAsync<string?>("([s, a]) => document.querySelector(s)?.getAttribute(a) ?? null", new[] { selector, attribute });

    /// <summary>The text of the first element matching <paramref name="selector"/>, or null when there is none (no waiting).</summary>
    public Task<string?> TextAsync(string selector)
        => Page.EvaluateAsync<string?>("s => document.querySelector(s)?.textContent ?? null", selector);

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, checking every 100 ms. Fails when the text of
    /// <paramref name="watch"/> (what would change on the way there) has not changed for <see cref="Stall"/>, or after
    /// two minutes in all.
    /// </summary>
    public async Task UntilAsync(Func<Task<bool>> condition, string what, string watch)
    {
        var total = Stopwatch.StartNew();
        var still = Stopwatch.StartNew();
        string? seen = null;
        while (!await condition())
        {
            var now = await Page.EvaluateAsync<string?>("s => document.querySelector(s)?.innerText ?? null", watch);
            if (now != seen)
            {
                seen = now;
                still.Restart();
            }
            Assert.True(still.Elapsed < Stall, $"Waiting for {what}: {watch} did not change for {Stall.TotalSeconds:0} s. It shows: {Shorten(seen)}\nProblems: {string.Join("\n", Problems)}");
            Assert.True(total.Elapsed < Cap, $"Waiting for {what}: not after {Cap.TotalMinutes:0} min. {watch} shows: {Shorten(seen)}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until the element of <paramref name="selector"/> has <paramref name="attribute"/> = <paramref name="value"/>.</summary>
    public Task UntilAttributeAsync(string selector, string attribute, string value, string watch)
        => UntilAsync(async () => await AttributeAsync(selector, attribute) == value, $"{selector} with {attribute}={value}", watch);

    /// <summary>Asserts the page had no console error, uncaught exception, failed request or error response.</summary>
    public void AssertNoProblems()
    {
        var problems = Problems;
        Assert.True(problems.Count == 0, "The page had problems:\n" + string.Join("\n", problems));
    }

    /// <summary>Saves a screenshot of a moment worth seeing besides the end (<c>&lt;test&gt;-&lt;step&gt;.png</c>).</summary>
    public Task SnapshotAsync(string step) => ScreenshotAsync($"{test}-{step}.png");

    /// <summary>Saves the screenshot and closes the tab; reports what went wrong in it to the test output.</summary>
    public async ValueTask DisposeAsync()
    {
        await ScreenshotAsync(test + ".png");
        foreach (var problem in Problems)
        {
            output.WriteLine(problem);
        }
        await context.CloseAsync();
    }

    private async Task ScreenshotAsync(string file)
    {
        try
        {
            var path = Path.Combine(ArtifactsDirectory(), file);
            await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
            output.WriteLine($"Screenshot: {path}");
        }
        catch (PlaywrightException e)
        {
            // A page that crashed or closed has nothing to show; the test's own failure says why.
            output.WriteLine($"No screenshot: {e.Message}");
        }
    }

    /// <summary><c>test-artifacts/dashboard</c> under the repository root (the directory with Cluster.sln), created if needed.</summary>
    private static string ArtifactsDirectory()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Cluster.sln")))
        {
            directory = directory.Parent;
        }
        var root = directory?.FullName ?? Directory.GetCurrentDirectory();
        var artifacts = Path.Combine(root, "test-artifacts", "dashboard");
        Directory.CreateDirectory(artifacts);
        return artifacts;
    }

    private static string Shorten(string? text) => text is null ? "(nothing)" : text.Length > 600 ? text[..600] + "..." : text;
}
