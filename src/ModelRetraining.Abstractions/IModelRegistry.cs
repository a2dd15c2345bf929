namespace ModelRetraining;

/// <summary>
/// Keeps every model version with its lineage, named aliases with their full history, tags, attachments
/// and an audit event for every change. Alias moves are optimistic: they name the version they expect to
/// replace. The run journal (<see cref="IRunJournal"/>) and the approval requests (<see cref="IApprovalStore"/>)
/// are contracts of their own; a backend that keeps them too answers for them through
/// <see cref="ICapabilityProvider.GetService"/>, and the pipeline takes them from there unless told otherwise.
/// </summary>
public interface IModelRegistry : ICapabilityProvider
{
    /// <summary>Lists the models that have at least one version, by name (ordinal order).</summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The model names.</returns>
    IAsyncEnumerable<string> ListModelsAsync(CancellationToken cancellationToken = default);

    /// <summary>Lists the aliases of a model that point at a version, by alias (ordinal order).</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>Each alias with the version it points at.</returns>
    IAsyncEnumerable<AliasAssignment> ListAliasesAsync(string modelName, CancellationToken cancellationToken = default);

    /// <summary>Registers a new version, numbered one past the model's highest so far.</summary>
    /// <param name="version">The version to register.</param>
    /// <param name="cancellationToken">Cancels the registration.</param>
    /// <returns>The registered version.</returns>
    ValueTask<ModelVersion> RegisterVersionAsync(NewModelVersion version, CancellationToken cancellationToken = default);

    /// <summary>Reads one version.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The version number.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The version, or <see langword="null"/> when there is none.</returns>
    ValueTask<ModelVersion?> GetVersionAsync(string modelName, int version, CancellationToken cancellationToken = default);

    /// <summary>Lists a model's versions, oldest first.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The versions.</returns>
    IAsyncEnumerable<ModelVersion> ListVersionsAsync(string modelName, CancellationToken cancellationToken = default);

    /// <summary>Reads the version an alias points at.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="alias">The alias.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The version, or <see langword="null"/> when the alias is not set.</returns>
    ValueTask<ModelVersion?> GetAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default);

    /// <summary>Moves an alias if it still points at the expected version.</summary>
    /// <param name="change">The move.</param>
    /// <param name="cancellationToken">Cancels the move.</param>
    /// <returns>The history entry written.</returns>
    /// <exception cref="AliasConflictException">The alias no longer points at the expected version.</exception>
    ValueTask<AliasHistoryEntry> SetAliasAsync(AliasChange change, CancellationToken cancellationToken = default);

    /// <summary>Moves an alias back to the version it pointed at before its last move, and records why.</summary>
    /// <param name="request">The rollback.</param>
    /// <param name="cancellationToken">Cancels the rollback.</param>
    /// <returns>The history entry written.</returns>
    /// <exception cref="InvalidOperationException">The alias has no earlier version to go back to.</exception>
    ValueTask<AliasHistoryEntry> RollbackAsync(RollbackRequest request, CancellationToken cancellationToken = default);

    /// <summary>Lists every move of an alias, oldest first.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="alias">The alias.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The moves.</returns>
    IAsyncEnumerable<AliasHistoryEntry> GetAliasHistoryAsync(string modelName, string alias, CancellationToken cancellationToken = default);

    /// <summary>Lists every change to a model, oldest first.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The audit events.</returns>
    IAsyncEnumerable<AuditEvent> GetAuditEventsAsync(string modelName, CancellationToken cancellationToken = default);

    /// <summary>Sets a tag on a version.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The version.</param>
    /// <param name="key">The tag key.</param>
    /// <param name="value">The tag value.</param>
    /// <param name="actor">Who sets it.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the tag is stored.</returns>
    ValueTask SetTagAsync(string modelName, int version, string key, string value, string actor, CancellationToken cancellationToken = default);

    /// <summary>Reads a version's artifact, verified against its hash.</summary>
    /// <param name="version">The version.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The artifact.</returns>
    /// <exception cref="ArtifactIntegrityException">The artifact is missing or its bytes changed.</exception>
    ValueTask<ModelArtifact> ReadArtifactAsync(ModelVersion version, CancellationToken cancellationToken = default);

    /// <summary>Reads one of a version's attachments, verified against its hash.</summary>
    /// <param name="version">The version.</param>
    /// <param name="name">The attachment's name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The attachment's content.</returns>
    /// <exception cref="KeyNotFoundException">The version has no attachment of that name.</exception>
    /// <exception cref="ArtifactIntegrityException">The bytes are missing or changed.</exception>
    ValueTask<ModelArtifact> ReadAttachmentAsync(ModelVersion version, string name, CancellationToken cancellationToken = default);
}
