using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace ModelRetraining.Redis.Tests;

/// <summary>
/// One real redis-server for the test run: the one <c>.ci/run</c> started (<c>MR_REDIS=127.0.0.1:port</c>), or,
/// run by hand, one started here from <c>redis-server</c> on the PATH on a free loopback port and stopped by PID.
/// Each test uses its own stream keys, so tests share the server safely.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private Process? _server;

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public string Endpoint { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        Endpoint = Environment.GetEnvironmentVariable("MR_REDIS") ?? StartServer();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                Connection = await ConnectionMultiplexer.ConnectAsync($"{Endpoint},abortConnect=true,connectTimeout=2000");
                return;
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }

        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _server?.Dispose();
    }

    private string StartServer()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        try
        {
            _server = Process.Start(new ProcessStartInfo("redis-server", $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("These tests need a real Redis: set MR_REDIS=host:port (.ci/run does) or put redis-server on the PATH (Debian: apt-get install redis-server).", ex);
        }

        _server!.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        return $"127.0.0.1:{port}";
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "redis";
}
