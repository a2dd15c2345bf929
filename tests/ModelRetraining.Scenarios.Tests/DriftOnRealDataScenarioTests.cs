using ModelRetraining.MLNet;
using QuickStart;

namespace ModelRetraining.Scenarios.Tests;

/// <summary>
/// Story: a team compares the data its champion was trained on with data that arrives later. On NOAA's
/// Atlantic storms, the wind-radius columns that were never recorded before August 2004 and almost
/// always after are flagged; on US flights, the share of late arrivals in June against January is
/// flagged as label drift; and two halves of the same month of flights do not count as data-set drift.
/// </summary>
public class DriftOnRealDataScenarioTests
{
    private static readonly RetrainingContext Context = new("drift", "run", TimeProvider.System);

    private static CsvSchema StormSchema() => new CsvSchema()
        .Time("datetime_utc").Text("name").Numeric("year").Numeric("month").Numeric("day").Numeric("hour")
        .Numeric("lat").Numeric("long").Text("status").Numeric("category").Numeric("wind").Numeric("pressure")
        .Numeric("tropicalstorm_force_diameter").Numeric("hurricane_force_diameter");

    private static string Storms => Path.Combine(AppContext.BaseDirectory, "data", "atlantic-storms", "storms.csv.gz");

    [Fact]
    public async Task Storms_WindRadiiRecordedOnlyFrom2004_AreFlaggedExactlyAndFromProfiles()
    {
        var source = CsvDataSource.FromFile(Storms, StormSchema());
        var before = await source.Between(new DateTime(1975, 1, 1), new DateTime(2001, 1, 1)).LoadAsync(Context);
        var after = await source.Between(new DateTime(2005, 1, 1), new DateTime(2021, 1, 1)).LoadAsync(Context);
        Assert.Equal(5_374, before.RowCount);
        var columns = new[] { "tropicalstorm_force_diameter", "hurricane_force_diameter", "lat", "pressure" };

        foreach (var report in new[]
        {
            new DriftDetector().Compare(before.Data, after.Data, columns),
            new DriftDetector().CompareProfiles(DataProfile.Create(before.Data), DataProfile.Create(after.Data), columns),
        })
        {
            foreach (var name in columns[..2])
            {
                var column = report.Columns.Single(c => c.Column == name);
                Assert.True(column.Drifted, column.Reason);
                Assert.Equal(1, column.ReferenceMissingShare);
                Assert.True(column.CurrentMissingShare < 0.05, $"{name}: {column.CurrentMissingShare}");
                Assert.Contains("no present values in the reference", column.Reason, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Flights_JanuaryAgainstJune_FlagsTheLabelDrift()
    {
        var source = CsvDataSource.FromFile(FlightDelays.DataFile, FlightDelays.Schema());
        var january = await source.Between(new DateTime(2001, 1, 1), new DateTime(2001, 2, 1)).LoadAsync(Context);
        var june = await source.Between(new DateTime(2001, 6, 1), new DateTime(2001, 7, 1)).LoadAsync(Context);

        // Label drift is a test on the label column: late arrivals 20.7% in January, 21.5% in June,
        // 42,354 and 41,852 flights. A chi-squared test with a 0.5-point floor flags it.
        var options = new DriftOptions { CategoricalEffectSizeFloor = 0.005 }.ForColumn("Late", DriftMethod.ChiSquared);
        var late = new DriftDetector(options).Compare(january.Data, june.Data, ["Late"]).Columns.Single();

        Assert.True(late.Drifted, late.Reason);
        Assert.True(late.PValue < 0.05);
        Assert.Equal(DriftMethod.ChiSquared, late.Method);
        var lateShare = late.Bins.Single(b => b.Label == "true");
        Assert.Equal(0.2068, lateShare.ReferenceShare, 3);
        Assert.Equal(0.2146, lateShare.CurrentShare, 3);
    }

    [Fact]
    public async Task Flights_TwoHalvesOfJanuary_AreNotDataSetDrift()
    {
        var source = CsvDataSource.FromFile(FlightDelays.DataFile, FlightDelays.Schema());
        var first = await source.Between(new DateTime(2001, 1, 1), new DateTime(2001, 1, 16)).LoadAsync(Context);
        var second = await source.Between(new DateTime(2001, 1, 16), new DateTime(2001, 2, 1)).LoadAsync(Context);
        var columns = new[] { "delay", "distance", "origin", "destination", "Late" };

        var report = new DriftDetector().Compare(first.Data, second.Data, columns);

        Assert.False(report.DatasetDrift, string.Join(" | ", report.Columns.Select(c => c.Reason)));
        Assert.Equal(5, report.Columns.Count);
        Assert.Equal(DriftMethod.Wasserstein, report.Columns.Single(c => c.Column == "distance").Method);
        Assert.Equal(DriftMethod.JensenShannon, report.Columns.Single(c => c.Column == "origin").Method);
    }
}
