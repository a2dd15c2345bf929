using System.Text.Json;

namespace ModelRetraining.Cli;

/// <summary>
/// Which registry a command reads: <c>--registry</c>, else <c>MRT_REGISTRY</c>, else <c>mrt.json</c> in the
/// current folder (<c>{"registry": "models"}</c>), in that order. A folder that holds no registry is
/// refused (exit 4) and never created: a typo must not leave an empty registry behind.
/// </summary>
internal static class RegistryLocation
{
    public const string EnvironmentVariable = "MRT_REGISTRY";

    public const string ConfigFile = "mrt.json";

    public static IModelRegistry Open(CliArguments args)
    {
        var (folder, from) = Find(args);
        var full = Path.GetFullPath(folder);
        if (!File.Exists(Path.Combine(full, "registry.db")))
        {
            throw new CliException(ExitCodes.NotFound, $"No registry at '{full}' (from {from}): the folder {(Directory.Exists(full) ? "has no registry.db" : "does not exist")}. Nothing was created.");
        }

        return ModelRegistry.Embedded(full);
    }

    private static (string Folder, string From) Find(CliArguments args)
    {
        if (args.Option("registry") is { Length: > 0 } option)
        {
            return (option, "--registry");
        }

        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } variable)
        {
            return (variable, EnvironmentVariable);
        }

        var config = Path.Combine(Environment.CurrentDirectory, ConfigFile);
        if (File.Exists(config))
        {
            try
            {
                using var json = JsonDocument.Parse(File.ReadAllText(config));
                if (json.RootElement.TryGetProperty("registry", out var registry) && registry.GetString() is { Length: > 0 } path)
                {
                    // Relative to the config file, as the file is where the operator keeps it.
                    return (Path.Combine(Path.GetDirectoryName(config)!, path), config);
                }
            }
            catch (JsonException ex)
            {
                throw new CliException(ExitCodes.Usage, $"'{config}' is not valid JSON ({ex.Message}); it should be {{\"registry\": \"<folder>\"}}.");
            }

            throw new CliException(ExitCodes.Usage, $"'{config}' has no \"registry\" string; it should be {{\"registry\": \"<folder>\"}}.");
        }

        throw new CliException(ExitCodes.Usage, $"No registry given: pass --registry <folder>, set {EnvironmentVariable}, or put {ConfigFile} with {{\"registry\": \"<folder>\"}} in the current folder.");
    }
}
