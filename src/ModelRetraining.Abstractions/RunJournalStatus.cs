namespace ModelRetraining;

/// <summary>How a journal entry ended its stage or the run. A journal backend stores it and gives it back unchanged (as the text of <see cref="RunJournalStatusText"/>).</summary>
public enum RunJournalStatus
{
    /// <summary>A run began (the first entry of every run).</summary>
    Started = 0,

    /// <summary>An interrupted run was taken up again.</summary>
    Resumed = 1,

    /// <summary>A stage finished and the run went on.</summary>
    Completed = 2,

    /// <summary>A stage refused the run (bad data, a failed criterion, a lost race): a normal end, with reasons.</summary>
    Rejected = 3,

    /// <summary>A stage threw; the run may be resumed.</summary>
    Failed = 4,

    /// <summary>The caller cancelled; the run may be resumed.</summary>
    Cancelled = 5,

    /// <summary>The candidate is registered and waits for a human decision.</summary>
    AwaitingApproval = 6,

    /// <summary>The run promoted its candidate.</summary>
    Succeeded = 7,
}
