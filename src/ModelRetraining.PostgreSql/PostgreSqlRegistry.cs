using Microsoft.Extensions.Options;
using Npgsql;

namespace ModelRetraining.PostgreSql;

/// <summary>Creates the PostgreSQL registry.</summary>
public static class PostgreSqlRegistry
{
    /// <summary>Gets the schema version this package writes (older schemas are migrated when opened; newer ones are refused).</summary>
    public static int SchemaVersion => PostgreSqlSchema.Latest;

    /// <summary>
    /// The registry for many nodes: versions, aliases and their history, audit, the run journal and run claims,
    /// approval requests and (unless <see cref="PostgreSqlRegistryOptions.ArtifactStore"/> says otherwise)
    /// artifacts, in one schema of one database. The returned object is also the run journal and approval store
    /// (ask with <c>GetService</c>), tells of alias moves made by any node (<see cref="IAliasMoveSource"/>),
    /// and is <see cref="IAsyncDisposable"/> (it holds a connection pool and, once listened to, a listening connection).
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string; its <c>Search Path</c> is replaced by the schema.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The registry. Nothing is read or written until first use (or the host's start, with <c>UsePostgreSql</c>).</returns>
    /// <exception cref="OptionsValidationException">The options are invalid; every problem is listed.</exception>
    /// <exception cref="ArgumentException">The connection string cannot be parsed.</exception>
    public static IModelRegistry Create(string connectionString, PostgreSqlRegistryOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        options ??= new PostgreSqlRegistryOptions();
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(PostgreSqlRegistryOptions), problems);
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            // The message of a parse failure can quote the string; the string can hold a password.
            throw new ArgumentException($"The PostgreSQL connection string cannot be read: {ex.GetType().Name} at a key it does not know or a value of the wrong form. Use Npgsql's Key=Value; form (Host, Port, Database, Username, Password).", nameof(connectionString));
        }

        return new PostgreSqlModelRegistry(connectionString, options);
    }
}
