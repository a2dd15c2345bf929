namespace ModelRetraining.AspNetCore;

/// <summary>One part of a body, spooled: its file, and the body's lines and records before its first record.</summary>
internal sealed record UploadPart(string Path, long LinesBefore, long RowsBefore);
