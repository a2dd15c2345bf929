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

    public int Id => _process.Id;

    /// <summary>Starts a node; with <paramref name="machine"/>, in a UTS namespace of its own whose host name is that (as root), so that it is another machine to the others.</summary>
    public static async Task<ClusterNodeProcess> StartAsync(string database, string node, string capabilities, int intervalMs, int trainMs, string? machine = null, int? leaseMs = null, int? sweepMs = null, int cronModels = 0)
    {
        var program = Path.Combine(AppContext.BaseDirectory, "ModelRetraining.ClusterNode.dll");
        Assert.True(File.Exists(program), $"cluster node not built at {program}");
        string[] arguments = [program, node, capabilities, intervalMs.ToString(CultureInfo.InvariantCulture), trainMs.ToString(CultureInfo.InvariantCulture)];
        var start = machine is null
            ? new ProcessStartInfo("dotnet", arguments)
            : new ProcessStartInfo("unshare", ["--uts", "sh", "-c", $"hostname {machine} && exec dotnet {string.Join(' ', arguments.Select(a => $"'{a}'"))}"]);
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        if (leaseMs is { } lease)
        {
            start.Environment["MR_NODE_LEASE_MS"] = lease.ToString(CultureInfo.InvariantCulture);
        }

        if (cronModels > 0)
        {
            start.Environment["MR_NODE_MODELS"] = cronModels.ToString(CultureInfo.InvariantCulture);
        }

        if (sweepMs is { } sweep)
        {
            start.Environment["MR_NODE_SWEEP_MS"] = sweep.ToString(CultureInfo.InvariantCulture);
        }

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

    /// <summary>SIGSTOP or SIGCONT: the node freezes (a long pause, a suspended virtual machine) or wakes up.</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit(TimeSpan.FromSeconds(10));
        Assert.Equal(0, kill.ExitCode);
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
