using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;

namespace ModelRetraining.PostgreSql.Tests;

/// <summary>One ModelRetraining.ServingNode process: a ModelServer in a process of its own that reports each swap with its time.</summary>
internal sealed class ServingNodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _errors = new();
    private readonly Channel<(int? Version, DateTime At)> _swaps = Channel.CreateUnbounded<(int?, DateTime)>();

    private ServingNodeProcess(Process process) => _process = process;

    /// <summary>Gets the version the node served when it said it was ready.</summary>
    public int? ReadyVersion { get; private set; }

    public static async Task<ServingNodeProcess> StartAsync(string database, string schema, string model, string mode)
    {
        var program = Path.Combine(AppContext.BaseDirectory, "ModelRetraining.ServingNode.dll");
        Assert.True(File.Exists(program), $"serving node not built at {program}");
        var start = new ProcessStartInfo("dotnet", [program, schema, model, mode])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["MR_WORKER_POSTGRES"] = database;
        var node = new ServingNodeProcess(Process.Start(start)!);
        node._process.ErrorDataReceived += (_, e) =>
        {
            lock (node._errors)
            {
                node._errors.AppendLine(e.Data);
            }
        };
        node._process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ready = await node._process.StandardOutput.ReadLineAsync(timeout.Token);
        Assert.True(ready?.StartsWith("ready ", StringComparison.Ordinal) == true, $"serving node did not start: {ready} {node.Errors}");
        node.ReadyVersion = Version(ready![6..]);
        _ = node.ReadSwapsAsync();
        return node;
    }

    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    /// <summary>Waits for the node's next swap (bounded: it fails naming what the node said).</summary>
    public async Task<(int? Version, DateTime At)> NextSwapAsync(TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            return await _swaps.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the serving node did not swap within {bound}; it said: {Errors}");
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.Close();
            using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(stopped.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private static int? Version(string text) => text == "none" ? null : int.Parse(text, CultureInfo.InvariantCulture);

    private async Task ReadSwapsAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            var parts = line.Split(' ');
            if (parts is ["swap", var version, var ticks])
            {
                await _swaps.Writer.WriteAsync((Version(version), new DateTime(long.Parse(ticks, CultureInfo.InvariantCulture), DateTimeKind.Utc)));
            }
        }

        _swaps.Writer.TryComplete();
    }
}
