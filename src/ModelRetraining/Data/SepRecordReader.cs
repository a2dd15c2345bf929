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
    private readonly char _separator;
    private readonly List<(int Start, int Length)> _fields = [];
    private readonly StringBuilder _unescaped = new();
    private string _escaped = string.Empty;
    private bool _splitHere; // the current record had quotes and was split by the rule, not by Sep
    private long _linesBefore;

    public SepRecordReader(TextReader reader, char separator, int maxRecordLength, CancellationToken cancellationToken)
    {
        _separator = separator;
        _text = new RecordBoundTextReader(reader, maxRecordLength, cancellationToken);
        _sep = new SepReaderOptions(new Sep(separator)) { HasHeader = false, DisableColCountCheck = true }
            .From("csv", _ => _text, leaveOpen: true);
    }

    public int FieldCount => _splitHere ? _fields.Count : _sep.Current.ColCount;

    public long LineNumber { get; private set; }

    public long EndLineNumber { get; private set; }

    public ReadOnlySpan<char> RawRecord => _sep.Current.Span;

    public void SkipLineNumbers(long lines) => _linesBefore += lines;

    public bool Read()
    {
        if (!_sep.MoveNext())
        {
            return false;
        }

        _text.RecordEnded();
        var row = _sep.Current;
        LineNumber = row.LineNumberFrom + _linesBefore;
        EndLineNumber = row.LineNumberToExcl - 1 + _linesBefore;
        var span = row.Span;
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
