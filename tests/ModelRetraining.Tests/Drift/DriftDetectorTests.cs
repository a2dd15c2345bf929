using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.ML;

namespace ModelRetraining.Tests;

public class DriftDetectorTests
{
    private sealed class Row
    {
        public float A { get; set; }

        public float B { get; set; }

        public string C { get; set; } = string.Empty;
    }

    private static float Gaussian(Random random) => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));

    private static IDataView Data(int n, int seed, double shiftA = 0, double shiftB = 0, double categoryShift = 0, Func<int, float>? b = null)
    {
        var random = new Random(seed);
        var rows = Enumerable.Range(0, n).Select(i => new Row
        {
            A = Gaussian(random) + (float)shiftA,
            B = b?.Invoke(i) ?? Gaussian(random) + (float)shiftB,
            C = random.NextDouble() < 0.3 + categoryShift ? "x" : random.NextDouble() < 0.5 ? "y" : "z",
        }).ToArray();
        return new MLContext(seed).Data.LoadFromEnumerable(rows);
    }

    [Fact]
    public void Compare_OneSigmaShiftAt5000Rows_FlagsTheColumnWithMethodAndScore()
    {
        var report = new DriftDetector().Compare(Data(5_000, 1), Data(5_000, 2, shiftA: 1), ["A", "B"]);
        var a = report.Columns.Single(c => c.Column == "A");
        var b = report.Columns.Single(c => c.Column == "B");
        Assert.True(a.Drifted);
        Assert.Equal(DriftMethod.Wasserstein, a.Method);
        Assert.InRange(a.Statistic, 0.9, 1.1);
        Assert.Equal(0.1, a.Threshold);
        Assert.Contains("Wasserstein distance", a.Reason, StringComparison.Ordinal);
        Assert.False(b.Drifted);
        Assert.Equal(0.5, report.DriftedShare);
        Assert.True(report.DatasetDrift);
    }

    [Fact]
    public void Compare_SmallReference_UsesPValueTestsAsEvidentlyDoes()
    {
        var report = new DriftDetector().Compare(Data(800, 1), Data(800, 2), ["A", "C"]);
        Assert.Equal(DriftMethod.KolmogorovSmirnov, report.Columns[0].Method);
        Assert.True(report.Columns[0].ExactPValue);
        Assert.Equal(DriftMethod.ChiSquared, report.Columns[1].Method);
        Assert.Equal(0.05, report.Columns[0].Threshold);
    }

    [Fact]
    public void Compare_1000NoShiftTrials_FalseAlarmsStayWithinAlphaPlusBinomialMargin()
    {
        var detector = new DriftDetector(new DriftOptions { NumericEffectSizeFloor = 0 }.ForColumn("A", DriftMethod.KolmogorovSmirnov));
        var random = new Random(7);
        var alarms = 0;
        for (var trial = 0; trial < 1_000; trial++)
        {
            var reference = Enumerable.Range(0, 300).Select(_ => Gaussian(random)).ToArray();
            var current = Enumerable.Range(0, 300).Select(_ => Gaussian(random)).ToArray();
            var ml = new MLContext(trial);
            var report = detector.Compare(ml.Data.LoadFromEnumerable(reference.Select(v => new Row { A = v })), ml.Data.LoadFromEnumerable(current.Select(v => new Row { A = v })), ["A"]);
            alarms += report.Columns[0].Drifted ? 1 : 0;
        }

        // alpha = 0.05: expected 50 alarms, binomial sd 6.9; allow three sd.
        Assert.InRange(alarms, 0, 50 + 21);
    }

    [Fact]
    public void Compare_TenthSigmaShiftAt10000Rows_IsDetectedInAtLeast99PercentOfTrials()
    {
        var detector = new DriftDetector(new DriftOptions().ForColumn("A", DriftMethod.KolmogorovSmirnov));
        var detected = 0;
        for (var trial = 0; trial < 100; trial++)
        {
            var report = detector.Compare(Data(10_000, 1000 + trial), Data(10_000, 5000 + trial, shiftA: 0.1), ["A"]);
            detected += report.Columns[0].Drifted ? 1 : 0;
        }

        Assert.True(detected >= 99, $"detected in {detected} of 100 trials");
    }

    [Fact]
    public void Compare_NegligibleShiftOnAHugeSample_IsSignificantButBelowTheEffectSizeFloor()
    {
        var report = new DriftDetector(new DriftOptions().ForColumn("A", DriftMethod.KolmogorovSmirnov)).Compare(Data(200_000, 1), Data(200_000, 2, shiftA: 0.02), ["A"]);
        var a = report.Columns[0];
        Assert.True(a.PValue < 0.05, $"p = {a.PValue}");
        Assert.False(a.Drifted);
        Assert.Contains("below the effect-size floor", a.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void IntegerColumn_WhoseTopDecileIsItsMaximum_HasNoEmptyLastBin()
    {
        // Day of week 0..6 with a heavy 6: the 90% quantile is 6, which used to add an empty bin "6 .. max".
        var ml = new MLContext(1);
        var days = Enumerable.Range(0, 1_400).Select(i => (float)(i % 10 < 4 ? 6 : i % 6)).ToArray();
        var reference = ml.Data.LoadFromEnumerable(days.Select(d => new Row { A = d }));
        var current = ml.Data.LoadFromEnumerable(days.Select(d => new Row { A = d }));
        var column = new DriftDetector().Compare(reference, current, ["A"]).Columns[0];
        Assert.All(column.Bins, b => Assert.True(b.ReferenceShare > 0 || b.CurrentShare > 0, $"empty bin {b.Label}"));
        Assert.EndsWith(".. max", column.Bins[^1].Label, StringComparison.Ordinal);
        Assert.Equal(1.0, column.Bins.Sum(b => b.ReferenceShare), 9);
    }

    [Fact]
    public void NormedWasserstein_DividesByThePopulationStandardDeviation_AsEvidently()
    {
        // Reference {0, 2, 0, 2}: population sd 1 (sample sd 1.155). Current shifted by 1: W = 1, normed 1.
        var ml = new MLContext(1);
        var reference = ml.Data.LoadFromEnumerable(new[] { 0f, 2f, 0f, 2f }.Select(a => new Row { A = a, B = 0, C = "x" }));
        var current = ml.Data.LoadFromEnumerable(new[] { 1f, 3f, 1f, 3f }.Select(a => new Row { A = a, B = 0, C = "x" }));
        var report = new DriftDetector(new DriftOptions().ForColumn("A", DriftMethod.Wasserstein, threshold: 0.1)).Compare(reference, current, ["A"]);
        Assert.Equal(1.0, report.Columns[0].Statistic, 6);
    }

    [Fact]
    public void Compare_PerColumnThreshold_ChangesOnlyItsOwnColumn()
    {
        var options = new DriftOptions().ForColumn("A", DriftMethod.Wasserstein, threshold: 5);
        var report = new DriftDetector(options).Compare(Data(5_000, 1), Data(5_000, 2, shiftA: 1, shiftB: 1), ["A", "B"]);
        Assert.Equal(5, report.Columns[0].Threshold);
        Assert.False(report.Columns[0].Drifted);
        Assert.Equal(0.1, report.Columns[1].Threshold);
        Assert.True(report.Columns[1].Drifted);
        Assert.Equal(0.1, options.DistanceThreshold);
    }

    [Fact]
    public void Compare_ManyUnshiftedColumns_BenjaminiHochbergHoldsBackChanceAlarms()
    {
        // 40 p-value tests under no shift: uncorrected, about two false alarms are expected; corrected, almost none.
        var random = new Random(11);
        var uncorrected = 0;
        var corrected = 0;
        for (var trial = 0; trial < 20; trial++)
        {
            var names = Enumerable.Range(0, 40).Select(i => $"c{i}").ToArray();
            var refView = Wide(names, 500, random);
            var curView = Wide(names, 500, random);
            var options = new DriftOptions { NumericEffectSizeFloor = 0 };
            corrected += new DriftDetector(options).Compare(refView, curView).DriftedColumns;
            uncorrected += new DriftDetector(new DriftOptions { NumericEffectSizeFloor = 0, ControlFalseDiscoveryRate = false }).Compare(refView, curView).DriftedColumns;
        }

        Assert.True(corrected < uncorrected, $"corrected {corrected}, uncorrected {uncorrected}");
        Assert.InRange(corrected, 0, 4);
    }

    private static IDataView Wide(string[] names, int rows, Random random)
    {
        var columns = names.Select(_ => Enumerable.Range(0, rows).Select(_ => Gaussian(random)).ToArray()).ToArray();
        return new ArrayView(names, columns);
    }

    [Fact]
    public void CompareProfiles_SketchStatistics_AgreeWithExactWithinTheirErrorBound()
    {
        var reference = Data(20_000, 1);
        var current = Data(20_000, 2, shiftA: 0.3);
        var exact = new DriftDetector(new DriftOptions().ForColumn("A", DriftMethod.KolmogorovSmirnov)).Compare(reference, current, ["A"]).Columns[0];
        var sketch = new DriftDetector(new DriftOptions().ForColumn("A", DriftMethod.KolmogorovSmirnov)).CompareProfiles(DataProfile.Create(reference), DataProfile.Create(current), ["A"]).Columns[0];
        Assert.Null(exact.ErrorBound);
        Assert.NotNull(sketch.ErrorBound);
        Assert.True(Math.Abs(exact.Statistic - sketch.Statistic) <= sketch.ErrorBound, $"exact D {exact.Statistic}, sketch D {sketch.Statistic} ± {sketch.ErrorBound}");
        Assert.True(sketch.Drifted);
        Assert.Contains("from sketches", sketch.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_DatasetDrift_OnlyWhenTheDriftedShareReachesTheThreshold()
    {
        var oneOfThree = new DriftDetector().Compare(Data(3_000, 1), Data(3_000, 2, shiftA: 1), ["A", "B", "C"]);
        Assert.Equal(1, oneOfThree.DriftedColumns);
        Assert.False(oneOfThree.DatasetDrift);
        var strict = new DriftDetector(new DriftOptions { DriftShare = 0.3 }).Compare(Data(3_000, 1), Data(3_000, 2, shiftA: 1), ["A", "B", "C"]);
        Assert.True(strict.DatasetDrift);
    }

    [Fact]
    public void Compare_CategoryShareShift_IsFlaggedByJensenShannon()
    {
        var report = new DriftDetector().Compare(Data(5_000, 1), Data(5_000, 2, categoryShift: 0.4), ["C"]);
        Assert.Equal(DriftMethod.JensenShannon, report.Columns[0].Method);
        Assert.True(report.Columns[0].Drifted);
        Assert.Contains(report.Columns[0].Bins, b => b.Label == "x");
    }

    [Fact]
    public void Compare_EmptyReferenceOrCurrent_ReportsTheProblemWithoutCrashing()
    {
        var empty = Data(0, 1);
        var reference = new DriftDetector().Compare(empty, Data(100, 2));
        Assert.Empty(reference.Columns);
        Assert.Contains("reference has no rows", reference.Problems[0], StringComparison.Ordinal);
        var current = new DriftDetector().CompareProfiles(DataProfile.Create(Data(100, 2)), DataProfile.Create(empty));
        Assert.Contains("current data has no rows", current.Problems[0], StringComparison.Ordinal);
        Assert.False(current.DatasetDrift);
    }

    [Fact]
    public void Compare_AllMissingColumn_IsFlaggedByItsMissingShare()
    {
        var report = new DriftDetector().Compare(Data(2_000, 1), Data(2_000, 2, b: _ => float.NaN), ["B"]);
        var b = report.Columns[0];
        Assert.True(b.Drifted);
        Assert.Equal(1, b.CurrentMissingShare);
        Assert.Contains("no present values in the current data", b.Reason, StringComparison.Ordinal);
        Assert.Contains("missing share moved from 0% to 100%", b.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_InfinitiesAndZeroVariance_AreHandled()
    {
        // Two values in all: compared as categories (as Evidently), which drift; by distance, a constant reference is named.
        var twoValues = new DriftDetector().Compare(Data(2_000, 1, b: _ => 3f), Data(2_000, 2, b: i => i % 2 == 0 ? 3f : 4f), ["B"]).Columns[0];
        Assert.True(twoValues.Drifted);
        Assert.Equal(DriftMethod.JensenShannon, twoValues.Method);
        var constant = new DriftDetector(new DriftOptions().ForColumn("B", DriftMethod.Wasserstein)).Compare(Data(2_000, 1, b: _ => 3f), Data(2_000, 2, b: i => i % 2 == 0 ? 3f : 4f), ["B"]).Columns[0];
        Assert.True(constant.Drifted);
        Assert.Contains("reference is constant", constant.Reason, StringComparison.Ordinal);
        var same = new DriftDetector().Compare(Data(2_000, 1, b: _ => 3f), Data(2_000, 2, b: _ => 3f), ["B"]).Columns[0];
        Assert.False(same.Drifted);
        var infinite = new DriftDetector().Compare(Data(2_000, 1), Data(2_000, 2, b: i => i % 100 == 0 ? float.PositiveInfinity : i % 7), ["B"]).Columns[0];
        Assert.Equal(2_000 - 20, infinite.CurrentCount);
        Assert.True(double.IsFinite(infinite.Statistic));
    }

    [Fact]
    public void Compare_TypeChangedBetweenReferenceAndCurrent_IsAProblemAndADrift()
    {
        var ml = new MLContext(1);
        var reference = ml.Data.LoadFromEnumerable(new[] { new { V = 1f }, new { V = 2f } });
        var current = ml.Data.LoadFromEnumerable(new[] { new { V = "1" }, new { V = "2" } });
        var report = new DriftDetector().Compare(reference, current);
        Assert.True(report.Columns[0].Drifted);
        Assert.Contains("Column 'V' is Numeric in the reference and Text in the current data.", report.Problems);
    }

    [Fact]
    public void Options_InvalidValues_AreAllReported()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new DriftDetector(new DriftOptions { PValueThreshold = 0, DriftShare = 1.5, DistanceThreshold = -1 }.ForColumn("A", DriftMethod.Auto, threshold: double.NaN)));
        Assert.Equal(4, error.Failures.Count());
    }

    [Fact]
    public void Options_Defaults_FollowEvidently()
    {
        var options = new DriftOptions();
        Assert.Equal(0.05, options.PValueThreshold);
        Assert.Equal(0.1, options.DistanceThreshold);
        Assert.Equal(0.1, options.PsiThreshold);
        Assert.Equal(1_000, options.SmallSampleLimit);
        Assert.Equal(0.5, options.DriftShare);
        Assert.True(options.ControlFalseDiscoveryRate);
        Assert.Equal(0.05, options.NumericEffectSizeFloor);
        Assert.Equal(0.02, options.CategoricalEffectSizeFloor);
    }

    [Fact]
    public void Report_JsonAndHtml_HaveStableFieldsAndNoExternalAssets()
    {
        var report = new DriftDetector().Compare(Data(3_000, 1), Data(3_000, 2, shiftA: 1), ["A", "C"]) with { Reference = "jan.csv", Current = "june.csv" };
        using var json = JsonDocument.Parse(report.ToJson());
        var root = json.RootElement;
        foreach (var field in new[] { "columns", "problems", "driftShareThreshold", "driftedColumns", "driftedShare", "datasetDrift", "reference", "current" })
        {
            Assert.True(root.TryGetProperty(field, out _), field);
        }

        var column = root.GetProperty("columns")[0];
        foreach (var field in new[] { "column", "kind", "method", "statistic", "threshold", "drifted", "reason", "bins" })
        {
            Assert.True(column.TryGetProperty(field, out _), field);
        }

        Assert.Equal("Wasserstein", column.GetProperty("method").GetString());
        var html = report.ToHtml();
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.Contains("june.csv", html, StringComparison.Ordinal);
        Assert.DoesNotContain("src=\"http", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<link", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
    }

    /// <summary>A minimal data view of float columns, for many-column tests.</summary>
    private sealed class ArrayView(string[] names, float[][] columns) : IDataView
    {
        public bool CanShuffle => false;

        public Microsoft.ML.DataViewSchema Schema { get; } = Build(names);

        public float[][] Values => columns;

        public long? GetRowCount() => columns[0].Length;

        public Microsoft.ML.DataViewRowCursor GetRowCursor(IEnumerable<Microsoft.ML.DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

        public Microsoft.ML.DataViewRowCursor[] GetRowCursorSet(IEnumerable<Microsoft.ML.DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

        private static Microsoft.ML.DataViewSchema Build(string[] names)
        {
            var builder = new Microsoft.ML.DataViewSchema.Builder();
            foreach (var name in names)
            {
                builder.AddColumn(name, Microsoft.ML.Data.NumberDataViewType.Single);
            }

            return builder.ToSchema();
        }

        private sealed class Cursor(ArrayView view) : Microsoft.ML.DataViewRowCursor
        {
            private long _position = -1;

            public override Microsoft.ML.DataViewSchema Schema => view.Schema;

            public override long Position => _position;

            public override long Batch => 0;

            public override bool MoveNext() => ++_position < view.Values[0].Length;

            public override ValueGetter<TValue> GetGetter<TValue>(Microsoft.ML.DataViewSchema.Column column)
            {
                var values = (TValue[])(object)view.Values[column.Index];
                return (ref TValue value) => value = values[_position];
            }

            public override ValueGetter<Microsoft.ML.Data.DataViewRowId> GetIdGetter() => (ref Microsoft.ML.Data.DataViewRowId id) => id = new((ulong)_position, 0);

            public override bool IsColumnActive(Microsoft.ML.DataViewSchema.Column column) => true;
        }
    }
}
