using Microsoft.Extensions.Logging;

namespace ModelRetraining.PostgreSql;

/// <summary>Options of the PostgreSQL registry.</summary>
public sealed class PostgreSqlRegistryOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether opening the registry creates its schema when missing and migrates
    /// it when older. Off for read-only tools (<c>mrt</c>): a missing or older schema is refused and nothing is
    /// created or changed.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool MigrateSchema { get; set; } = true;

    /// <summary>Gets or sets the schema that holds the registry's tables; it is created when missing. Several registries can share a database under different schemas.</summary>
    /// <value>The default value is <c>model_retraining</c>. 1–40 characters: lower-case letters, digits and '_', starting with a letter or '_', not with <c>pg_</c>.</value>
    public string Schema { get; set; } = "model_retraining";

    /// <summary>Gets or sets where artifacts are stored; <see langword="null"/> keeps them in the registry's own <c>artifacts</c> table (content-addressed, hash-verified, written in the same transaction as the version), so every node sees them with nothing else to share.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IArtifactStore? ArtifactStore { get; set; }

    /// <summary>Gets or sets the clock that stamps versions, alias moves and audit events (stored to the microsecond).</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets how many times the host's start tries to reach the database before it gives up with the cause (a wrong password or a missing database is not retried).</summary>
    /// <value>The default value is 5.</value>
    public int StartupAttempts { get; set; } = 5;

    /// <summary>Gets or sets the wait after the first failed attempt at start; it doubles after each.</summary>
    /// <value>The default value is 500 milliseconds (so 5 attempts wait 7.5 seconds in all, plus each connection's own timeout).</value>
    public TimeSpan StartupRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets a value indicating whether the registry listens for alias moves made by other processes (PostgreSQL <c>LISTEN/NOTIFY</c>) once something subscribes to <see cref="IAliasMoveSource.AliasMoved"/>.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool ListenForAliasMoves { get; set; } = true;

    /// <summary>Gets or sets how often the listener re-reads every alias even when no notification came (the fallback for a notification lost with a connection), and how long it waits before reconnecting after its connection broke.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan AliasPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets where the registry logs what it cannot throw: a failing alias-move listener, a lost notification connection.</summary>
    /// <value>The default value is <see langword="null"/>: nothing is logged.</value>
    public ILogger? Logger { get; set; }

    /// <summary>Lists every problem with these options, in one pass.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!PostgreSqlSchema.IsValidSchemaName(Schema))
        {
            problems.Add($"{nameof(PostgreSqlRegistryOptions)}.{nameof(Schema)} '{SafeText.Escape(Schema ?? "(null)")}' is not allowed: use 1 to {PostgreSqlSchema.MaxSchemaLength} lower-case letters, digits or '_', starting with a letter or '_' but not 'pg_'.");
        }

        if (TimeProvider is null)
        {
            problems.Add($"{nameof(PostgreSqlRegistryOptions)}.{nameof(TimeProvider)} must not be null.");
        }

        if (StartupAttempts < 1)
        {
            problems.Add($"{nameof(PostgreSqlRegistryOptions)}.{nameof(StartupAttempts)} must be at least 1; it is {StartupAttempts}.");
        }

        if (StartupRetryDelay < TimeSpan.Zero)
        {
            problems.Add($"{nameof(PostgreSqlRegistryOptions)}.{nameof(StartupRetryDelay)} must not be negative; it is {StartupRetryDelay}.");
        }

        if (AliasPollInterval <= TimeSpan.Zero)
        {
            problems.Add($"{nameof(PostgreSqlRegistryOptions)}.{nameof(AliasPollInterval)} must be positive; it is {AliasPollInterval}.");
        }

        return problems;
    }
}
