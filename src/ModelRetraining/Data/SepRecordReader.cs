using System.Text;
using nietras.SeparatedValues;

namespace ModelRetraining;

/// <summary>
/// CSV records split by Sep (vectorized, no string per line), checked against the project's quoting rule:
/// a record without quotes is split the same by both, and one with quotes is split again by
/// <see cref="CsvFieldSplitter"/>. Sep pairs quotes anywhere in a record, so where that would join lines
/// or fields that the rule keeps apart (<c>12" screen</c>), or a quote is never closed, or a record
/// outgrows the limit, it throws <see cref="CsvFastPathDeclinedException"/> and the caller reads the text
/// again with <see cref="CsvRecordReader"/>.
/// </summary>
internal sealed class SepRecordReader : ICsvRecords, IDisposable
{
    private readonly SepReader _sep;
    private readonly RecordBoundTextReader _text;
    private const int MaxFastRecordLength = 1 << 22;
    private readonly char _separator;
    private readonly int _maxRecordLength;
    private int _lastLine;
    private long _wrappedLines; // Sep counts lines in an int: past 2^31 lines it wraps, and this carries on
    private readonly List<(int Start, int Length)> _fields = [];
    private readonly StringBuilder _unescaped = new();
    private string _escaped = string.Empty;
    private bool _splitHere; // the current record had quotes and was split by the rule, not by Sep
    private long _linesBefore;

    public SepRecordReader(TextReader reader, char separator, int maxRecordLength, CancellationToken cancellationToken)
    {
        _separator = separator;
        _maxRecordLength = maxRecordLength;

        // The guard stops a runaway record (Sep buffers it whole, up to its own 16M-character limit) well
        // before Sep would: a record really longer than this is declined and read by the line reader.
        _text = new RecordBoundTextReader(reader, Math.Min(maxRecordLength, MaxFastRecordLength) + (2L * RecordBoundTextReader.MaxBlock), cancellationToken);
        _sep = new SepReaderOptions(new Sep(separator)) { HasHeader = false, DisableColCountCheck = true }
            .From("csv", _ => _text, leaveOpen: true);
    }

    /// <summary>Gets whether Sep takes <paramref name="separator"/> (a tab, or printable ASCII other than <c>#</c> and the quote); the line reader reads any other.</summary>
    public static bool Accepts(char separator) => separator == '\t' || (separator is >= ' ' and <= '~' && separator is not ('#' or '"'));

    public int FieldCount => _splitHere ? _fields.Count : _sep.Current.ColCount;

    public long LineNumber { get; private set; }

    public long EndLineNumber { get; private set; }

    public ReadOnlySpan<char> RawRecord => _sep.Current.Span;

    public void SkipLineNumbers(long lines) => _linesBefore += lines;

    public bool Read()
    {
        try
        {
            if (!_sep.MoveNext())
            {
                return false;
            }
        }
        catch (NotSupportedException)
        {
            throw new CsvFastPathDeclinedException(); // a record past Sep's own maximum length
        }

        _text.RecordEnded();
        var row = _sep.Current;
        if (row.LineNumberFrom < _lastLine)
        {
            _wrappedLines += 1L << 32;
        }

        _lastLine = row.LineNumberFrom;
        LineNumber = row.LineNumberFrom + _wrappedLines + _linesBefore;
        EndLineNumber = (row.LineNumberToExcl < row.LineNumberFrom ? (1L << 32) : 0) + row.LineNumberToExcl - 1 + _wrappedLines + _linesBefore;
        var span = row.Span;
        if (span.Length > _maxRecordLength)
        {
            throw new CsvFastPathDeclinedException(); // the line reader refuses it, naming its line
        }

        _splitHere = span.Contains('"');
        if (_splitHere)
        {
            if (!CsvFieldSplitter.Split(span, _separator, _fields, _unescaped))
            {
                throw new CsvFastPathDeclinedException();
            }

            _escaped = _unescaped.Length > 0 ? _unescaped.ToString() : string.Empty;
        }

        return true;
    }

    public ReadOnlySpan<char> Field(int index)
    {
        if (!_splitHere)
        {
            return _sep.Current[index].Span;
        }

        var (start, length) = _fields[index];
        return start >= 0 ? _sep.Current.Span.Slice(start, length) : _escaped.AsSpan(-start - 1, length);
    }

    public void Dispose() => _sep.Dispose();
}
