using System.Text;

namespace ModelRetraining.Tests.Data;

/// <summary>The record scanner that cuts uploads and large files: the same cuts and counts whatever the chunks, and only separators it can scan.</summary>
public class CsvRecordScannerTests
{
    [Fact]
    public void CutsAndCounts_AreTheSame_ForEveryChunkSize()
    {
        // A BOM, a quoted header field with a line break, a blank line, a "" record, an escaped quote, a stray quote, CRLF.
        var bytes = Encoding.UTF8.GetBytes("\uFEFF\"a\nb\",c\r\n1,2\n\n\"\"\n\"x\"\"y\",3\n4\" in,5\r\n6,7");
        var whole = Scan(bytes, bytes.Length);
        Assert.Equal([(false, 0L, 0L), (true, 1L, 1L), (true, 2L, 1L), (true, 3L, 1L), (true, 4L, 2L), (true, 5L, 3L)], whole.Cuts);
        Assert.True(whole.OpenAtEnd); // "6,7" has no line break after it
        for (var chunk = 1; chunk < bytes.Length; chunk++)
        {
            Assert.Equal(whole, Scan(bytes, chunk));
        }
    }

    [Fact]
    public void ALoneCarriageReturn_StopsTheScan()
    {
        var scanner = new CsvRecordScanner(',');
        var bytes = Encoding.UTF8.GetBytes("a,b\n1,2\r3,4\n");
        Assert.Equal(4, scanner.Scan(bytes));
        Assert.Equal(-1, scanner.Scan(bytes.AsSpan(4)));
        Assert.True(scanner.SawLoneCarriageReturn);
    }

    [Theory]
    [InlineData('"')]
    [InlineData('\n')]
    [InlineData('§')]
    public void ASeparatorItCannotScan_IsRefused_NamingIt(char separator)
    {
        var error = Assert.Throws<ArgumentException>(() => new CsvRecordScanner(separator));
        Assert.Equal("separator", error.ParamName);
        Assert.False(CsvRecordScanner.CanScan(separator));
    }

    private static ScanResult Scan(byte[] bytes, int chunk)
    {
        var scanner = new CsvRecordScanner(',');
        var cuts = new List<(bool, long, long)>();
        for (var at = 0; at < bytes.Length; at += chunk)
        {
            var span = bytes.AsSpan(at, Math.Min(chunk, bytes.Length - at));
            int end;
            while (!span.IsEmpty && (end = scanner.Scan(span)) >= 0)
            {
                cuts.Add((cuts.Count > 0, scanner.Lines, scanner.Records));
                span = span[end..];
            }
        }

        return new ScanResult(cuts, scanner.HasOpenRecord);
    }

    private sealed record ScanResult(List<(bool, long, long)> Cuts, bool OpenAtEnd)
    {
        public bool Equals(ScanResult? other) => other is not null && Cuts.SequenceEqual(other.Cuts) && OpenAtEnd == other.OpenAtEnd;

        public override int GetHashCode() => Cuts.Count;
    }
}
