using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ModelRetraining.PostgreSql.Tests;

/// <summary>
/// A PostgreSQL 15 server of one test's own (Debian's, <c>pg_config --bindir</c>; as the postgres user when
/// the tests run as root, since it refuses root), for a test that restarts the server: the shared one of
/// eng/test.sh serves the other tests meanwhile. Loopback, trust logins, <c>fsync=off</c>; every wait bounded.
/// </summary>
internal sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _root;
    private readonly string _bin;

    private PrivatePostgres(string root, string bin, int port)
    {
        _root = root;
        _bin = bin;
        ConnectionString = $"Host=127.0.0.1;Port={port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database=postgres;Timeout=5";
    }

    public string ConnectionString { get; }

    private string Data => Path.Combine(_root, "data");

    public static async Task<PrivatePostgres> StartAsync()
    {
        var bin = (await RunAsync("pg_config", ["--bindir"], asPostgres: false)).Trim();
        var root = Directory.CreateTempSubdirectory("mr-pg-private-").FullName;
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", ["postgres", root], asPostgres: false);
        }

        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var server = new PrivatePostgres(root, bin, port);
            await RunAsync(Path.Combine(bin, "initdb"), ["-D", server.Data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
            var options = $"-p {port.ToString(CultureInfo.InvariantCulture)} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off";
            await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", server.Data, "-o", options, "-l", Path.Combine(root, "log"), "-w", "-t", "30", "start"]);
            return server;
        }
    }

    /// <summary><c>pg_ctl restart -m fast</c>: every session is ended, the server comes back on the same port.</summary>
    /// <remarks>The log file is named again: without it the restarted server would write to (and hold open) this process's pipe.</remarks>
    public Task RestartAsync() => RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Data, "-m", "fast", "-l", Path.Combine(_root, "log"), "-w", "-t", "30", "restart"]);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Data, "-m", "immediate", "-w", "-t", "30", "stop"]);
        }
        finally
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static async Task<string> RunAsync(string program, string[] arguments, bool asPostgres = true)
    {
        var start = asPostgres && Environment.UserName == "root"
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", program, .. arguments])
            : new ProcessStartInfo(program, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(bound.Token);
        var error = process.StandardError.ReadToEndAsync(bound.Token);
        await process.WaitForExitAsync(bound.Token);
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited {process.ExitCode}: {await error}");
        return await output;
    }
}
