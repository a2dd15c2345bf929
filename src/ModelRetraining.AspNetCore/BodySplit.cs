namespace ModelRetraining.AspNetCore;

/// <summary>Where a body may be cut into parts.</summary>
internal enum BodySplit
{
    /// <summary>Nowhere: the body is one part (Parquet keeps its footer at the end; an added format is read whole).</summary>
    Whole,

    /// <summary>After a CSV record: each part is the header, then a run of records.</summary>
    CsvRecords,

    /// <summary>After any line (JSON Lines).</summary>
    Lines,
}
