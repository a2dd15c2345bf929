using Microsoft.ML;
using Microsoft.ML.Data;
using System.Text;
using ModelRetraining.Testing;

namespace ModelRetraining.Tests.Data;

/// <summary>Malformed CSV of the integrity review: data that used to disappear without a word, and input that made reading quadratic.</summary>
public class CsvAttackTests
{
    private static Task<DatasetSnapshot> LoadAsync(string path, CsvSchema schema, CancellationToken cancellationToken = default)
        => CsvDataSource.FromFile(path, schema).LoadAsync(Csv.Context, cancellationToken).AsTask();

    private static CsvSchema Schema() => new CsvSchema().Numeric("distance").Text("screen").Boolean("y").Label("y");

    private static string Rows(int count, Func<int, string>? row = null)
    {
        var text = new StringBuilder("distance,screen,y\n");
        for (var i = 0; i < count; i++)
        {
            text.Append(row?.Invoke(i) ?? $"{i % 97}.5,plain,{(i % 2 == 0 ? "true" : "false")}").Append('\n');
        }

        return text.ToString();
    }

    // A pipeline with no validator at all: what the source could not read must still stop it.
    private static RetrainingPipeline WithoutValidators(string training, string holdout, InMemoryModelRegistry registry)
        => new RetrainingPipelineBuilder { ModelName = "churn", Actor = "tests" }
            .UseTrainingData(CsvDataSource.FromFile(training, Schema()))
            .UseHoldoutData(CsvDataSource.FromFile(holdout, Schema()))
            .UseTrainer(new FakeTrainer())
            .UseEvaluator(new FakeEvaluator { CandidateMetrics = FakeEvaluator.Metrics(("AUC", 0.8, MetricDirection.HigherIsBetter)) })
            .AddPromotionGate(g => g.Metric("AUC").AtLeast(0.5))
            .UseRegistry(registry)
            .Build();

    [Fact]
    public async Task RenamedHeader_WithoutSchemaValidation_RejectsTheRun_NothingRegistered()
    {
        var registry = new InMemoryModelRegistry();
        var training = Csv.Write(Rows(200).Replace("distance,", "Distance,", StringComparison.Ordinal));
        var result = await WithoutValidators(training, Csv.Write(Rows(100)), registry).RunAsync();

        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Contains(result.Reasons, r => r.Contains("Column 'distance' (Numeric) is missing", StringComparison.Ordinal));
        await foreach (var _ in registry.ListVersionsAsync("churn"))
        {
            Assert.Fail("a version was registered");
        }
    }

    [Fact]
    public async Task UnparseableValues_WithoutSchemaValidation_RejectTheRun()
    {
        var registry = new InMemoryModelRegistry();
        var training = Csv.Write(Rows(300, i => i % 5 == 0 ? "\"2,176.0\",plain,true" : $"{i}.0,plain,false"));
        var result = await WithoutValidators(training, Csv.Write(Rows(100)), registry).RunAsync();

        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.Contains(result.Reasons, r => r.Contains("'2,176.0'", StringComparison.Ordinal) && r.Contains("60 values in all", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StrayQuoteInsideAnUnquotedField_IsText_AndSwallowsNothing()
    {
        var path = Csv.Write(Rows(1000, i => i == 10 ? "3.5,12\" screen,true" : $"{i}.5,plain,false"));
        var snapshot = await LoadAsync(path, Schema());

        Assert.Equal(1000, snapshot.RowCount);
        Assert.Empty(snapshot.ReadIssues);
        Assert.Contains("12\" screen", snapshot.Data.GetColumn<ReadOnlyMemory<char>>("screen").Select(m => m.ToString()));
    }

    [Fact]
    public async Task RowsLostToABadFieldCount_AreCountedWithTheirLines_AndAreAnErrorAboveTheTolerance()
    {
        var path = Csv.Write(Rows(1000, i => i is >= 500 and < 510 ? "1.0,too,many,fields" : $"{i}.5,plain,false"));
        var strict = await LoadAsync(path, Schema());
        var issue = Assert.Single(strict.ReadIssues);
        Assert.Equal(ValidationSeverity.Error, issue.Severity);
        Assert.Contains("10 of 1000 data rows", issue.Message, StringComparison.Ordinal);
        Assert.Contains("lines 502–511", issue.Message, StringComparison.Ordinal);

        var tolerant = Schema();
        tolerant.MalformedRowTolerance = 0.02;
        var warned = Assert.Single((await LoadAsync(path, tolerant)).ReadIssues);
        Assert.Equal(ValidationSeverity.Warning, warned.Severity);
    }

    [Fact]
    public async Task UnterminatedQuote_ReadsInLinearTime_AndStopsAtTheRecordLimitNamingTheLine()
    {
        // 40,000 rows after an opening quote that never closes: quadratic reading took 45 s here.
        var path = Csv.Write(Rows(40_000, i => i == 3 ? "\"1.0,open,true" : $"{i}.5,plain,false"));
        var schema = Schema();
        schema.MaxRecordLength = 1 << 16;

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await LoadAsync(path, schema));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("starting on line 5", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxRecordLength", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnterminatedQuoteAtTheEnd_NamesTheLineWhereItOpened()
    {
        var path = Csv.Write(Rows(50) + "\"7.5,never closed,true\n1,2,3\n");
        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await LoadAsync(path, Schema()));
        Assert.Contains("opened on line 52 is never closed", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnterminatedQuoteInAHugeFile_HonoursCancellation_WhileTheRecordIsStillOpen()
    {
        // One open quote, then 400,000 lines; the record limit is lifted so only cancellation can stop it.
        // The token is cancelled by the reader itself after 5,000 lines: no clock decides this test.
        using var cancel = new CancellationTokenSource();
        var lines = new CancellingReader("distance,screen,y\n\"1.0,open,true\n" + string.Concat(Enumerable.Repeat(new string('x', 20) + "\n", 400_000)), cancel, afterLines: 5_000);
        var reader = new CsvRecordReader(lines, ',', "huge.csv", int.MaxValue, cancel.Token);
        Assert.True(reader.Read()); // the header

        Assert.ThrowsAny<OperationCanceledException>(() => reader.Read());
        Assert.True(lines.LinesRead < 10_000, $"read {lines.LinesRead} lines after the cancellation at 5,000");
    }

    // Cancels once it has handed out afterLines lines' worth of characters (the CSV reader reads blocks, not lines).
    private sealed class CancellingReader(string text, CancellationTokenSource cancel, int afterLines) : StringReader(text)
    {
        private const int LineLength = 21;

        public long CharactersRead { get; private set; }

        public long LinesRead => CharactersRead / LineLength;

        public override int Read(char[] buffer, int index, int count)
        {
            var read = base.Read(buffer, index, Math.Min(count, 4_096));
            CharactersRead += read;
            if (LinesRead >= afterLines)
            {
                cancel.Cancel();
            }

            return read;
        }
    }

    [Theory]
    [InlineData("1e309")]
    [InlineData("-1e39")]
    [InlineData("Infinity")]
    public async Task NumbersBeyondFloatRange_AreOutOfRange_UnlessInfinitiesAreAllowed(string value)
    {
        var path = Csv.Write(Rows(20, i => i == 4 ? $"{value},plain,true" : $"{i}.5,plain,false"));
        var issue = Assert.Single((await LoadAsync(path, Schema())).ReadIssues);
        Assert.Equal("csv.out-of-range", issue.Rule);
        Assert.Equal(ValidationSeverity.Error, issue.Severity);
        Assert.Equal("distance", issue.Column);
        Assert.Equal(5, issue.Row);

        var allowing = Schema();
        allowing.AllowInfinity = true;
        var snapshot = await LoadAsync(path, allowing);
        Assert.Empty(snapshot.ReadIssues);
        Assert.True(float.IsInfinity(snapshot.Data.GetColumn<float>("distance").ElementAt(4)));
    }

    [Fact]
    public async Task MissingColumnMessage_ForAWideHeader_IsCapped()
    {
        var header = string.Join(",", Enumerable.Range(0, 10_000).Select(i => $"column_{i}"));
        var path = Csv.Write(header + "\n" + string.Join(",", Enumerable.Repeat("1", 10_000)) + "\n");
        var issue = Assert.Single((await LoadAsync(path, new CsvSchema().Numeric("distance"))).ReadIssues);
        Assert.True(issue.Message.Length < 1000, $"{issue.Message.Length} characters");
        Assert.Contains("and 9980 more", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IgnoredColumn_IsNotRead_NotWarnedAbout_AndListedOnceInTheJournal()
    {
        var text = Rows(200).Replace("distance,screen,y\n", "distance,Cost Total $,screen,y\n", StringComparison.Ordinal);
        text = string.Join("\n", text.Split('\n').Select((line, i) => i == 0 || line.Length == 0 ? line : line.Insert(line.IndexOf(',', StringComparison.Ordinal), ",999")));
        var path = Csv.Write(text);
        var schema = Schema().Ignore("Cost Total $").Ignore("not in the file");
        var snapshot = await LoadAsync(path, schema);
        Assert.Empty(snapshot.ReadIssues);
        Assert.Equal(["Cost Total $"], snapshot.IgnoredColumns);
        Assert.Null(snapshot.Schema.Find("Cost Total $"));

        var registry = new InMemoryModelRegistry();
        var result = await new RetrainingPipelineBuilder { ModelName = "churn", Actor = "tests" }
            .UseTrainingData(CsvDataSource.FromFile(path, schema))
            .UseHoldoutData(CsvDataSource.FromFile(path, schema))
            .AddSchemaValidation(schema.ToDataSchema())
            .UseTrainer(new FakeTrainer())
            .UseEvaluator(new FakeEvaluator { CandidateMetrics = FakeEvaluator.Metrics(("AUC", 0.8, MetricDirection.HigherIsBetter)) })
            .AddPromotionGate(g => g.Metric("AUC").AtLeast(0.5))
            .UseRegistry(registry)
            .Build()
            .RunAsync(new RetrainingRunOptions { RunId = "r1" });

        Assert.Equal(RetrainingRunStatus.Succeeded, result.Status);
        Assert.DoesNotContain(result.Validation.SelectMany(r => r.Issues), i => i.Message.Contains("Cost Total", StringComparison.Ordinal));
        var journal = new List<RunJournalEntry>();
        await foreach (var entry in registry.ReadRunAsync("r1"))
        {
            journal.Add(entry);
        }

        Assert.Contains("Cost Total $", journal.Single(e => e.Stage == RetrainingStage.Ingesting).Outputs, StringComparison.Ordinal);
    }

    [Fact]
    public void ColumnBothReadAndIgnored_IsRefusedAtConstruction()
    {
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => CsvDataSource.FromFile("x.csv", Schema().Ignore("distance")));
        Assert.Contains("Column 'distance' is both read and ignored.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenamedColumn_IsOneError_NotAlsoAZeroPercentCompletenessError()
    {
        var registry = new InMemoryModelRegistry();
        var training = Csv.Write(Rows(200).Replace("distance,", "Distance,", StringComparison.Ordinal));
        var result = await new RetrainingPipelineBuilder { ModelName = "churn", Actor = "tests" }
            .UseTrainingData(CsvDataSource.FromFile(training, Schema()))
            .UseHoldoutData(CsvDataSource.FromFile(Csv.Write(Rows(100)), Schema()))
            .AddSchemaValidation(Schema().ToDataSchema())
            .AddDataQuality(q => q.Completeness("distance", mostly: 0.99))
            .UseTrainer(new FakeTrainer())
            .UseEvaluator(new FakeEvaluator())
            .AddPromotionGate(g => g.Metric("AUC").AtLeast(0.5))
            .UseRegistry(registry)
            .Build()
            .RunAsync();

        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        var aboutDistance = result.Validation.SelectMany(r => r.Issues).Where(i => i.Column == "distance" && i.Source == training).ToArray();
        Assert.Single(aboutDistance);
        Assert.Equal("schema.missing-column", aboutDistance[0].Rule);
    }

    [Fact]
    public async Task EmptyHoldout_IsOneErrorForOneCause()
    {
        var registry = new InMemoryModelRegistry();
        var result = await new RetrainingPipelineBuilder { ModelName = "churn", Actor = "tests" }
            .UseTrainingData(CsvDataSource.FromFile(Csv.Write(Rows(200)), Schema()))
            .UseHoldoutData(CsvDataSource.FromFile(Csv.Write(Rows(0)), Schema()))
            .AddSchemaValidation(Schema().ToDataSchema())
            .UseTrainer(new FakeTrainer())
            .UseEvaluator(new FakeEvaluator())
            .AddPromotionGate(g => g.Metric("AUC").AtLeast(0.5))
            .UseRegistry(registry)
            .Build()
            .RunAsync();

        Assert.Equal(RetrainingRunStatus.Rejected, result.Status);
        Assert.True(result.Reasons.Count == 1, string.Join(" | ", result.Reasons));
    }
}
