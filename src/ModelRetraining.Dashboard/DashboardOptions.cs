namespace ModelRetraining.Dashboard;

/// <summary>What the dashboard reads and who may do what on it. Every permission is checked on the server; actions a user may not take are not shown.</summary>
public sealed class DashboardOptions
{
    /// <summary>Gets or sets the registry the pages read (its run journal and approval store come with it); the host's <see cref="IModelRegistry"/> service when <see langword="null"/>.</summary>
    public IModelRegistry? Registry { get; set; }

    /// <summary>
    /// Gets or sets the authorization policy a user needs to see any page, the live stream or an asset
    /// (the host's authorization: a signed-out user is challenged). While it is <see langword="null"/> the dashboard serves local requests only (from a loopback
    /// address with a <c>Host</c> of localhost or a loopback address; any other is 403), so a dashboard mapped with no configuration is never open to the network.
    /// </summary>
    public string? ViewPolicy { get; set; }

    /// <summary>Gets or sets the policy a user needs to approve or reject a pending promotion; any signed-in user when <see langword="null"/>. The gateway's own rules (quorum, four-eyes, expiry) hold on top of it.</summary>
    public string? ApprovePolicy { get; set; }

    /// <summary>Gets or sets the policy a user needs to roll a champion back, and to promote, pause, resume or abort a rollout; nobody may when <see langword="null"/> (acting from a page is opt-in).</summary>
    public string? RollbackPolicy { get; set; }

    /// <summary>Gets or sets the monitor whose runs the run pages show live (progress, resources); the host's <see cref="RunMonitor"/> service when <see langword="null"/> (<c>services.AddModelRetraining()</c> registers one).</summary>
    public RunMonitor? Monitor { get; set; }

    /// <summary>Gets or sets how long a run's claim holds without renewal, as the pipelines' <see cref="RetrainingPipelineOptions.RunLease"/>: an unfinished run silent for longer shows as crashed.</summary>
    /// <value>The default value is 60 seconds (the pipelines' default).</value>
    public TimeSpan RunLease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets the thresholds of the anomaly rules the run pages judge; the defaults (as the pipelines') when <see langword="null"/>.</summary>
    public RunAnomalyOptions? Anomalies { get; set; }

    /// <summary>Gets or sets the model servers whose rollouts the rollouts view shows and steers; the host's <c>IRolloutControl</c> services (<c>AddModelServer</c> registers each) when <see langword="null"/>. Promote, pause, resume and abort need <see cref="RollbackPolicy"/>.</summary>
    public IList<ModelRetraining.Serving.IRolloutControl>? RolloutServers { get; set; }

    /// <summary>Gets or sets the clock for deadlines and staleness; <see cref="TimeProvider.System"/> when <see langword="null"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Gets or sets the approval store; the registry's own when <see langword="null"/>. Give the one your pipelines' gateway uses.</summary>
    public IApprovalStore? Approvals { get; set; }

    /// <summary>Gets or sets the gateway's authorization hook (who may vote on which request), as <see cref="ApprovalGateway"/> takes it; everyone the policies let through when <see langword="null"/>.</summary>
    public Func<ApprovalRequest, string, bool>? AuthorizeApproval { get; set; }

    /// <summary>Gets or sets the gateway's identity mapping (an identity to the host's stable principal id), as <see cref="ApprovalGateway"/> takes it, so four-eyes and quorum count people here exactly as in your code; <see cref="ApprovalIdentities.Key"/> when <see langword="null"/>.</summary>
    public Func<ApprovalRequest, string, string?>? ApprovalPrincipalOf { get; set; }

    /// <summary>Gets or sets the longest comment or reason accepted, in characters (longer is refused, 400).</summary>
    /// <value>The default value is 2,000.</value>
    public int MaxCommentLength { get; set; } = 2_000;

    /// <summary>Gets or sets how often the live stream looks for changes (one look serves every open page).</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan ChangePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    internal List<string> Validate()
    {
        var errors = new List<string>();
        if (MaxCommentLength is < 1 or > 100_000)
        {
            errors.Add($"{nameof(MaxCommentLength)} must be between 1 and 100,000; it is {MaxCommentLength}.");
        }

        if (ChangePollInterval < TimeSpan.FromMilliseconds(50))
        {
            errors.Add($"{nameof(ChangePollInterval)} must be at least 50 ms; it is {ChangePollInterval}.");
        }

        if (RunLease < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{nameof(RunLease)} must be at least one second; it is {RunLease}.");
        }

        if (Anomalies is not null)
        {
            errors.AddRange(Anomalies.Validate().Select(e => $"{nameof(Anomalies)}.{e}"));
        }

        return errors;
    }
}
