namespace ModelRetraining;

/// <summary>
/// Hands a tokenizer that buffers whole records (Sep) its text in blocks, and stops it when it has taken
/// more than a record's limit since the last record it gave out (an unterminated quote, most likely) or
/// when the read is cancelled: Sep itself would grow its buffer to the end of the file and cannot be
/// cancelled inside a record.
/// </summary>
internal sealed class RecordBoundTextReader(TextReader inner, long limit, CancellationToken cancellationToken) : TextReader
{
    public const int MaxBlock = 1 << 16;
    private long _handedOut;
    private long _atLastRecord;

    /// <summary>Notes that the tokenizer gave out a record: the limit counts from here.</summary>
    public void RecordEnded() => _atLastRecord = _handedOut;

    public override int Read(Span<char> buffer)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_handedOut - _atLastRecord > limit)
        {
            throw new CsvFastPathDeclinedException();
        }

        var read = inner.Read(buffer[..Math.Min(buffer.Length, MaxBlock)]);
        _handedOut += read;
        return read;
    }

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read()
    {
        Span<char> one = stackalloc char[1];
        return Read(one) == 0 ? -1 : one[0];
    }

    public override int Peek() => inner.Peek();
}
