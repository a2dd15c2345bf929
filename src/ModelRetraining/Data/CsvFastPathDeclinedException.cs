namespace ModelRetraining;

/// <summary>
/// Sep would read the text differently from the project's CSV rule (a quote inside an unquoted field, a
/// quote never closed, a record past the limit): the file is read again with <see cref="CsvRecordReader"/>,
/// which reads it by the rule and words the error with the record's line.
/// </summary>
internal sealed class CsvFastPathDeclinedException : Exception
{
    public CsvFastPathDeclinedException()
        : base("Sep's reading of this CSV differs from RFC 4180's quoting; read it with the line reader.")
    {
    }
}
