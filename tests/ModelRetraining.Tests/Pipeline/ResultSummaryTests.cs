using ModelRetraining.Testing;

namespace ModelRetraining.Tests;

/// <summary>Results print themselves: a person reads the outcome, both models on one holdout and the decision table without writing a loop.</summary>
public class ResultSummaryTests
{
    [Fact]
    public async Task RunResult_ToString_ShowsOutcomeVersionsMetricsSideBySideAndTheDecisionTable()
    {
        var fixture = new PipelineFixture();
        await fixture.Builder().Build().RunAsync(new RetrainingRunOptions { RunId = "r1" });
        var result = await fixture.Builder().Build().RunAsync(new RetrainingRunOptions { RunId = "r2" });

        var text = result.ToString();

        Assert.StartsWith("Run r2 of 'churn': Succeeded in ", text, StringComparison.Ordinal);
        Assert.Contains("registered v2; champion before: v1", text, StringComparison.Ordinal);
        Assert.Contains("Evaluated on the same holdout (", text, StringComparison.Ordinal);
        Assert.Matches(@"AUC\s+0\.8\s+champion 0\.75\s+\(higher is better\)", text);
        Assert.Contains("Gate: Approved", text, StringComparison.Ordinal);
        Assert.Contains("pass  ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RejectedRun_ToString_MarksTheFailedCriterionAndGivesTheReasons()
    {
        var fixture = new PipelineFixture();
        await fixture.Builder().Build().RunAsync();
        fixture.Evaluator.CandidateMetrics = FakeEvaluator.Metrics(("AUC", 0.60, MetricDirection.HigherIsBetter));
        var result = await fixture.Builder().Build().RunAsync();

        var text = result.ToString();

        Assert.Contains(": Rejected at Gating", text, StringComparison.Ordinal);
        Assert.Contains("FAIL  ", text, StringComparison.Ordinal);
        Assert.Contains("\n  - ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void DriftReport_ToString_PutsDriftedColumnsFirst_WithTheirPValues()
    {
        var report = new DriftReport(
            [
                new ColumnDriftResult("a", DataColumnKind.Numeric, DriftMethod.KolmogorovSmirnov, 0.01, 0.05, false, "no drift") { PValue = 0.6 },
                new ColumnDriftResult("b", DataColumnKind.Numeric, DriftMethod.KolmogorovSmirnov, 0.4, 0.05, true, "drift") { PValue = 0 },
            ],
            [],
            0.5) { Reference = "june", Current = "july" };

        var lines = report.ToString().Split('\n');

        Assert.Equal("july against june: 1 of 2 columns drifted (50%); the data set drifted (threshold 50%)", lines[0]);
        Assert.StartsWith("  DRIFT  b:", lines[1], StringComparison.Ordinal);
        Assert.Contains("p = < 1e-300", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("  ok     a:", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void DriftReportHtml_DriftedColumnsFirstAndHighlighted_TitleWithoutTheDirectory()
    {
        var report = new DriftReport(
            [
                new ColumnDriftResult("a", DataColumnKind.Numeric, DriftMethod.KolmogorovSmirnov, 0.01, 0.05, false, "no drift") { PValue = 0.6 },
                new ColumnDriftResult("b", DataColumnKind.Numeric, DriftMethod.KolmogorovSmirnov, 0.4, 0.05, true, "drift") { PValue = 0 },
            ],
            [],
            0.5) { Reference = "/srv/data/flights.csv [2001-01-01 .. 2001-02-01)", Current = "/srv/data/flights.csv [2001-06-01 .. 2001-07-01)" };

        var html = report.ToHtml();

        Assert.Contains("<h1>Drift: flights.csv [2001-06-01 .. 2001-07-01) against flights.csv [2001-01-01 .. 2001-02-01)</h1>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/srv/data", html, StringComparison.Ordinal);
        Assert.True(html.IndexOf("href=\"#c-b\"", StringComparison.Ordinal) < html.IndexOf("href=\"#c-a\"", StringComparison.Ordinal));
        Assert.Contains("<tr class=\"drifted\"><td><a href=\"#c-b\">", html, StringComparison.Ordinal);
        Assert.Contains("<td>&lt; 1e-300</td>", html, StringComparison.Ordinal);
    }
}
