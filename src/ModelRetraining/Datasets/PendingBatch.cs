namespace ModelRetraining;

/// <summary>A batch checked and encoded, waiting for its index row (<see cref="DatasetBatchWriter.CommitAsync"/>).</summary>
internal sealed record PendingBatch(string Dataset, string SentBy, string? IdempotencyKey, string Source, long Rows, string Fingerprint, string SchemaHash, DataValidationIssue[] Warnings, long Quarantined);
