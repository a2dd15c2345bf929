using Microsoft.Extensions.Hosting;

namespace ModelRetraining.PostgreSql;

/// <summary>Opens the PostgreSQL registry when the host starts (migrating it, with bounded retries), so a wrong connection string stops the host with its cause instead of failing the first run.</summary>
internal sealed class PostgreSqlRegistryInitializer(PostgreSqlModelRegistry registry) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => registry.InitializeWithRetriesAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
