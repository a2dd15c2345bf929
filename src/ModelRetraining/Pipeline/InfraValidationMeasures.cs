using System.Globalization;

namespace ModelRetraining;

/// <summary>The checks every infra validator makes on what it measured: scores against the evaluation's, latency and memory against the budgets.</summary>
public static class InfraValidationMeasures
{
    /// <summary>Compares the scores served with the evaluation's, row by row.</summary>
    /// <param name="served">The scores the loaded artifact gave, in holdout row order.</param>
    /// <param name="evaluated">The evaluation's per-row outputs of the candidate.</param>
    /// <param name="tolerance">The largest difference accepted.</param>
    /// <param name="problems">Receives a sentence per problem found.</param>
    /// <returns>The largest difference, or <see langword="null"/> when the evaluator kept no scores (a problem is added).</returns>
    public static double? CompareScores(ReadOnlySpan<float> served, PerRowOutputs? evaluated, double tolerance, List<string> problems)
    {
        if (evaluated is null)
        {
            problems.Add("the evaluator kept no per-row scores to compare with.");
            return null;
        }

        var expected = evaluated.Scores.Span;
        var rows = Math.Min(served.Length, expected.Length);
        double? worst = null;
        var worstRow = -1;
        for (var i = 0; i < rows; i++)
        {
            var difference = Math.Abs((double)served[i] - expected[i]);
            if (worst is null || difference > worst || double.IsNaN(difference))
            {
                (worst, worstRow) = (difference, i);
            }
        }

        if (worst > tolerance || worst is double.NaN)
        {
            problems.Add(FormattableString.Invariant($"scores differ from the evaluation's by up to {worst:G4} (holdout row {worstRow + 1}: {served[worstRow]:G9} vs {expected[worstRow]:G9}); the tolerance is {tolerance:G4}."));
        }

        return worst;
    }

    /// <summary>Checks the timings and the memory growth against the budgets, and builds the report.</summary>
    /// <param name="validator">The validator's name.</param>
    /// <param name="runtime">What ran the model (an execution provider, <c>ML.NET</c>).</param>
    /// <param name="rows">The rows scored.</param>
    /// <param name="worst">The largest score difference from <see cref="CompareScores"/>.</param>
    /// <param name="timesMilliseconds">The single-row latencies measured.</param>
    /// <param name="memoryGrowth">The working set's growth while loading and scoring, in bytes.</param>
    /// <param name="options">The budgets.</param>
    /// <param name="problems">The problems found so far; the budgets' are added.</param>
    /// <returns>The report.</returns>
    public static InfraValidationReport Report(string validator, string runtime, int rows, double? worst, List<double> timesMilliseconds, long memoryGrowth, InfraValidationOptions options, List<string> problems)
    {
        var sorted = timesMilliseconds.Order().ToArray();
        var p50 = PairedStatistics.NearestRank(sorted, 0.50);
        var p99 = PairedStatistics.NearestRank(sorted, 0.99);
        Check(problems, "median single-row latency", p50, options.MaxLatencyP50?.TotalMilliseconds, "ms");
        Check(problems, "99th-percentile single-row latency", p99, options.MaxLatencyP99?.TotalMilliseconds, "ms");
        Check(problems, "working-set growth", memoryGrowth, options.MaxMemoryGrowthBytes, "bytes");
        return new InfraValidationReport(validator, problems)
        {
            ExecutionProvider = runtime,
            Rows = rows,
            MaxScoreDifference = worst,
            LatencyP50Milliseconds = p50,
            LatencyP99Milliseconds = p99,
            MemoryGrowthBytes = memoryGrowth,
        };
    }

    private static void Check(List<string> problems, string what, double value, double? budget, string unit)
    {
        if (budget is { } limit && value > limit)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{what} {value:G4} {unit} exceeds the budget of {limit:G4} {unit}."));
        }
    }
}
