using Microsoft.ML;
using Microsoft.ML.Data;
using System.Globalization;
using System.Text;

namespace ModelRetraining.Tests.Data;

/// <summary>
/// A large CSV file is cut into parts at record ends and the parts are read at once. Read one after the other,
/// the parts must give the whole file's rows, and their issues must name the rows the whole file's read names,
/// wherever the cuts fall: between quoted line breaks, doubled quotes, blank lines, CRLF ends, a BOM.
/// </summary>
public class CsvFilePartsTests
{
    // "n" is each row's number as the reader counts it: a part whose rows-before were wrong would number its rows otherwise.
    private static readonly CsvSchema Schema = new CsvSchema().Time("at").Numeric("x").Text("name").Boolean("flag").DeriveNumeric("n", row => row.RowNumber);

    public static TheoryData<string, string> Files
    {
        get
        {
            var files = new TheoryData<string, string>();
            foreach (var file in CsvTokenizerAgreementTests.Files)
            {
                files.Add((string)file[0], (string)file[1]);
            }

            files.Add("a blank \"\" record", "at,x,name,flag\n2001-01-01,1,a,true\n\"\"\n2001-01-02,2,b,false\n");
            files.Add("quoted fields opening records", "at,x,name,flag\n\"2001-01-01\",\"1\",\"a\nb\",\"true\"\n\"2001-01-02\",2,\"\"\"\",false\n");
            return files;
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task AFileCutIntoParts_ReadPartByPart_GivesTheWholeFilesRowsAndIssueRows(string name, string text)
    {
        // A last record with too few fields: its line, in the last part, must be named as in the whole file.
        var path = Csv.Write(Repeated(text, 150) + "2001-01-01,1\n");
        var source = CsvDataSource.FromFile(path, Schema);
        var whole = await source.LoadAsync(Csv.Context);

        var parts = new List<DatasetSnapshot>();
        foreach (var part in source.InParts(partBytes: 97)!)
        {
            parts.Add(await part.LoadAsync(Csv.Context));
        }

        Assert.True(parts.Count > (name.StartsWith("lone CR", StringComparison.Ordinal) ? 0 : 20), $"{name}: {parts.Count} parts");
        Assert.Equal(whole.RowCount, parts.Sum(p => p.RowCount));
        Assert.Equal(Values(whole), Values([.. parts]));

        // Each part reports its own issues; the first row of each (rule, column) across them is the whole file's.
        var firstRows = parts.SelectMany(p => p.ReadIssues).GroupBy(i => (i.Rule, i.Column)).ToDictionary(g => g.Key, g => g.Min(i => i.Row));
        Assert.Equal(whole.ReadIssues.Select(i => (i.Rule, i.Column)).Distinct().Order(), firstRows.Keys.Order());
        foreach (var issue in whole.ReadIssues)
        {
            Assert.True(issue.Row == firstRows[(issue.Rule, issue.Column)], $"{name}: {issue.Rule} {issue.Column}: whole row {issue.Row}, parts {firstRows[(issue.Rule, issue.Column)]}");
        }

        Assert.Equal(LastBadLine(whole.ReadIssues), parts.Max(p => LastBadLine(p.ReadIssues)));
    }

    // The last line of the rows whose field count differs from the header's ("on lines 3–1204").
    private static long LastBadLine(IEnumerable<DataValidationIssue> issues)
        => issues.Where(i => i.Rule == "csv.field-count").Select(i => long.Parse(System.Text.RegularExpressions.Regex.Match(i.Message, @"on lines \d+–(\d+)").Groups[1].Value, CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();

    [Fact]
    public async Task IssueMessages_NameTheWholeFilesRowAndLine()
    {
        var text = new StringBuilder("at,x,name,flag\n");
        for (var i = 1; i <= 5_000; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"2001-01-01,{(i == 4_321 ? "abc" : i.ToString(CultureInfo.InvariantCulture))},\"n\n{i}\",true\n");
        }

        var source = CsvDataSource.FromFile(Csv.Write(text.ToString()), Schema);
        var issues = new List<DataValidationIssue>();
        foreach (var part in source.InParts(partBytes: 4_096)!)
        {
            issues.AddRange((await part.LoadAsync(Csv.Context)).ReadIssues);
        }

        var issue = Assert.Single(issues);
        Assert.Equal(4_321, issue.Row);
        Assert.Contains("data row 4321 (line 8642)", issue.Message, StringComparison.Ordinal); // two lines a record, after the header's one
    }

    [Fact]
    public void ALoneCarriageReturn_EndsTheCutting_TheRestIsOnePart()
    {
        var text = new StringBuilder("at,x,name,flag\n");
        for (var i = 0; i < 2_000; i++)
        {
            text.Append(i == 1_000 ? "2001-01-01,1,a,true\r" : "2001-01-01,1,a,true\n");
        }

        var path = Csv.Write(text.ToString());
        var parts = CsvPartPlanner.Plan(path, ',', 1_000)!.ToList();

        Assert.True(parts.Count > 10);
        Assert.Equal(new FileInfo(path).Length, parts[^1].End);
        Assert.True(parts[^1].Start <= 15 + (1_000 * 20), "the last part begins at or before the record with the lone carriage return");
        Assert.All(parts.Zip(parts.Skip(1)), pair => Assert.Equal(pair.First.End, pair.Second.Start));
    }

    [Fact]
    public void CompressedFiles_TimeWindows_AndSmallFiles_AreNotCut()
    {
        var path = Csv.Write(Repeated("at,x,name,flag\n2001-01-01,1,a,true\n", 1_000));
        var source = CsvDataSource.FromFile(path, Schema);

        Assert.Null(source.InParts(1L << 20)); // under two parts
        Assert.Null(source.Between(new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc), null).InParts(100));
        Assert.NotNull(source.InParts(100));
        var compressed = path + ".gz";
        using (var gzip = new System.IO.Compression.GZipStream(File.Create(compressed), System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write(File.ReadAllBytes(path));
        }

        Assert.Null(CsvDataSource.FromFile(compressed, Schema).InParts(100));
    }

    // The body (records after the header) repeated, so that cuts fall at every kind of place in it.
    private static string Repeated(string text, int times)
    {
        var headerEnd = text.IndexOfAny(['\n', '\r']);
        var lineEnd = text[headerEnd] == '\r' && text.Length > headerEnd + 1 && text[headerEnd + 1] == '\n' ? "\r\n" : text[headerEnd].ToString();
        var header = text[..(headerEnd + lineEnd.Length)];
        var body = text[header.Length..];
        if (!body.EndsWith('\n') && !body.EndsWith('\r'))
        {
            body += lineEnd;
        }

        return header + string.Concat(Enumerable.Repeat(body, times));
    }

    private static List<string> Values(params DatasetSnapshot[] snapshots)
    {
        var values = new List<string>();
        foreach (var column in snapshots[0].Data.Schema)
        {
            foreach (var view in snapshots.Select(s => s.Data))
            {
                values.AddRange(column.Type.RawType == typeof(float) ? view.GetColumn<float>(column.Name).Select(v => $"{column.Name}={v.ToString("R", CultureInfo.InvariantCulture)}")
                    : column.Type.RawType == typeof(bool) ? view.GetColumn<bool>(column.Name).Select(v => $"{column.Name}={v}")
                    : column.Type.RawType == typeof(DateTime) ? view.GetColumn<DateTime>(column.Name).Select(v => $"{column.Name}={v:O}")
                    : view.GetColumn<ReadOnlyMemory<char>>(column.Name).Select(v => $"{column.Name}={v}"));
            }
        }

        return values;
    }
}
