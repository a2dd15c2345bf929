using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ModelRetraining.PostgreSql.Tests;

/// <summary>One ModelRetraining.ClusterNode process: started and awaited until it says it is ready, stopped gracefully (its standard input closed) or killed.</summary>
internal sealed class ClusterNodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _errors = new();

    private ClusterNodeProcess(Process process) => _process = process;

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

    public static async Task<ClusterNodeProcess> StartAsync(string database, string node, string capabilities, int intervalMs, int trainMs)
    {
        var program = Path.Combine(AppContext.BaseDirectory, "ModelRetraining.ClusterNode.dll");
        Assert.True(File.Exists(program), $"cluster node not built at {program}");
        var start = new ProcessStartInfo("dotnet", [program, node, capabilities, intervalMs.ToString(CultureInfo.InvariantCulture), trainMs.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["MR_WORKER_POSTGRES"] = database;
        var node_ = new ClusterNodeProcess(Process.Start(start)!);
        node_._process.ErrorDataReceived += (_, e) =>
        {
            lock (node_._errors)
            {
                node_._errors.AppendLine(e.Data);
            }
        };
        node_._process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var first = await node_._process.StandardOutput.ReadLineAsync(timeout.Token);
        Assert.True(first == "ready", $"node {node} did not start: {first} {node_.Errors}");
        return node_;
    }

    /// <summary>SIGKILL: the node dies without a word, mid-run if it was running one.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }
}
