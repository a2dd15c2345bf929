using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelRetraining.Tests.Data;

/// <summary>
/// CSV records are split by Sep unless its quoting would read the file differently; then the line reader
/// reads it by the RFC 4180 rule. Whatever path a file takes, the snapshot must be the one the line reader
/// makes: the same values, issues (with their rows and lines) and fingerprint.
/// </summary>
public class CsvTokenizerAgreementTests
{
    private static readonly CsvSchema Schema = new CsvSchema().Time("at").Numeric("x").Text("name").Boolean("flag");

    public static TheoryData<string, string> Files => new()
    {
        { "plain", "at,x,name,flag\n2001-01-01 00:00:00,1.5,a,true\n2001-01-02,2,b,false\n" },
        { "quoted separators, doubled quotes, line breaks", "at,x,name,flag\n2001-01-01 10:00,1,\"Smith, John\",1\n2001-01-02,2,\"say \"\"hi\"\"\",0\n2001-01-03,3,\"two\nlines\",yes\n2001-01-04,4,\"crlf\r\ninside\",no\n" },
        { "CRLF line ends, no final break", "at,x,name,flag\r\n2001-01-01,1,a,true\r\n2001-01-02,2,b,false" },
        { "lone CR line ends", "at,x,name,flag\r2001-01-01,1,a,true\r2001-01-02,2,b,false\r" },
        { "blank lines and a BOM", "\uFEFFat,x,name,flag\n\n2001-01-01,1,a,true\n\n\n2001-01-02,2,b,false\n" },
        { "empty and missing cells", "at,x,name,flag\n,,,\n2001-01-02,,\"\",\n" },
        { "bad values and field counts", "at,x,name,flag\n2001-01-01,abc,a,true\n2001-01-02,2,b\n2001-13-40,3,c,maybe\n2001-01-04,1e39,d,false\n" },
        { "stray quote inside a field", "at,x,name,flag\n2001-01-01,1,12\" screen,true\n2001-01-02,2,b,false\n2001-01-03,3,\"c\",true\n" },
        { "stray quotes pairing across fields", "at,x,name,flag\n2001-01-01,1,a\"b,true\n2001-01-02,2,c\"d,false\n" },
        { "text after a closing quote", "at,x,name,flag\n2001-01-01,1,\"a\"b,true\n" },
        { "trailing separator", "at,x,name,flag,\n2001-01-01,1,a,true,\n" },
        { "times with offsets and fractions", "at,x,name,flag\n2001-01-01T10:00:00Z,1,a,true\n2001-01-01 10:00:00+02:00,2,b,false\n2001-01-01 10:00:00.25,3,c,true\n 2001-01-01 ,4,d,false\n" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public async Task EveryFile_ReadsAsTheLineReaderReadsIt(string name, string text)
    {
        var path = Csv.Write(text);
        var source = CsvDataSource.FromFile(path, Schema);

        var fast = await source.LoadAsync(Csv.Context);
        var byTheRule = source.ReadByTheRule(Csv.Context, CancellationToken.None);

        Assert.True(fast.Fingerprint == byTheRule.Fingerprint, name);
        Assert.Equal(byTheRule.RowCount, fast.RowCount);
        Assert.Equal(Describe(byTheRule), Describe(fast));
        Assert.Equal(byTheRule.ReadIssues.Select(i => $"{i.Rule}|{i.Column}|{i.Row}|{i.Message}"), fast.ReadIssues.Select(i => $"{i.Rule}|{i.Column}|{i.Row}|{i.Message}"));
    }

    [Fact]
    public async Task ManyRowsWithQuotesAndWithout_ReadTheSame_ThroughBlockBoundaries()
    {
        // Enough rows to cross the tokenizer's blocks many times, with quoted records (and line breaks in
        // them) falling across block ends.
        var random = new Random(7);
        var text = new StringBuilder("at,x,name,flag\n");
        for (var i = 0; i < 30_000; i++)
        {
            var name = (i % 7) switch
            {
                0 => "\"quoted, with separator\"",
                1 => "\"two\nlines\"",
                2 => "\"\"\"doubled\"\"\"",
                _ => "plain" + random.Next(100).ToString(CultureInfo.InvariantCulture),
            };
            text.Append(CultureInfo.InvariantCulture, $"2001-01-{1 + (i % 28):00} {i % 24:00}:{i % 60:00}:00,{random.NextDouble():R},{name},{(i % 2 == 0 ? "true" : "false")}\n");
        }

        var source = CsvDataSource.FromFile(Csv.Write(text.ToString()), Schema);
        var fast = await source.LoadAsync(Csv.Context);
        var byTheRule = source.ReadByTheRule(Csv.Context, CancellationToken.None);

        Assert.Equal(30_000, fast.RowCount);
        Assert.Equal(byTheRule.Fingerprint, fast.Fingerprint);
        Assert.Equal(Describe(byTheRule), Describe(fast));
    }

    [Fact]
    public async Task ATimeWindow_KeepsTheSameRows_OnBothPaths()
    {
        var path = Csv.Write("at,x,name,flag\n2001-01-01,1,a,true\n2001-02-01,2,\"b\nc\",false\n2001-03-01,3,d,true\n,4,e,true\n");
        var source = CsvDataSource.FromFile(path, Schema).Between(new DateTime(2001, 1, 15, 0, 0, 0, DateTimeKind.Utc), null);

        var fast = await source.LoadAsync(Csv.Context);
        var byTheRule = source.ReadByTheRule(Csv.Context, CancellationToken.None);

        Assert.Equal(2, fast.RowCount);
        Assert.Equal(byTheRule.Fingerprint, fast.Fingerprint);
        Assert.Equal(Describe(byTheRule), Describe(fast));
        Assert.Equal(byTheRule.ReadIssues.Select(i => i.Message), fast.ReadIssues.Select(i => i.Message));
    }

    [Theory]
    [InlineData(';')]
    [InlineData('\t')]
    [InlineData('#')] // Sep refuses it: the line reader reads the file
    [InlineData('§')] // outside ASCII: likewise
    [InlineData('|')]
    public async Task AnySeparatorTheSchemaTakes_ReadsAsTheLineReaderReadsIt(char separator)
    {
        var text = "at,x,name,flag\n2001-01-01,1,\"a,b\",true\n2001-01-02,2,\"two\nlines\",false\n".Replace(',', separator);
        var schema = new CsvSchema { Separator = separator }.Time("at").Numeric("x").Text("name").Boolean("flag");
        var source = CsvDataSource.FromFile(Csv.Write(text), schema);

        var fast = await source.LoadAsync(Csv.Context);
        var byTheRule = source.ReadByTheRule(Csv.Context, CancellationToken.None);

        Assert.Empty(fast.ReadIssues);
        Assert.Equal(2, fast.RowCount);
        Assert.Equal(byTheRule.Fingerprint, fast.Fingerprint);
        Assert.Equal(Describe(byTheRule), Describe(fast));
    }

    [Fact]
    public async Task AnUnquotedLineLongerThanTheLimit_IsRefusedNamingItsLine()
    {
        var schema = new CsvSchema { MaxRecordLength = 1024 }.Time("at").Numeric("x").Text("name").Boolean("flag");
        var path = Csv.Write("at,x,name,flag\n2001-01-01,1,a,true\n2001-01-02,2," + new string('n', 5_000) + ",false\n");

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await CsvDataSource.FromFile(path, schema).LoadAsync(Csv.Context));

        Assert.Contains("line 3 is 5019 characters long, more than the 1024 allowed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARecordLongerThanTheFastPathTakes_IsReadWhole_WhenTheLimitAllowsIt()
    {
        // 5M characters in one quoted field: beyond what the fast path buffers, within a raised limit.
        var schema = new CsvSchema { MaxRecordLength = 8 << 20 }.Time("at").Numeric("x").Text("name").Boolean("flag");
        var huge = new string('h', 5_000_000);
        var source = CsvDataSource.FromFile(Csv.Write($"at,x,name,flag\n2001-01-01,1,\"{huge}\",true\n2001-01-02,2,b,false\n"), schema);

        var snapshot = await source.LoadAsync(Csv.Context);

        Assert.Equal(2, snapshot.RowCount);
        Assert.Equal(huge, snapshot.Data.GetColumn<ReadOnlyMemory<char>>("name").First().ToString());
        Assert.Equal(source.ReadByTheRule(Csv.Context, CancellationToken.None).Fingerprint, snapshot.Fingerprint);
    }

    private static string Describe(DatasetSnapshot snapshot)
    {
        var text = new StringBuilder(snapshot.Schema.ToString()).Append('\n');
        var view = snapshot.Data;
        foreach (var column in view.Schema)
        {
            text.Append(column.Name).Append(": ");
            text.AppendJoin(" | ", column.Type.RawType == typeof(float) ? view.GetColumn<float>(column.Name).Select(v => v.ToString("R", CultureInfo.InvariantCulture))
                : column.Type.RawType == typeof(bool) ? view.GetColumn<bool>(column.Name).Select(v => v.ToString())
                : column.Type.RawType == typeof(DateTime) ? view.GetColumn<DateTime>(column.Name).Select(v => v.ToString("O", CultureInfo.InvariantCulture))
                : view.GetColumn<ReadOnlyMemory<char>>(column.Name).Select(v => v.ToString()));
            text.Append('\n');
        }

        return text.ToString();
    }
}
