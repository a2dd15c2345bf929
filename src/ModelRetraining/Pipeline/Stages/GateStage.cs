namespace ModelRetraining;

/// <summary>Asks every promotion gate; all must approve, any rejection rejects, otherwise a pending one waits for a person.</summary>
internal sealed class GateStage(PipelineDefinition definition, RunRecorder recorder) : IRunStage
{
    public RetrainingStage Stage => RetrainingStage.Gating;

    public bool AppliesTo(RunState run) => true;

    public string Describe(RunState run) => $"{definition.Gates.Count} gates";

    public async ValueTask<StageOutcome> RunAsync(RunState run, CancellationToken cancellationToken)
    {
        var decisions = new List<PromotionDecision>();
        foreach (var gate in definition.Gates)
        {
            decisions.Add(await gate.DecideAsync(run.Evaluation!, run.Context, cancellationToken).ConfigureAwait(false));
        }

        var decision = Combine(decisions);
        run.Decision = decision;
        var outcome = StageOutcome.Completed($"candidate sha256:{run.CandidateHash}", decision);

        // A rejected candidate is still registered (for the record) unless that is turned off.
        return decision.Outcome == PromotionOutcome.Rejected && !definition.Options.RegisterRejectedCandidates
            ? outcome with { End = recorder.Rejected(run, decision.Reasons) }
            : outcome;
    }

    private static PromotionDecision Combine(List<PromotionDecision> decisions)
    {
        if (decisions.Count == 1)
        {
            return decisions[0];
        }

        var outcome = decisions.Any(d => d.Outcome == PromotionOutcome.Rejected)
            ? PromotionOutcome.Rejected
            : decisions.Any(d => d.Outcome == PromotionOutcome.PendingApproval) ? PromotionOutcome.PendingApproval : PromotionOutcome.Approved;
        return new PromotionDecision(outcome, decisions.SelectMany(d => d.Criteria).ToArray())
        {
            NoBaseline = decisions.Any(d => d.NoBaseline),
            FirstRunPolicy = string.Join(", ", decisions.Select(d => d.FirstRunPolicy).Where(p => p is not null).Distinct()) is { Length: > 0 } policies ? policies : null,
        };
    }
}
