namespace ModelRetraining.AspNetCore;

/// <summary>How one content type is read: the spool file's extension, the reader, and whether the reader applies the dataset's schema itself (CSV, JSON Lines) or its columns must be checked against it after (Parquet and others).</summary>
internal sealed record BodyFormat(string Extension, Func<string, IngestionDataset, IDataSource> Read, bool ReadsSchema);
