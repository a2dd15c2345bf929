namespace ModelRetraining;

/// <summary>
/// The stored text of each <see cref="RunJournalStatus"/> (<c>completed</c>, <c>awaiting-approval</c>, …),
/// spelled once so that every journal backend writes and reads the same values, and knows which end a run.
/// </summary>
public static class RunJournalStatusText
{
    private static readonly string[] Texts = ["started", "resumed", "completed", "rejected", "failed", "cancelled", "awaiting-approval", "succeeded"];

    /// <summary>Gives the stored text of a status.</summary>
    /// <param name="status">The status.</param>
    /// <returns>The text.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined status.</exception>
    public static string ToText(this RunJournalStatus status)
        => (int)status >= 0 && (int)status < Texts.Length ? Texts[(int)status] : throw new ArgumentOutOfRangeException(nameof(status), status, "Not a run journal status.");

    /// <summary>Reads a stored status.</summary>
    /// <param name="text">The stored text.</param>
    /// <returns>The status.</returns>
    /// <exception cref="FormatException">The text is not a status; the message lists the valid ones.</exception>
    public static RunJournalStatus Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var index = Array.IndexOf(Texts, text);
        return index >= 0 ? (RunJournalStatus)index : throw new FormatException($"'{text}' is not a run journal status; expected one of {string.Join(", ", Texts)}.");
    }

    /// <summary>Tells whether a status ends a run for good (succeeded, rejected, awaiting approval); a failed or cancelled run may still be resumed.</summary>
    /// <param name="status">The status.</param>
    /// <returns><see langword="true"/> when the run is over.</returns>
    public static bool IsFinal(this RunJournalStatus status)
        => status is RunJournalStatus.Succeeded or RunJournalStatus.Rejected or RunJournalStatus.AwaitingApproval;

    /// <summary>Tells whether a status ends an attempt: final, failed or cancelled.</summary>
    /// <param name="status">The status.</param>
    /// <returns><see langword="true"/> when the attempt is over.</returns>
    public static bool EndsAttempt(this RunJournalStatus status)
        => status.IsFinal() || status is RunJournalStatus.Failed or RunJournalStatus.Cancelled;
}
