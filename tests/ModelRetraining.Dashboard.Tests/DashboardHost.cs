using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelRetraining.MLNet;
using ModelRetraining.Serving;
using QuickStart;

namespace ModelRetraining.Dashboard.Tests;

/// <summary>
/// A real Kestrel host on 127.0.0.1 in the Production environment, under the nested path base
/// <c>/ops</c> (as behind a proxy that forwards <c>X-Forwarded-For</c>), with the dashboard at
/// <c>/ops/retraining</c> over an embedded registry. Its models are real: the quick start's flight-delay
/// pipeline trained on real flights (January, held out on February): v1 promoted, v2 waiting for approval.
/// </summary>
public sealed class DashboardHost : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-dashboard", Guid.NewGuid().ToString("N"));
    private WebApplication _app = null!;

    public IModelRegistry Registry { get; private set; } = null!;

    public Uri Root { get; private set; } = null!;

    /// <summary>Gets the monitor the dashboard at <c>/retraining</c> shows runs of (no GPU probe: the charts show none).</summary>
    public RunMonitor Monitor { get; } = new();

    /// <summary>Gets the model servers the dashboard at <c>/retraining</c> shows the rollouts of (a test adds its own).</summary>
    public List<IRolloutControl> Servers { get; } = [];

    public async Task InitializeAsync()
    {
        Registry = ModelRegistry.Embedded(_folder);
        Assert.True((await RunAsync("run-1", approval: false)).Promoted);
        Assert.Equal(RetrainingRunStatus.AwaitingApproval, (await RunAsync("run-2", approval: true)).Status);

        await SoloAsync();

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddAuthentication("Test").AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>("Test", null);
        builder.Services.AddAuthorization(o => o.AddPolicy("operators", p => p.RequireRole("operator")));
        builder.Services.AddRetrainingDashboard();
        _app = builder.Build();
        _app.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor });
        _app.UsePathBase("/ops");
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapRetrainingDashboard("/retraining", o =>
        {
            o.Registry = Registry;
            o.RollbackPolicy = "operators";
            o.Monitor = Monitor;
            o.RolloutServers = Servers;
            o.ChangePollInterval = TimeSpan.FromMilliseconds(200);
        });
        _app.MapRetrainingDashboard("/secured", o =>
        {
            o.Registry = Registry;
            o.ViewPolicy = "operators";
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Root = new Uri($"{address}/ops/retraining/");
    }

    /// <summary>
    /// A second model, registered by hand, for refusals that must not disturb the flights: "solo" has one
    /// champion (nothing to roll back to) and requests for v2 — open with a quorum of two, and one past its deadline.
    /// </summary>
    private async Task SoloAsync()
    {
        var artifact = new ModelArtifact(ArtifactFlavors.MLNet, "model.zip", new byte[] { 1, 2, 3 });
        await Registry.RegisterVersionAsync(new NewModelVersion("solo", artifact, "alice"));
        await Registry.RegisterVersionAsync(new NewModelVersion("solo", artifact, "alice"));
        await Registry.SetAliasAsync(new AliasChange("solo", ModelAliases.Champion, 1, null, "alice", "first"));
        var store = Registry.GetService<IApprovalStore>()!;
        await store.CreateAsync(new ApprovalRequest("solo-quorum", "solo", 2, 1, "alice", DateTimeOffset.UtcNow) { Quorum = 2 });
        await store.CreateAsync(new ApprovalRequest("solo-late", "solo", 2, 1, "alice", DateTimeOffset.UtcNow.AddDays(-2)) { Deadline = DateTimeOffset.UtcNow.AddDays(-1) });
    }

    /// <summary>Trains the flight-delay model once more; with <paramref name="approval"/>, the gate leaves the promotion to a person.</summary>
    public async Task<RetrainingRunResult> RunAsync(string runId, bool approval)
    {
        var flights = CsvDataSource.FromFile(FlightDelays.DataFile, FlightDelays.Schema());
        var builder = FlightDelays.Pipeline(Registry, flights.Between(new DateTime(2001, 1, 1), new DateTime(2001, 2, 1)), flights.Between(new DateTime(2001, 2, 1), new DateTime(2001, 2, 15)));
        if (approval)
        {
            builder.AddPromotionGate(g => g.RequireApproval());
        }

        return await builder.Build().RunAsync(new RetrainingRunOptions { Actor = "alice", RunId = runId });
    }

    /// <summary>
    /// Starts a run of "flights-live" (the flight-delay pipeline under another name, so the flights stay as the
    /// other tests expect) that the monitor follows and that holds in training, saying <paramref name="message"/>,
    /// until <see cref="HeldRun.Release"/>.
    /// </summary>
    public HeldRun StartHeldRun(string runId, string message = "held by the test")
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var flights = CsvDataSource.FromFile(FlightDelays.DataFile, FlightDelays.Schema());
        var builder = FlightDelays.Configure(
                new RetrainingPipelineBuilder { ModelName = "flights-live", Actor = "alice" },
                flights.Between(new DateTime(2001, 1, 1), new DateTime(2001, 1, 15)),
                flights.Between(new DateTime(2001, 2, 1), new DateTime(2001, 2, 8)))
            .UseRegistry(Registry)
            .UseRunMonitor(Monitor)
            .DecorateTrainer(inner => new HeldTrainer(inner, release.Task, message));
        var result = Task.Run(async () => await builder.Build().RunAsync(new RetrainingRunOptions { Actor = "alice", RunId = runId }));
        return new HeldRun(result, release);
    }

    /// <summary>
    /// Serves flight-delays (the champion) and starts a canary of v2 against it, shown by the dashboard until the
    /// server is disposed. Its outcomes are the test's to record (<see cref="Traffic"/>).
    /// </summary>
    public async Task<ModelServer<FlightRow, FlightScore>> StartCanaryAsync()
    {
        var server = new ModelServer<FlightRow, FlightScore>(Registry, "flight-delays", new ModelServerOptions { Loaders = { new MLNetModelLoader() }, PollInterval = TimeSpan.FromHours(1) })
        {
            Derivations = FlightDelays.Schema().DerivationsFor<FlightRow>(),
        };
        await server.StartAsync();
        var champion = server.Current!.Version;
        await server.StartRolloutAsync(new RolloutOptions { ChallengerVersion = champion == 1 ? 2 : 1, MinOutcomes = 100, MinLatencyIncrease = TimeSpan.FromSeconds(10), Actor = "release-bot" });
        lock (Servers)
        {
            Servers.Add(server);
        }

        return server;
    }

    public async Task StopServingAsync(ModelServer<FlightRow, FlightScore> server)
    {
        lock (Servers)
        {
            Servers.Remove(server);
        }

        await server.DisposeAsync();
    }

    /// <summary>Serves <paramref name="requests"/> February flights; each answer's outcome is right unless it came from the challenger and <paramref name="challengerWrong"/>.</summary>
    public static void Traffic(ModelServer<FlightRow, FlightScore> server, int requests, bool challengerWrong)
    {
        var rows = FebruaryFlights.Value;
        for (var i = 0; i < requests; i++)
        {
            var prediction = server.Predict(rows[i % rows.Count], $"passenger-{i}");
            server.RecordOutcome(prediction.Id, !(challengerWrong && prediction.FromChallenger));
        }
    }

    private static readonly Lazy<List<FlightRow>> FebruaryFlights = new(() =>
    {
        var flights = CsvDataSource.FromFile(FlightDelays.DataFile, FlightDelays.Schema()).Between(new DateTime(2001, 2, 1), new DateTime(2001, 2, 3));
        var data = flights.LoadAsync(new RetrainingContext("flight-delays", "traffic", TimeProvider.System)).AsTask().GetAwaiter().GetResult();
        return [.. new Microsoft.ML.MLContext(0).Data.CreateEnumerable<FlightRow>(data.Data, reuseRowObject: false)];
    });

    public async Task DisposeAsync()
    {
        Monitor.Dispose();
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>A run held in training until released.</summary>
    public sealed record HeldRun(Task<RetrainingRunResult> Result, TaskCompletionSource Gate)
    {
        public void Release() => Gate.TrySetResult();
    }

    private sealed class HeldTrainer(ITrainer inner, Task release, string message) : DelegatingTrainer(inner)
    {
        public override async ValueTask<TrainedModel> TrainAsync(DatasetSnapshot training, RetrainingContext context, CancellationToken cancellationToken = default)
        {
            context.ReportProgress(RetrainingStage.Training, 0.01, message);
            await release.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
            return await base.TrainAsync(training, context, cancellationToken);
        }
    }

    /// <summary>Signs a request in as <c>X-Test-User</c> with the roles of <c>X-Test-Roles</c>; a request without them is anonymous.</summary>
    private sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Request.Headers["X-Test-User"].FirstOrDefault() is not { Length: > 0 } user)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var claims = new List<Claim> { new(ClaimTypes.Name, user) };
            claims.AddRange((Request.Headers["X-Test-Roles"].FirstOrDefault() ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => new Claim(ClaimTypes.Role, r)));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, "Test")), "Test")));
        }
    }
}
