using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using ModelRetraining.Testing;

namespace ModelRetraining.Hosting.Tests;

/// <summary>The registry and staleness checks, resolved through the host's own health check service.</summary>
public sealed class HealthCheckTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-health", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static HealthCheckService Health(Action<IServiceCollection> registry, Action<IHealthChecksBuilder> checks)
    {
        var services = new ServiceCollection().AddLogging();
        registry(services);
        checks(services.AddHealthChecks());
        return services.BuildServiceProvider().GetRequiredService<HealthCheckService>();
    }

    [Fact]
    public async Task TheRegistryCheck_IsHealthyForAnEmbeddedRegistry_AndUnhealthyWithItsErrorWhenItDoesNotAnswer()
    {
        var healthy = await Health(s => s.AddModelRetraining().UseEmbeddedRegistry(_folder), c => c.AddModelRetrainingRegistry()).CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, healthy.Status);

        var broken = await Health(s => s.AddSingleton<IModelRegistry>(new Unreachable(new InMemoryModelRegistry())), c => c.AddModelRetrainingRegistry()).CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, broken.Status);
        Assert.Contains("connection refused", broken.Entries["modelretraining-registry"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheStalenessCheck_IsDegradedOnceTheChampionIsOlderThanAllowed_OrWhenThereIsNone()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var registry = new InMemoryModelRegistry(time);
        var health = Health(s => s.AddSingleton<IModelRegistry>(registry), c => c.AddModelStaleness("delays", TimeSpan.FromDays(30), time));

        var none = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Degraded, none.Status);
        Assert.Contains("no champion", none.Entries.Single().Value.Description, StringComparison.Ordinal);

        await registry.RegisterVersionAsync(new NewModelVersion("delays", new ModelArtifact("mlnet", "model.zip", new byte[] { 1 }), "tests"));
        await registry.SetAliasAsync(new AliasChange("delays", ModelAliases.Champion, 1, null, "tests", "first"));
        time.Advance(TimeSpan.FromDays(10));
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);

        time.Advance(TimeSpan.FromDays(25));
        var stale = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Degraded, stale.Status);
        Assert.Contains("v1 has been champion for 35 days (at most 30 allowed)", stale.Entries.Single().Value.Description, StringComparison.Ordinal);
    }

    private sealed class Unreachable(IModelRegistry inner) : DelegatingModelRegistry(inner)
    {
        public override IAsyncEnumerable<string> ListModelsAsync(CancellationToken cancellationToken = default) => throw new ModelRegistryException("connection refused (127.0.0.1:5432)");
    }
}
