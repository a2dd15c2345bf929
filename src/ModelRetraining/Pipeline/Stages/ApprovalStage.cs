namespace ModelRetraining;

/// <summary>
/// A gate left the decision to people: opens the approval request for the registered version (once, also
/// when resumed) and ends the run as awaiting approval; no thread waits. Approving to quorum promotes
/// later, through <see cref="ApprovalGateway"/>.
/// </summary>
internal sealed class ApprovalStage(PipelineDefinition definition) : IRunStage
{
    public RetrainingStage Stage => RetrainingStage.AwaitingApproval;

    public bool AppliesTo(RunState run) => run.Decision?.Outcome == PromotionOutcome.PendingApproval;

    public string Describe(RunState run) => $"asking for {definition.ApprovalPolicy.Quorum} approver(s) of v{run.Registered!.Version}";

    public async ValueTask<StageOutcome> RunAsync(RunState run, CancellationToken cancellationToken)
    {
        var approvals = definition.Approvals
            ?? throw new InvalidOperationException($"A gate of '{definition.ModelName}' asks for human approval, but the pipeline has no approval store: call UseApprovalStore(...) or use a registry that keeps approvals (the embedded one does).");
        var registered = run.Registered!;
        var policy = definition.ApprovalPolicy;

        // The approvers see whether the way back works (the promotion their votes make does not rescore). Checked
        // before the request opens, so a run that fails or is cancelled here leaves no request to vote on.
        var readiness = run.Champion is { } champion && definition.Options.VerifyRollbackReadiness
            ? await ReadinessAsync(champion, run, cancellationToken).ConfigureAwait(false)
            : null;
        var now = definition.TimeProvider.GetUtcNow();
        if (await approvals.GetAsync(run.RunId, cancellationToken).ConfigureAwait(false) is null)
        {
            await ApprovalGateway.OpenAsync(
                definition.Registry,
                approvals,
                new ApprovalRequest(run.RunId, definition.ModelName, registered.Version, run.Champion?.Version, run.Actor, now)
                {
                    Quorum = policy.Quorum,
                    Deadline = policy.Deadline is { } wait ? now + wait : null,
                    EscalateOnExpiry = policy.EscalateOnExpiry,
                    FourEyes = policy.FourEyes,
                },
                cancellationToken).ConfigureAwait(false);
        }

        Log.AwaitingApproval(definition.Logger, run.RunId, definition.ModelName, registered.Version);
        var result = run.End(RetrainingRunStatus.AwaitingApproval, definition.TimeProvider) with
        {
            Reasons = [.. run.Decision!.Criteria.Where(c => c.Criterion is "first run" or "human approval").Select(c => c.Explanation), $"Approval request '{run.RunId}' waits for {policy.Quorum} approver(s)."],
        };
        var rollback = readiness is null ? null : new { target = readiness.Target, verified = readiness.ArtifactVerified, rescored = readiness.RescoredRows, problem = readiness.Problem };
        return new StageOutcome(RunJournalStatus.AwaitingApproval, $"v{registered.Version}", new { version = registered.Version, rollback }) { End = result };
    }

    // Whatever the check meets (a store that cannot be reached, a scorer that throws) is what the approvers read,
    // not a failed run; only a cancellation ends the run.
    private async ValueTask<RollbackReadiness> ReadinessAsync(ModelVersion champion, RunState run, CancellationToken cancellationToken)
    {
        try
        {
            return await RollbackReadiness.CheckAsync(definition, champion, run, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            return new RollbackReadiness(champion.Version, ArtifactVerified: false, RescoredRows: 0, $"{champion} could not be checked: {ex.GetType().Name}: {ex.Message}");
        }
    }
}
