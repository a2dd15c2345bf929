using System.Globalization;
using Microsoft.Extensions.Options;
using Microsoft.ML;

namespace ModelRetraining;

/// <summary>
/// Compares a reference data set with a current one, column by column, and decides whether each column
/// and the data set as a whole drifted. Works on raw data (exact statistics) or on stored profiles
/// (sketch statistics with their error bound). Label drift and prediction drift are the same
/// comparison on the label or prediction column.
/// </summary>
public sealed partial class DriftDetector
{
    private readonly DriftOptions _options;

    /// <summary>Creates a detector.</summary>
    /// <param name="options">The settings, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="OptionsValidationException">A setting is invalid; the message lists every problem.</exception>
    public DriftDetector(DriftOptions? options = null)
    {
        _options = options ?? new DriftOptions();
        var errors = _options.Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(DriftOptions), typeof(DriftOptions), errors);
        }
    }

    /// <summary>Compares two data sets held in memory, with exact statistics.</summary>
    /// <param name="reference">The reference rows (the champion's training data).</param>
    /// <param name="current">The current rows (new data).</param>
    /// <param name="columns">The columns to compare; <see langword="null"/> compares every profilable column of the reference.</param>
    /// <param name="cancellationToken">Cancels the comparison.</param>
    /// <returns>The report.</returns>
    public DriftReport Compare(IDataView reference, IDataView current, IEnumerable<string>? columns = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        var pairs = new List<(string Name, DataColumnKind Kind, Func<DriftSample> Reference, Func<DriftSample> Current, DataColumnKind? CurrentKind)>();
        var pool = new SamplePool();
        foreach (var name in Names(columns, reference.Schema.Where(c => !c.IsHidden).Select(c => c.Name)))
        {
            var r = reference.Schema.GetColumnOrNull(name);
            var c = current.Schema.GetColumnOrNull(name);
            var rk = r is { } rc ? DataProfile.KindOf(rc.Type) : null;
            var ck = c is { } cc ? DataProfile.KindOf(cc.Type) : null;
            if (rk is null)
            {
                continue;
            }

            pairs.Add((name, rk.Value, () => DriftSample.FromData(reference, r!.Value, rk.Value, pool, cancellationToken), () => DriftSample.FromData(current, c!.Value, ck!.Value, pool, cancellationToken), ck));
        }

        return Run(pairs, reference.GetRowCount() ?? -1, current.GetRowCount() ?? -1);
    }

    /// <summary>Compares two stored profiles, with sketch statistics and their error bounds.</summary>
    /// <param name="reference">The reference profile (stored with the champion).</param>
    /// <param name="current">The current profile.</param>
    /// <param name="columns">The columns to compare; <see langword="null"/> compares every column of the reference.</param>
    /// <returns>The report.</returns>
    public DriftReport CompareProfiles(DataProfile reference, DataProfile current, IEnumerable<string>? columns = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        var pairs = new List<(string, DataColumnKind, Func<DriftSample>, Func<DriftSample>, DataColumnKind?)>();
        foreach (var name in Names(columns, reference.Columns.Select(c => c.Name)))
        {
            if (reference[name] is not { } r)
            {
                continue;
            }

            var c = current[name];
            pairs.Add((name, r.Kind, () => DriftSample.FromProfile(r), () => DriftSample.FromProfile(c!), c?.Kind));
        }

        return Run(pairs, reference.RowCount, current.RowCount);
    }

    private IEnumerable<string> Names(IEnumerable<string>? requested, IEnumerable<string> all)
        => (requested ?? all).Where(n => !(_options.Columns.TryGetValue(n, out var o) && o.Ignore)).Distinct(StringComparer.Ordinal);

    private DriftReport Run(List<(string Name, DataColumnKind Kind, Func<DriftSample> Reference, Func<DriftSample> Current, DataColumnKind? CurrentKind)> pairs, long referenceRows, long currentRows)
    {
        var problems = new List<string>();
        if (referenceRows == 0)
        {
            problems.Add("The reference has no rows: there is nothing to compare with, so no column was checked.");
        }

        if (currentRows == 0)
        {
            problems.Add("The current data has no rows: there is nothing to compare, so no column was checked.");
        }

        if (problems.Count > 0)
        {
            return new DriftReport([], problems, _options.DriftShare);
        }

        foreach (var (name, kind, _, _, currentKind) in pairs)
        {
            if (currentKind is null)
            {
                problems.Add($"Column '{name}' is in the reference but not in the current data.");
            }
            else if (currentKind != kind)
            {
                problems.Add($"Column '{name}' is {kind} in the reference and {currentKind} in the current data.");
            }
        }

        // Columns are independent: compare them on all cores.
        var results = new ColumnDriftResult[pairs.Count];
        Parallel.For(0, pairs.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var (name, kind, referenceSample, currentSample, currentKind) = pairs[i];
            results[i] = currentKind is null
                ? new ColumnDriftResult(name, kind, DriftMethod.Auto, double.NaN, double.NaN, true, $"Column '{name}' is missing from the current data.")
                : currentKind != kind
                    ? new ColumnDriftResult(name, kind, DriftMethod.Auto, double.NaN, double.NaN, true, $"Column '{name}' changed type: {kind} in the reference, {currentKind} now; its distributions were not compared.")
                    : CompareReleasing(name, referenceSample, currentSample);
        });

        return new DriftReport(ApplyFalseDiscoveryControl([.. results]), problems, _options.DriftShare);
    }

    // One column's samples live only while it is compared; rented arrays go back to the pool at once.
    private ColumnDriftResult CompareReleasing(string name, Func<DriftSample> referenceSample, Func<DriftSample> currentSample)
    {
        var reference = referenceSample();
        try
        {
            var current = currentSample();
            try
            {
                return CompareColumn(name, reference, current);
            }
            finally
            {
                current.Release();
            }
        }
        finally
        {
            reference.Release();
        }
    }

    private ColumnDriftResult CompareColumn(string name, DriftSample reference, DriftSample current)
    {
        var overrides = _options.Columns.TryGetValue(name, out var found) ? found : null;
        var method = overrides?.Method ?? DriftMethod.Auto;

        // A numeric column with at most 5 values (a flag, a rating) is compared as categories of its values,
        // as Evidently does; a test of the explicit methods that need categories gets them the same way.
        var valueCounts = reference.Kind == DataColumnKind.Numeric && method is DriftMethod.Auto or DriftMethod.ZTest or DriftMethod.ChiSquared
            ? NumericValueCounts(reference, current, method == DriftMethod.Auto ? 5 : MaxExactValues)
            : null;
        if (method == DriftMethod.Auto)
        {
            var small = reference.Present <= _options.SmallSampleLimit;
            if (reference.IsNumeric && valueCounts is null)
            {
                method = small ? DriftMethod.KolmogorovSmirnov : DriftMethod.Wasserstein;
            }
            else
            {
                var distinct = valueCounts is { } v ? v.Reference.Keys.Union(v.Current.Keys).Count() : reference.Categories!.Keys.Union(current.Categories!.Keys, StringComparer.Ordinal).Count();
                method = !small ? DriftMethod.JensenShannon : distinct <= 2 ? DriftMethod.ZTest : DriftMethod.ChiSquared;
            }
        }

        var threshold = overrides?.Threshold ?? DefaultThreshold(method);
        var missingChange = Math.Abs(current.MissingShare - reference.MissingShare);
        var missing = missingChange >= _options.MissingShareThreshold;
        var missingReason = missing
            ? $" Its missing share moved from {Percent(reference.MissingShare)} to {Percent(current.MissingShare)} (limit ±{Percent(_options.MissingShareThreshold)})."
            : string.Empty;
        var baseResult = new ColumnDriftResult(name, reference.Kind, method, double.NaN, threshold, missing, string.Empty)
        {
            ReferenceCount = reference.Present,
            CurrentCount = current.Present,
            ReferenceMissingShare = reference.MissingShare,
            CurrentMissingShare = current.MissingShare,
        };

        if (reference.Present == 0 || current.Present == 0)
        {
            var side = reference.Present == 0 ? "the reference" : "the current data";
            return baseResult with
            {
                Reason = $"Column '{name}' has no present values in {side}, so its distribution was not compared.{missingReason}",
            };
        }

        if (valueCounts is { } counts)
        {
            var asCategories = Categorical(method, threshold, counts.Reference, counts.Current, baseResult);
            var result2 = asCategories with { Reason = $"{counts.Reference.Keys.Union(counts.Current.Keys).Count()} distinct values, compared as categories. {asCategories.Reason}" };
            return missing ? result2 with { Drifted = true, Reason = result2.Reason + missingReason } : result2;
        }

        if (reference.IsNumeric != IsNumericMethod(method) && method is not (DriftMethod.PopulationStabilityIndex or DriftMethod.JensenShannon))
        {
            return baseResult with { Drifted = true, Reason = $"Method {method} does not apply to {reference.Kind} column '{name}'{(method is DriftMethod.ZTest or DriftMethod.ChiSquared && reference.IsNumeric ? $" with more than {MaxExactValues} distinct values" : string.Empty)}." };
        }

        var result = reference.IsNumeric ? Numeric(name, method, threshold, reference, current, baseResult) : Categorical(method, threshold, reference.Categories!, current.Categories!, baseResult);
        return missing ? result with { Drifted = true, Reason = result.Reason + missingReason } : result;
    }

    private static bool IsNumericMethod(DriftMethod method) => method is DriftMethod.KolmogorovSmirnov or DriftMethod.Wasserstein;

    private double DefaultThreshold(DriftMethod method) => method switch
    {
        DriftMethod.KolmogorovSmirnov or DriftMethod.ChiSquared or DriftMethod.ZTest => _options.PValueThreshold,
        DriftMethod.PopulationStabilityIndex => _options.PsiThreshold,
        _ => _options.DistanceThreshold,
    };

    private List<ColumnDriftResult> ApplyFalseDiscoveryControl(List<ColumnDriftResult> results)
    {
        if (!_options.ControlFalseDiscoveryRate)
        {
            return results;
        }

        // Only tests held to the global p-value threshold share one false-discovery budget.
        var tested = results.Select((r, i) => (r, i)).Where(x => x.r.PValue is not null && x.r.Threshold == _options.PValueThreshold && !_options.Columns.ContainsKey(x.r.Column)).ToArray();
        if (tested.Length < 2)
        {
            return results;
        }

        var rejected = DriftStatistics.BenjaminiHochberg(tested.Select(x => x.r.PValue!.Value).ToArray(), _options.PValueThreshold);
        for (var k = 0; k < tested.Length; k++)
        {
            var (r, i) = tested[k];
            if (r.Drifted && !rejected[k] && r.CurrentMissingShare - r.ReferenceMissingShare is var change && Math.Abs(change) < _options.MissingShareThreshold)
            {
                results[i] = r with { Drifted = false, Reason = r.Reason + $" Not significant after the Benjamini-Hochberg correction over {tested.Length} tests at {Number(_options.PValueThreshold)}: not drift." };
            }
        }

        return results;
    }

    private static string Number(double value) => Formatting.Number(value);

    private static string P(double p) => Formatting.PValue(p);

    private static string Percent(double share) => Formatting.Percent(share);
}
