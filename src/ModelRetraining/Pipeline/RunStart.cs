namespace ModelRetraining;

/// <summary>What the first journal entry of a run records, so that a resumed run acts as, for and against the same as the first attempt.</summary>
internal sealed record RunStart(string Actor, string Reason, int? Champion, IReadOnlyList<RetrainingTrigger> Causes);
