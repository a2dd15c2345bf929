namespace ModelRetraining;

/// <summary>What an operator asks of a run through <see cref="IRunRequestStore"/>.</summary>
public enum RunRequestKind
{
    /// <summary>Cancel the run: its holder stops it at its next lease renewal and journals it <see cref="RunJournalStatus.Cancelled"/>.</summary>
    Cancel = 0,

    /// <summary>Resume the run (it failed, was cancelled, or its process died): a host's resume sweep resumes it.</summary>
    Resume = 1,
}
