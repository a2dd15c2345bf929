namespace ModelRetraining;

/// <summary>What one scan of a watched folder did.</summary>
/// <param name="Stored">The batches stored, one per file.</param>
/// <param name="Refused">The files refused, each with why (moved to <c>refused/</c> with the reason beside it).</param>
/// <param name="Waiting">The files left for a later scan: new, still growing, or still open for writing.</param>
public sealed record FolderScanResult(IReadOnlyList<DatasetBatch> Stored, IReadOnlyList<(string File, string Reason)> Refused, IReadOnlyList<string> Waiting);
