namespace ModelRetraining;

/// <summary>The actions an audit event records (<see cref="AuditEvent.Action"/>), spelled once for every registry backend and every reader (dashboards, CLIs, alerts).</summary>
public static class AuditActions
{
    /// <summary>A model's first version was registered.</summary>
    public const string ModelCreated = "model.created";

    /// <summary>A version was registered.</summary>
    public const string VersionRegistered = "version.registered";

    /// <summary>A tag was set on a version.</summary>
    public const string TagSet = "tag.set";

    /// <summary>An alias was moved (a promotion, an operator's move).</summary>
    public const string AliasMoved = "alias.moved";

    /// <summary>An alias was moved back to the version it pointed at before its last move.</summary>
    public const string AliasRolledBack = "alias.rollback";

    /// <summary>An operator asked for a run to be cancelled (the subject is the run id).</summary>
    public const string RunCancelRequested = "run.cancel-requested";

    /// <summary>An operator asked for a run to be resumed (the subject is the run id).</summary>
    public const string RunResumeRequested = "run.resume-requested";

    /// <summary>A host acted on a request about a run (the subject is the run id; To says what it did).</summary>
    public const string RunRequestClosed = "run.request-closed";
}
