namespace ModelRetraining;

/// <summary>
/// The checks and rules every registry backend applies the same way (embedded SQLite, in-memory,
/// PostgreSQL, a third party's), so that backends keep only storage: argument and name checks with the
/// messages users see, the rollback-target rule and the registry's error messages.
/// </summary>
public static class RegistryRules
{
    /// <summary>The longest reason a run request may carry.</summary>
    public const int MaxRequestReasonLength = 2000;

    /// <summary>Refuses a model name that <see cref="RegistryNames"/> does not accept.</summary>
    /// <param name="modelName">The name.</param>
    /// <exception cref="ArgumentException">The name is missing or not allowed; the message says why.</exception>
    public static void ThrowIfInvalidModelName(string? modelName)
        => RegistryNames.ThrowIfInvalid(modelName, "model name", nameof(modelName));

    /// <summary>Refuses a new version with an invalid model name, no actor, or a tag key or attachment name that is not allowed.</summary>
    /// <param name="version">The version to register.</param>
    /// <exception cref="ArgumentException">Something is not allowed; the message names it.</exception>
    public static void Validate(NewModelVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        RegistryNames.ThrowIfInvalid(version.ModelName, "model name", nameof(version));
        SafeText.ThrowIfInvalidIdentity(version.Actor, "actor", nameof(version));
        foreach (var key in version.Tags.Keys)
        {
            RegistryNames.ThrowIfInvalid(key, "tag key", nameof(version));
        }

        foreach (var key in version.Attachments.Keys)
        {
            RegistryNames.ThrowIfInvalid(key, "attachment name", nameof(version));
        }
    }

    /// <summary>Refuses an alias move with an invalid model name or alias, or no actor.</summary>
    /// <param name="change">The move.</param>
    /// <exception cref="ArgumentException">Something is not allowed; the message names it.</exception>
    public static void Validate(AliasChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        RegistryNames.ThrowIfInvalid(change.ModelName, "model name", nameof(change));
        RegistryNames.ThrowIfInvalid(change.Alias, "alias", nameof(change));
        SafeText.ThrowIfInvalidIdentity(change.Actor, "actor", nameof(change));
    }

    /// <summary>Refuses a rollback with an invalid model name or alias, or no actor.</summary>
    /// <param name="request">The rollback.</param>
    /// <exception cref="ArgumentException">Something is not allowed; the message names it.</exception>
    public static void Validate(RollbackRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RegistryNames.ThrowIfInvalid(request.ModelName, "model name", nameof(request));
        RegistryNames.ThrowIfInvalid(request.Alias, "alias", nameof(request));
        SafeText.ThrowIfInvalidIdentity(request.Actor, "actor", nameof(request));
    }

    /// <summary>Refuses a run request with an invalid run id or model name, no actor, or no reason.</summary>
    /// <param name="request">The request.</param>
    /// <exception cref="ArgumentException">Something is not allowed; the message names it.</exception>
    public static void Validate(RunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RegistryNames.ThrowIfInvalid(request.RunId, "run id", nameof(request));
        RegistryNames.ThrowIfInvalid(request.ModelName, "model name", nameof(request));
        SafeText.ThrowIfInvalidIdentity(request.Actor, "actor", nameof(request));
        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > MaxRequestReasonLength)
        {
            throw new ArgumentException($"A request to {request.Kind.ToString().ToLowerInvariant()} run '{request.RunId}' needs a reason of 1 to {MaxRequestReasonLength} characters: it is audited and shown with the run.", nameof(request));
        }

        if (!Enum.IsDefined(request.Kind))
        {
            throw new ArgumentException($"Unknown run request kind {(int)request.Kind}.", nameof(request));
        }
    }

    /// <summary>The audit event of a filed run request (subject: the run id).</summary>
    /// <param name="request">The request.</param>
    /// <returns>The event.</returns>
    public static AuditEvent RequestAudit(RunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new AuditEvent(request.ModelName, request.Kind == RunRequestKind.Cancel ? AuditActions.RunCancelRequested : AuditActions.RunResumeRequested, request.RunId, request.Actor, request.At) { Reason = request.Reason };
    }

    /// <summary>The audit event of a closed run request (subject: the run id; <see cref="AuditEvent.To"/>: what the host did).</summary>
    /// <param name="request">The request as closed.</param>
    /// <returns>The event.</returns>
    public static AuditEvent RequestClosedAudit(RunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new AuditEvent(request.ModelName, AuditActions.RunRequestClosed, request.RunId, "host", request.ClosedAt ?? request.At)
        {
            From = request.Kind.ToString().ToLowerInvariant(),
            To = request.Outcome,
        };
    }

    /// <summary>Refuses a tag with an invalid model name or key, no value or no actor.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="key">The tag key.</param>
    /// <param name="value">The tag value.</param>
    /// <param name="actor">Who sets it.</param>
    /// <exception cref="ArgumentException">Something is not allowed; the message names it.</exception>
    public static void ValidateTag(string modelName, string key, string value, string actor)
    {
        RegistryNames.ThrowIfInvalid(modelName, "model name", nameof(modelName));
        RegistryNames.ThrowIfInvalid(key, "tag key", nameof(key));
        ArgumentNullException.ThrowIfNull(value);
        SafeText.ThrowIfInvalidIdentity(actor, "actor", nameof(actor));
    }

    /// <summary>
    /// The rollback rule: an alias goes back to the version it pointed at before its last move (the
    /// <see cref="AliasHistoryEntry.FromVersion"/> of its latest history entry). A rollback is itself a move,
    /// so rolling back twice returns to where the first rollback started.
    /// </summary>
    /// <param name="modelName">The model.</param>
    /// <param name="alias">The alias.</param>
    /// <param name="current">The version the alias points at now.</param>
    /// <param name="previousOfLatestMove">The version the alias pointed at before its latest move.</param>
    /// <returns>The version to move the alias to.</returns>
    /// <exception cref="InvalidOperationException">The alias is not set, or it has no earlier version.</exception>
    public static int RollbackTarget(string modelName, string alias, int? current, int? previousOfLatestMove)
        => current is not null && previousOfLatestMove is { } target
            ? target
            : throw new InvalidOperationException($"Alias '{alias}' of model '{modelName}' has no earlier version to roll back to (it points at {(current is { } c ? "v" + c : "no version")}).");

    /// <summary>Applies the rollback rules inside a backend's write: the alias must still point at the version the request expects, and the target must be the one that was verified.</summary>
    /// <param name="request">The rollback.</param>
    /// <param name="current">The version the alias points at now.</param>
    /// <param name="previousOfLatestMove">The version the alias pointed at before its latest move.</param>
    /// <param name="verifiedTarget">The target <see cref="VerifyRollbackTargetAsync"/> checked, or <see langword="null"/> when the request is forced.</param>
    /// <returns>The version to move the alias to.</returns>
    /// <exception cref="AliasConflictException">The alias moved since the request was made.</exception>
    /// <exception cref="InvalidOperationException">The alias has no earlier version.</exception>
    public static int RollbackTarget(RollbackRequest request, int? current, int? previousOfLatestMove, int? verifiedTarget)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (current != request.ExpectedCurrentVersion)
        {
            throw new AliasConflictException(request.ModelName, request.Alias, request.ExpectedCurrentVersion, current);
        }

        var target = RollbackTarget(request.ModelName, request.Alias, current, previousOfLatestMove);
        return verifiedTarget is { } verified && verified != target
            ? throw new AliasConflictException($"Alias '{request.Alias}' of model '{request.ModelName}' was moved while its rollback target v{verified} was being verified (the target is now v{target}); nothing was changed. Read the alias again and retry.")
            : target;
    }

    /// <summary>
    /// Verifies a rollback's target before a backend moves the alias: the alias points at the expected
    /// version, it has an earlier one, and that version's artifact and attachments read back with their
    /// hashes. Shared by every backend so they refuse the same rollbacks with the same messages.
    /// </summary>
    /// <param name="registry">The registry (its reads verify hashes).</param>
    /// <param name="request">The rollback.</param>
    /// <param name="previousOfLatestMove">The version the alias pointed at before its latest move.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The verified target, or <see langword="null"/> when the request is forced (nothing is read).</returns>
    /// <exception cref="AliasConflictException">The alias does not point at the expected version.</exception>
    /// <exception cref="InvalidOperationException">There is no earlier version, or its artifact cannot be read intact; nothing was changed.</exception>
    public static async ValueTask<int?> VerifyRollbackTargetAsync(IModelRegistry registry, RollbackRequest request, int? previousOfLatestMove, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(request);
        var current = await registry.GetAliasAsync(request.ModelName, request.Alias, cancellationToken).ConfigureAwait(false);
        var target = RollbackTarget(request, current?.Version, previousOfLatestMove, null);
        if (request.Force)
        {
            return null;
        }

        var version = await registry.GetVersionAsync(request.ModelName, target, cancellationToken).ConfigureAwait(false)
            ?? throw NoSuchVersion(request.ModelName, target);
        try
        {
            await registry.ReadArtifactAsync(version, cancellationToken).ConfigureAwait(false);
            foreach (var attachment in version.Attachments)
            {
                await registry.ReadAttachmentAsync(version, attachment.Name, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is ArtifactIntegrityException or ModelRegistryException or IOException)
        {
            throw new InvalidOperationException(
                $"Rollback of alias '{request.Alias}' of model '{request.ModelName}' from v{request.ExpectedCurrentVersion} to v{target} is refused: v{target} cannot be read intact ({ex.Message}). Nothing was changed. Set Force to move the alias anyway (recorded as a forced rollback).",
                ex);
        }

        return target;
    }

    /// <summary>The audit reason of a rollback: a forced one says so.</summary>
    /// <param name="request">The rollback.</param>
    /// <returns>The reason as recorded.</returns>
    public static string RollbackReason(RollbackRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Force ? $"forced (target not verified): {request.Reason}" : request.Reason;
    }

    /// <summary>The error when an alias is moved to a version the model does not have.</summary>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The version asked for.</param>
    /// <returns>The exception to throw.</returns>
    public static InvalidOperationException NoSuchVersion(string modelName, int version)
        => new($"Model '{modelName}' has no version {version}.");

    /// <summary>The error when a version has no attachment of a name.</summary>
    /// <param name="version">The version.</param>
    /// <param name="name">The attachment asked for.</param>
    /// <returns>The exception to throw.</returns>
    public static KeyNotFoundException NoSuchAttachment(ModelVersion version, string name)
    {
        ArgumentNullException.ThrowIfNull(version);
        return new($"{version} has no attachment named '{name}' (it has: {AttachmentList(version)}).");
    }

    /// <summary>Reads a version's artifact from the store a backend keeps it in (hash-verified by the store), named and typed as the version says.</summary>
    /// <param name="store">The backend's artifact store.</param>
    /// <param name="version">The version.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The artifact.</returns>
    /// <exception cref="ArtifactIntegrityException">The bytes are missing or changed.</exception>
    public static async ValueTask<ModelArtifact> ReadArtifactAsync(IArtifactStore store, ModelVersion version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(version);
        var bytes = await store.GetAsync(version.Artifact, cancellationToken).ConfigureAwait(false);
        return new ModelArtifact(version.Flavor, version.ArtifactFileName, bytes);
    }

    /// <summary>Reads one of a version's attachments from the store a backend keeps it in (hash-verified by the store).</summary>
    /// <param name="store">The backend's artifact store.</param>
    /// <param name="version">The version.</param>
    /// <param name="name">The attachment's name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The attachment's content.</returns>
    /// <exception cref="KeyNotFoundException">The version has no attachment of that name (<see cref="NoSuchAttachment"/>).</exception>
    /// <exception cref="ArtifactIntegrityException">The bytes are missing or changed.</exception>
    public static async ValueTask<ModelArtifact> ReadAttachmentAsync(IArtifactStore store, ModelVersion version, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(version);
        var attachment = version.Attachments.FirstOrDefault(a => a.Name == name) ?? throw NoSuchAttachment(version, name);
        var bytes = await store.GetAsync(attachment.Artifact, cancellationToken).ConfigureAwait(false);
        return new ModelArtifact(attachment.Flavor, attachment.FileName, bytes);
    }

    /// <summary>Names a version's attachments for a message: <c>profile.json, model.onnx</c>, or <c>none</c>.</summary>
    /// <param name="version">The version.</param>
    /// <returns>The names, comma-separated.</returns>
    public static string AttachmentList(ModelVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return version.Attachments.Count == 0 ? "none" : string.Join(", ", version.Attachments.Select(a => a.Name));
    }

    /// <summary>The error when an approval request changed since it was read (another approver was first).</summary>
    /// <param name="id">The request.</param>
    /// <param name="expectedRevision">The revision the caller read.</param>
    /// <returns>The exception to throw.</returns>
    public static ModelRegistryException ApprovalChanged(string id, long expectedRevision)
        => new($"Approval request '{id}' changed since revision {expectedRevision} (or does not exist); read it again.");

    /// <summary>The error when an approval request of the same id exists.</summary>
    /// <param name="id">The request.</param>
    /// <returns>The exception to throw.</returns>
    public static InvalidOperationException ApprovalExists(string id)
        => new($"An approval request '{id}' already exists.");
}
