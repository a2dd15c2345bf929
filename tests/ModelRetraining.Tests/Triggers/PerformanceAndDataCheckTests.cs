using Microsoft.ML;

namespace ModelRetraining.Tests;

public class PerformanceAndDataCheckTests
{
    [Fact]
    public void PerformanceMonitor_ErrorRateJump_FiresOnePerformanceTriggerWithEvidence()
    {
        var triggers = new List<RetrainingTrigger>();
        var monitor = new PerformanceMonitor(ConceptDrift.Adwin(), triggers.Add);
        var random = new Random(4);
        for (var i = 0; i < 2_000; i++)
        {
            monitor.RecordOutcome(random.NextDouble() >= 0.1);
        }

        Assert.Empty(triggers);
        for (var i = 0; i < 400; i++)
        {
            monitor.RecordOutcome(random.NextDouble() >= 0.5);
        }

        var trigger = Assert.Single(triggers);
        Assert.Equal("performance", trigger.Kind);
        Assert.Equal("ADWIN", trigger.Evidence["detector"]);
        Assert.True(long.Parse(trigger.Evidence["outcomes"], System.Globalization.CultureInfo.InvariantCulture) > 2_000);
    }

    [Fact]
    public void PerformanceMonitor_NaNOrInfiniteLoss_IsRefusedAndNotRecorded()
    {
        var monitor = new PerformanceMonitor(ConceptDrift.PageHinkley(), _ => { });
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => monitor.RecordLoss(double.NaN));
        Assert.Contains("NaN was not recorded", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => monitor.RecordLoss(double.PositiveInfinity));
    }

    [Fact]
    public async Task DriftCheck_ShiftedRecentData_FiresADriftTrigger_UnshiftedDoesNot()
    {
        var fixture = new PipelineFixture();
        Assert.Null(await DataCheck.DriftAsync(fixture.Registry, "churn", fixture.Training, null, TimeProvider.System));
        await fixture.Builder().Build().RunAsync();

        Assert.Null(await DataCheck.DriftAsync(fixture.Registry, "churn", fixture.Training, null, TimeProvider.System));
        var shifted = new Testing.FakeDataSource("recent", (_, _) => TestData.Snapshot("recent", 100) with
        {
            Data = new MLContext(1).Data.LoadFromEnumerable(Enumerable.Range(0, 100).Select(i => new TestData.Row { X = 5_000 + i, Label = i % 4 == 0 }).ToArray()),
        });
        var trigger = await DataCheck.DriftAsync(fixture.Registry, "churn", shifted, null, TimeProvider.System);
        Assert.NotNull(trigger);
        Assert.Equal("drift", trigger.Kind);
        Assert.Contains("X (", trigger.Evidence["columns"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewDataCheck_FiresOnlyPastTheThreshold()
    {
        var fixture = new PipelineFixture();
        await fixture.Builder().Build().RunAsync();
        var grown = new Testing.FakeDataSource("grown", (_, _) => TestData.Snapshot("grown", 150));
        var slightly = new Testing.FakeDataSource("slightly", (_, _) => TestData.Snapshot("slightly", 120));
        var trigger = await DataCheck.NewDataAsync(fixture.Registry, "churn", grown, 30, TimeProvider.System);
        Assert.Equal("new-data", trigger!.Kind);
        Assert.Equal("100", trigger.Evidence["trainedOn"]);
        Assert.Null(await DataCheck.NewDataAsync(fixture.Registry, "churn", slightly, 30, TimeProvider.System));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await DataCheck.NewDataAsync(fixture.Registry, "churn", grown, 0, TimeProvider.System));
    }

    [Fact]
    public async Task NewDataShareCheck_FiresWhenNewRowsReachTheShareOfTheChampionsTrainingRows()
    {
        var fixture = new PipelineFixture();
        var first = new Testing.FakeDataSource("first", (_, _) => TestData.Snapshot("first", 10));
        Assert.NotNull(await DataCheck.NewDataShareAsync(fixture.Registry, "churn", first, 0.2, TimeProvider.System));

        await fixture.Builder().Build().RunAsync();
        var fifth = new Testing.FakeDataSource("fifth", (_, _) => TestData.Snapshot("fifth", 120));
        var less = new Testing.FakeDataSource("less", (_, _) => TestData.Snapshot("less", 119));
        var trigger = await DataCheck.NewDataShareAsync(fixture.Registry, "churn", fifth, 0.2, TimeProvider.System);
        Assert.Equal("new-data", trigger!.Kind);
        Assert.Contains("threshold 0.2 of 100 rows", trigger.Reason, StringComparison.Ordinal);
        Assert.Null(await DataCheck.NewDataShareAsync(fixture.Registry, "churn", less, 0.2, TimeProvider.System));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await DataCheck.NewDataShareAsync(fixture.Registry, "churn", fifth, 0, TimeProvider.System));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await DataCheck.NewDataShareAsync(fixture.Registry, "churn", fifth, double.NaN, TimeProvider.System));
    }
}
