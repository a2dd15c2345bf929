using Microsoft.ML;

namespace ModelRetraining;

/// <summary>A data set as read for one run: the rows, the schema observed, a fingerprint of the content, and what the reader noticed.</summary>
/// <param name="Name">The data set's short name, as messages show it (a file name and window, a table); <see cref="Location"/> says where it is in full.</param>
/// <param name="Data">The rows.</param>
/// <param name="Schema">The columns actually found, with their observed types.</param>
/// <param name="RowCount">The number of rows.</param>
/// <param name="Fingerprint">A content hash: same rows, same fingerprint.</param>
public sealed record DatasetSnapshot(string Name, IDataView Data, DataSchema Schema, long RowCount, string Fingerprint)
{
    /// <summary>Gets the problems the reader met (a non-numeric value in a numeric column, a missing column); validators turn them into decisions.</summary>
    public IReadOnlyList<DataValidationIssue> ReadIssues { get; init; } = [];

    /// <summary>Gets the schema the source was told to expect, when it had one.</summary>
    public DataSchema? DeclaredSchema { get; init; }

    /// <summary>Gets the columns the source was told to ignore and that were present (a target-leaking cost column, free-text notes): not read, not in <see cref="Schema"/>, so no check warns about them; listed once in the run's journal.</summary>
    public IReadOnlyList<string> IgnoredColumns { get; init; } = [];

    /// <summary>Gets where the data came from in full (the file's path and window, a connection and query), recorded in the version's lineage; <see langword="null"/> when <see cref="Name"/> says it all.</summary>
    public string? Location { get; init; }
}
