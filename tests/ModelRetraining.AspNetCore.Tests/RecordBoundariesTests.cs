using System.Text;

namespace ModelRetraining.AspNetCore.Tests;

/// <summary>Where a body is cut into parts: never inside a record, the same wherever the network splits the bytes.</summary>
public sealed class RecordBoundariesTests
{
    private const string Csv = "a,b\r\n1,\"x\r\ny\"\r\n2,\"say \"\"hi\"\"\"\r\n\r\n3,4\" inch\r\n4,\"\"\r\n5,z\r\n";

    private static List<(long Lines, long Records)> Cuts(string text, BodySplit split, int chunk, long every)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var boundaries = new RecordBoundaries(split, (byte)',');
        var cuts = new List<(long, long)>();
        var wanted = every;
        for (var at = 0; at < bytes.Length; at += chunk)
        {
            var span = bytes.AsSpan(at, Math.Min(chunk, bytes.Length - at));
            while (!span.IsEmpty)
            {
                var past = split == BodySplit.Lines || boundaries.PastHeader;
                var cut = boundaries.Scan(span, wanted);
                if (cut < 0)
                {
                    break;
                }

                if (past)
                {
                    cuts.Add((boundaries.Lines, boundaries.Records));
                    wanted = boundaries.Records + every;
                }

                span = span[cut..];
            }
        }

        return cuts;
    }

    [Fact]
    public void CsvCuts_FallAtRecordEnds_SkippingQuotedLineBreaksAndBlankLines_WhateverTheChunks()
    {
        // Records: "1,x\r\ny" (two lines), "2,say "hi"", blank, "3,4" inch" (a quote inside a field is text), "4,", "5,z".
        var expected = new List<(long, long)> { (2, 1), (3, 2), (5, 3), (6, 4), (7, 5) };
        for (var chunk = 1; chunk <= Csv.Length; chunk++)
        {
            Assert.Equal(expected, Cuts(Csv, BodySplit.CsvRecords, chunk, every: 1));
        }
    }

    [Fact]
    public void ARecordOfOnlyTwoQuotes_IsBlank_AsTheReadersTakeIt_WhileFourQuotesAreARow()
    {
        // Records: "1,2", blank (""), """" (a field holding one quote), "3,4".
        var text = "a,b\n1,2\n\"\"\n\"\"\"\"\n3,4\n";
        for (var chunk = 1; chunk <= text.Length; chunk++)
        {
            Assert.Equal([(1L, 1L), (3L, 2L), (4L, 3L)], Cuts(text, BodySplit.CsvRecords, chunk, every: 1)); // no cut after the blank one: no record was added
        }
    }

    [Fact]
    public void JsonLinesCuts_FallAtEveryLine_CountingOnlyNonBlankOnesAsRecords()
    {
        var text = "{\"a\":1}\n \r\n{\"a\":\"x,\\\"y\"}\n{\"a\":3}\n";
        for (var chunk = 1; chunk <= text.Length; chunk++)
        {
            Assert.Equal([(1L, 1L), (3L, 2L), (4L, 3L)], Cuts(text, BodySplit.Lines, chunk, every: 1));
        }
    }

    [Fact]
    public void AByteOrderMark_DoesNotHideAQuoteThatOpensTheFirstHeaderField()
    {
        var text = "\uFEFF\"a\nb\",c\n1,2\n3,4\n";
        Assert.Equal([(1L, 1L), (2L, 2L)], Cuts(text, BodySplit.CsvRecords, text.Length, every: 1));
    }

    [Fact]
    public void ALoneCarriageReturn_StopsTheCuts()
    {
        var boundaries = new RecordBoundaries(BodySplit.CsvRecords, (byte)',');
        var bytes = Encoding.UTF8.GetBytes("a,b\n1,2\r3,4\n5,6\n");
        Assert.Equal(4, boundaries.Scan(bytes, 1));   // the header
        Assert.Equal(-1, boundaries.Scan(bytes.AsSpan(4), 1));
        Assert.True(boundaries.SawLoneCarriageReturn);
    }
}
