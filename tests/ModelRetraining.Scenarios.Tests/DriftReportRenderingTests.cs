using System.Diagnostics;
using ModelRetraining.MLNet;
using QuickStart;

namespace ModelRetraining.Scenarios.Tests;

/// <summary>
/// Story: an operator opens a drift report in a browser. The HTML report of January against June
/// flights is loaded by headless Chromium (installed by .ci/run): the DOM it builds has the column
/// table and one chart per column, and a screenshot of it is a real picture.
/// </summary>
public class DriftReportRenderingTests
{
    [Fact]
    public async Task HtmlReport_RendersInHeadlessChromium()
    {
        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);
        Assert.True(chromium is not null, "Chromium is not installed; .ci/run installs it with apt-get install chromium.");

        var context = new RetrainingContext("drift", "run", TimeProvider.System);
        var source = CsvDataSource.FromFile(FlightDelays.DataFile, FlightDelays.Schema());
        var january = await source.Between(new DateTime(2001, 1, 1), new DateTime(2001, 2, 1)).LoadAsync(context);
        var june = await source.Between(new DateTime(2001, 6, 1), new DateTime(2001, 7, 1)).LoadAsync(context);
        var report = new DriftDetector().Compare(january.Data, june.Data, ["delay", "distance", "origin", "Late"]) with { Reference = "January", Current = "June" };
        var folder = Path.Combine(Path.GetTempPath(), "mr-report-render", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var html = Path.Combine(folder, "report.html");
        await File.WriteAllTextAsync(html, report.ToHtml());

        var dom = await RunAsync(chromium!, folder, "--dump-dom", $"file://{html}");
        Assert.Contains("<table>", dom, StringComparison.Ordinal);
        Assert.Equal(4, dom.Split("<svg", StringSplitOptions.None).Length - 1);
        Assert.Contains("June against January", dom, StringComparison.Ordinal);

        var png = Path.Combine(folder, "report.png");
        await RunAsync(chromium!, folder, $"--screenshot={png}", "--window-size=1000,1200", $"file://{html}");
        var bytes = await File.ReadAllBytesAsync(png);
        Assert.True(bytes.Length > 20_000, $"screenshot is {bytes.Length} bytes");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
    }

    private static async Task<string> RunAsync(string chromium, string folder, params string[] arguments)
    {
        var start = new ProcessStartInfo(chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars", $"--user-data-dir={Path.Combine(folder, "profile")}" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"chromium exited {process.ExitCode}: {await error}");
        return await output;
    }
}
