namespace ModelRetraining;

/// <summary>Creates the built-in registries.</summary>
public static class ModelRegistry
{
    /// <summary>Gets the schema version of the embedded registry's database that this package writes (older ones are migrated when opened); a tool that only reads can refuse other versions instead of migrating them.</summary>
    public static int EmbeddedSchemaVersion => SqliteSchema.Latest;

    /// <summary>
    /// The embedded registry: SQLite metadata (<c>registry.db</c>, WAL) and content-addressed artifacts
    /// (<c>artifacts/</c>) in one folder, created on first use. Safe for many threads and processes on one machine.
    /// </summary>
    /// <param name="folder">The folder; relative paths are taken from the current directory.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The registry. Nothing is read or written until first use.</returns>
    public static IModelRegistry Embedded(string folder, EmbeddedRegistryOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        options ??= new EmbeddedRegistryOptions();
        if (options.BusyTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(EmbeddedRegistryOptions)}.{nameof(EmbeddedRegistryOptions.BusyTimeout)} must be positive; it is {options.BusyTimeout}.", nameof(options));
        }

        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options));
        return new SqliteModelRegistry(folder, options);
    }

    /// <summary>A content-addressed artifact store in a local folder (temp file, flush, rename; SHA-256 verified on every read).</summary>
    /// <param name="folder">The folder.</param>
    /// <returns>The store.</returns>
    public static IArtifactStore LocalArtifactStore(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        return new LocalArtifactStore(folder);
    }
}
