namespace ModelRetraining;

/// <summary>Where an interrupted run takes up again: its last completed stage, the champion it started against, and its training entry (for the checkpoint).</summary>
internal sealed record ResumePoint(RetrainingStage? LastCompleted, int? ChampionAtStart, RunJournalEntry? Training);
