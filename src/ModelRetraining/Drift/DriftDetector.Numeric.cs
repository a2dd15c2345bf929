namespace ModelRetraining;

/// <content>Numeric columns: KS, normed Wasserstein and shares over reference-decile bins, exact or from sketches.</content>
public sealed partial class DriftDetector
{
    private ColumnDriftResult Numeric(string name, DriftMethod method, double threshold, DriftSample reference, DriftSample current, ColumnDriftResult result)
    {
        var exact = reference.Sorted is not null && current.Sorted is not null;
        var errorBound = exact ? (double?)null : reference.RankError + current.RankError;
        var wasserstein = exact ? DriftStatistics.Wasserstein(reference.Sorted!.Value.Span, current.Sorted!.Value.Span) : SketchWasserstein(reference, current);
        // Normed by the population standard deviation, as Evidently's normed Wasserstein (np.std) is: the
        // sample one made small references 1–5% less drifted than Evidently says.
        var std = reference.Present > 1 ? reference.StandardDeviation * Math.Sqrt((reference.Present - 1.0) / reference.Present) : reference.StandardDeviation;
        var normed = std > 0 ? wasserstein / std : wasserstein > 0 ? double.PositiveInfinity : 0;
        var bins = DecileBins(reference, current);
        result = result with { Bins = bins.Select(b => b.Bin).ToArray(), ErrorBound = errorBound, EffectSize = normed };
        var exactness = exact ? "exact" : $"from sketches, ±{Number(errorBound!.Value)}";
        switch (method)
        {
            case DriftMethod.KolmogorovSmirnov:
            {
                var d = exact ? DriftStatistics.KsStatistic(reference.Sorted!.Value.Span, current.Sorted!.Value.Span) : SketchKs(reference, current);
                var (p, exactP) = DriftStatistics.KsPValue(d, (int)Math.Min(reference.Present, int.MaxValue), (int)Math.Min(current.Present, int.MaxValue));
                var significant = p <= threshold; // as Evidently: drift when p <= threshold
                var large = normed >= _options.NumericEffectSizeFloor;
                var reason = significant && !large
                    ? $"KS D = {Number(d)} ({exactness}), p = {P(p)} <= {Number(threshold)}, but the shift is {Number(normed)} reference standard deviations, below the effect-size floor {Number(_options.NumericEffectSizeFloor)}: not drift."
                    : $"KS D = {Number(d)} ({exactness}), p = {P(p)}{(exactP ? " (exact)" : " (asymptotic)")} {(significant ? "<=" : ">")} {Number(threshold)}; shift {Number(normed)} std: {(significant ? "drift" : "no drift")}.";
                return result with { Statistic = d, PValue = p, ExactPValue = exactP, Drifted = significant && large, Reason = reason };
            }

            case DriftMethod.Wasserstein:
            {
                var drifted = normed >= threshold;
                var reason = std > 0
                    ? $"Wasserstein distance {Number(wasserstein)} = {Number(normed)} reference standard deviations ({exactness}) {(drifted ? ">=" : "<")} {Number(threshold)}: {(drifted ? "drift" : "no drift")}."
                    : $"The reference is constant ({Number(reference.Mean)}); the current values {(drifted ? "differ from it" : "equal it")}: {(drifted ? "drift" : "no drift")}.";
                return result with { Statistic = normed, Drifted = drifted, Reason = reason };
            }

            default:
                return Shares(method, threshold, bins.Select(b => b.Bin.ReferenceShare).ToArray(), bins.Select(b => b.Bin.CurrentShare).ToArray(), result, $"over {bins.Count} reference-quantile bins, {exactness}");
        }
    }

    private static List<(DriftBin Bin, double Edge)> DecileBins(DriftSample reference, DriftSample current)
    {
        // An edge at the largest value of both sides would leave an empty last bin "max .. max" (integer
        // columns, whose top decile is often their maximum): the bin before it runs to the maximum instead.
        var edges = Enumerable.Range(1, 9).Select(i => reference.Quantile(i / 10.0)).Distinct().Order()
            .Where(edge => reference.Cdf(edge) < 1 || current.Cdf(edge) < 1).ToList();
        var bins = new List<(DriftBin, double)>();
        double previousR = 0, previousC = 0;
        var lower = "min";
        foreach (var edge in edges.Append(double.PositiveInfinity))
        {
            var r = double.IsPositiveInfinity(edge) ? 1 : reference.Cdf(edge);
            var c = double.IsPositiveInfinity(edge) ? 1 : current.Cdf(edge);
            var upper = double.IsPositiveInfinity(edge) ? "max" : Number(edge);
            bins.Add((new DriftBin($"{lower} .. {upper}", Math.Max(r - previousR, 0), Math.Max(c - previousC, 0)), edge));
            (previousR, previousC, lower) = (r, c, upper);
        }

        return bins;
    }

    private static double SketchKs(DriftSample reference, DriftSample current)
    {
        double d = 0;
        foreach (var x in reference.GridPoints().Concat(current.GridPoints()))
        {
            d = Math.Max(d, Math.Abs(reference.Cdf(x) - current.Cdf(x)));
        }

        return d;
    }

    private static double SketchWasserstein(DriftSample reference, DriftSample current)
    {
        var grid = reference.GridPoints().Concat(current.GridPoints()).Distinct().Order().ToArray();
        double area = 0;
        for (var i = 0; i + 1 < grid.Length; i++)
        {
            area += Math.Abs(reference.Cdf(grid[i]) - current.Cdf(grid[i])) * (grid[i + 1] - grid[i]);
        }

        return area;
    }
}
