using ModelRetraining;

namespace Extending;

// <snippet:extending-promotion-gate>
/// <summary>Rejects promotions inside change-freeze windows (a holiday sale, a quarter close); every other run passes this gate.</summary>
public sealed class ChangeFreezeGate(IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> freezes) : IPromotionGate
{
    public string Name => "change-freeze";

    public object? GetService(Type serviceType) => serviceType.IsInstanceOfType(this) ? this : null;

    public ValueTask<PromotionDecision> DecideAsync(EvaluationReport report, RetrainingContext context, CancellationToken cancellationToken = default)
    {
        var now = context.TimeProvider.GetUtcNow();
        var freeze = freezes.FirstOrDefault(f => now >= f.From && now < f.To);
        var frozen = freeze != default;
        var criterion = new GateCriterionResult(
            Name,
            null,
            !frozen,
            frozen ? $"{now:u} is inside the change freeze {freeze.From:u} .. {freeze.To:u}: no promotion." : $"{now:u} is outside every change freeze.");
        return ValueTask.FromResult(new PromotionDecision(frozen ? PromotionOutcome.Rejected : PromotionOutcome.Approved, [criterion]));
    }
}
// </snippet:extending-promotion-gate>
