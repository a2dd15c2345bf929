namespace ModelRetraining;

/// <summary>A gate made of value thresholds and champion comparisons, built by <see cref="PromotionGateBuilder"/>.</summary>
internal sealed class ThresholdPromotionGate(string name, IReadOnlyList<GateCriterion> criteria, FirstRunPolicy firstRunPolicy, bool requireApproval = false) : IPromotionGate, IJudgesMetrics
{
    public string Name => name;

    // Custom criteria are named, not metrics: only the criteria that read a metric are checked at build.
    public IReadOnlyCollection<string> JudgedMetrics { get; } = criteria.Where(c => c is not DelegateCriterion).Select(c => c.Metric).Distinct(StringComparer.Ordinal).ToArray();

    public ValueTask<PromotionDecision> DecideAsync(EvaluationReport report, RetrainingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        cancellationToken.ThrowIfCancellationRequested();
        var results = criteria.Select(c => c.Judge(report, firstRunPolicy)).ToList();
        var noBaseline = report.Champion is null;
        var outcome = results.All(r => r.Passed) ? PromotionOutcome.Approved : PromotionOutcome.Rejected;
        if (noBaseline && firstRunPolicy == FirstRunPolicy.RequireApproval && outcome == PromotionOutcome.Approved)
        {
            results.Add(new GateCriterionResult("first run", null, true, "no baseline: there is no champion yet, and the first-run policy RequireApproval leaves the promotion to a person."));
            outcome = PromotionOutcome.PendingApproval;
        }

        if (requireApproval && outcome == PromotionOutcome.Approved)
        {
            results.Add(new GateCriterionResult("human approval", null, true, "every other criterion passed; the gate requires a person's approval before promotion."));
            outcome = PromotionOutcome.PendingApproval;
        }

        return ValueTask.FromResult(new PromotionDecision(outcome, results)
        {
            NoBaseline = noBaseline,
            FirstRunPolicy = noBaseline ? firstRunPolicy.ToString() : null,
        });
    }
}
