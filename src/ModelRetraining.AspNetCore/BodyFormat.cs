namespace ModelRetraining.AspNetCore;

/// <summary>
/// How one content type is read: the spool file's extension, the reader (given the part's lines and rows
/// before it in the body), whether the reader applies the dataset's schema itself (CSV, JSON Lines) or its
/// columns must be checked against it after (Parquet and others), and how a body may be cut into parts.
/// </summary>
internal sealed record BodyFormat(string Extension, Func<string, IngestionDataset, long, long, IDataSource> Read, bool ReadsSchema, BodySplit Split);
