namespace ModelRetraining;

/// <summary>Options of the embedded registry (SQLite metadata and a local artifact folder).</summary>
public sealed class EmbeddedRegistryOptions
{
    /// <summary>Gets or sets the clock that stamps versions, alias moves and audit events.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets where artifacts are stored; <see langword="null"/> keeps them in the registry folder's <c>artifacts/</c> (content-addressed, hash-verified).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IArtifactStore? ArtifactStore { get; set; }

    /// <summary>Gets or sets how long a write waits for another process's write to finish before it fails.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets where the registry logs what it cannot throw: a failing alias-move listener, partial files it cleaned up.</summary>
    /// <value>The default value is <see langword="null"/>: nothing is logged.</value>
    public Microsoft.Extensions.Logging.ILogger? Logger { get; set; }
}
