// Usage: ModelRetraining.RegistryWorker <registry-folder | pg:<schema>> <model> <versions> <worker-name>
// (with pg:, the connection string comes from MR_WORKER_POSTGRES, kept off the command line for its password)
// Registers <versions> versions and, after each, tries to move "champion" from the version it last read to
// the new one. Prints "registered=<n> promoted=<n> conflicts=<n>" and exits 0.
using System.Text;
using ModelRetraining;
using ModelRetraining.PostgreSql;

var registry = args[0].StartsWith("pg:", StringComparison.Ordinal)
    ? PostgreSqlRegistry.Create(Environment.GetEnvironmentVariable("MR_WORKER_POSTGRES")!, new PostgreSqlRegistryOptions { Schema = args[0][3..] })
    : ModelRegistry.Embedded(args[0]);
var model = args[1];
var count = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
var worker = args[3];
int promoted = 0, conflicts = 0;
for (var i = 0; i < count; i++)
{
    var version = await registry.RegisterVersionAsync(new NewModelVersion(model, new ModelArtifact("test", "model.bin", Encoding.UTF8.GetBytes($"{worker}-{i}")), worker));
    var current = await registry.GetAliasAsync(model, ModelAliases.Champion);
    try
    {
        await registry.SetAliasAsync(new AliasChange(model, ModelAliases.Champion, version.Version, current?.Version, worker, $"{worker} step {i}"));
        promoted++;
    }
    catch (AliasConflictException)
    {
        conflicts++;
    }
}

Console.WriteLine($"registered={count} promoted={promoted} conflicts={conflicts}");
