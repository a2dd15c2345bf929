using System.Globalization;
using System.Text.RegularExpressions;

namespace ModelRetraining;

/// <summary>
/// Data-quality rules in the manner of Deequ and Great Expectations. Each rule blocks training
/// (<see cref="ValidationSeverity.Error"/>, the default) or is reported (<see cref="AsWarning"/>); a row-level rule
/// may instead quarantine the rows it catches (<see cref="Quarantine"/>): they are left out of training and written,
/// with the rule that caught each, to a file under <see cref="ReportFolder"/>.
/// <code>q.Completeness("Tenure", mostly: 0.95).InRange("Age", 18, 120).Quarantine().RowCount(min: 1_000)</code>
/// </summary>
public sealed class DataQualityBuilder
{
    private readonly List<QualityRule> _rules = [];
    private readonly List<string> _errors = [];

    /// <summary>Gets or sets the folder where quarantined rows are written (<c>{folder}/{runId}/quarantine-….csv</c>); required when a rule quarantines.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? ReportFolder { get; set; }

    internal IReadOnlyList<QualityRule> Rules => _rules;

    /// <summary>At least <paramref name="mostly"/> of the rows have a value in <paramref name="column"/>.</summary>
    /// <param name="column">The column.</param>
    /// <param name="mostly">The share of rows that must be complete, in (0, 1].</param>
    /// <returns>This builder.</returns>
    public DataQualityBuilder Completeness(string column, double mostly = 1)
        => AddRow("completeness", column, row => !row.IsMissing(column), $"has a value", mostly);

    /// <summary>Every value of <paramref name="column"/> appears once.</summary>
    /// <param name="column">The column.</param>
    /// <returns>This builder.</returns>
    public DataQualityBuilder Unique(string column)
        => AddAggregate("uniqueness", column, scan => scan.Duplicates.GetValueOrDefault(column) is var d and > 0 ? $"{d} rows repeat a value already seen in '{column}'" : null, "is unique");

    /// <summary>Present values of <paramref name="column"/> are among <paramref name="allowed"/>.</summary>
    /// <param name="column">The column.</param>
    /// <param name="allowed">The allowed values.</param>
    /// <returns>This builder.</returns>
    public DataQualityBuilder AllowedValues(string column, params string[] allowed)
    {
        if (allowed is null || allowed.Length == 0)
        {
            _errors.Add($"AllowedValues(\"{column}\"): no value is allowed; list at least one.");
        }

        var set = new HashSet<string>(allowed ?? [], StringComparer.Ordinal);
        return AddRow("allowed-values", column, row => row.IsMissing(column) || set.Contains(row.GetText(column)), $"is one of {string.Join(", ", set.Take(10))}");
    }

    /// <summary>Present values of <paramref name="column"/> lie in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <param name="column">The column.</param>
    /// <param name="min">The lower bound.</param>
    /// <param name="max">The upper bound.</param>
    /// <returns>This builder.</returns>
    public DataQualityBuilder InRange(string column, double min, double max)
    {
        Bounds($"InRange(\"{column}\")", min, max);
        return AddRow("range", column, row => row.IsMissing(column) || (row.GetNumeric(column) >= min && row.GetNumeric(column) <= max), $"is in [{N(min)}, {N(max)}]");
    }

    /// <summary>Present values of <paramref name="column"/> are 0 or more.</summary>
    /// <param name="column">The column.</param>
    /// <returns>This builder.</returns>
    public DataQualityBuilder NonNegative(string column)
        => AddRow("non-negative", column, row => row.IsMissing(column) || row.GetNumeric(column) >= 0, "is 0 or more");

    /// <summary>Present values of <paramref name="column"/> match a regular expression.</summary>
    /// <param name="column">The column.</param>
    /// <param name="pattern">The .NET regular expression.</param>
    /// <returns>This builder.</returns>
    public DataQualityBuilder Matches(string column, string pattern)
    {
        Regex? regex = null;
        try
        {
            regex = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException ex)
        {
            _errors.Add($"Matches(\"{column}\"): '{pattern}' is not a valid regular expression: {ex.Message}");
        }

        return AddRow("regex", column, row => row.IsMissing(column) || regex!.IsMatch(row.GetText(column)), $"matches /{pattern}/");
    }

    /// <summary>A custom row predicate.</summary>
    /// <param name="name">The rule's name in reports.</param>
    /// <param name="predicate">True when the row is acceptable.</param>
    /// <param name="mostly">The share of rows that must pass.</param>
    /// <returns>This builder.</returns>
    public DataQualityBuilder Satisfies(string name, Func<QualityRow, bool> predicate, double mostly = 1)
    {
        if (predicate is null)
        {
            _errors.Add($"Satisfies(\"{name}\"): the predicate is null.");
        }

        return AddRow(string.IsNullOrWhiteSpace(name) ? "custom" : name, null, predicate!, "satisfies the predicate", mostly);
    }

    /// <summary>The data set has between <paramref name="min"/> and <paramref name="max"/> rows.</summary>
    /// <param name="min">The fewest rows.</param>
    /// <param name="max">The most rows.</param>
    /// <returns>This builder.</returns>
    public DataQualityBuilder RowCount(long min = 0, long max = long.MaxValue)
    {
        if (min < 0 || max < min)
        {
            _errors.Add($"RowCount: need 0 <= min <= max; got min {min}, max {max}.");
        }

        // "at least 500", not "outside [500, 9223372036854775807]": an open end is not a number to show.
        var range = max == long.MaxValue ? $"at least {min}" : min == 0 ? $"at most {max}" : $"between {min} and {max}";
        return AddAggregate("row-count", null, scan => scan.Rows < min || scan.Rows > max ? $"{scan.Rows} rows" : null, $"has {range} rows");
    }

    /// <summary>The row count changed against the previous batch (the champion's training data) by a factor in [<paramref name="minFraction"/>, <paramref name="maxFraction"/>].</summary>
    /// <param name="minFraction">The smallest accepted ratio of current to previous rows.</param>
    /// <param name="maxFraction">The largest accepted ratio.</param>
    /// <returns>This builder.</returns>
    public DataQualityBuilder RowCountChange(double minFraction, double maxFraction)
    {
        if (!(minFraction >= 0) || !(maxFraction >= minFraction) || double.IsInfinity(maxFraction))
        {
            _errors.Add($"RowCountChange: need 0 <= minFraction <= maxFraction (finite); got {minFraction}, {maxFraction}.");
        }

        return AddAggregate("row-count-change", null, scan =>
        {
            var previous = scan.Context.Champion?.Datasets.FirstOrDefault(d => d.Role == "training")?.Rows;
            if (previous is not > 0)
            {
                return null;
            }

            var ratio = (double)scan.Rows / previous.Value;
            return ratio < minFraction || ratio > maxFraction ? $"{scan.Rows} rows is {N(ratio)}x the previous batch's {previous} (accepted {N(minFraction)}x..{N(maxFraction)}x)" : null;
        }, $"keeps its size within {N(minFraction)}x..{N(maxFraction)}x of the previous batch");
    }

    /// <summary>The mean of <paramref name="column"/> lies in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <param name="column">The column.</param>
    /// <param name="min">The lower bound.</param>
    /// <param name="max">The upper bound.</param>
    /// <returns>This builder.</returns>
    public DataQualityBuilder Mean(string column, double min, double max) => Statistic("mean", column, p => p.Mean, min, max);

    /// <summary>The standard deviation of <paramref name="column"/> lies in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <param name="column">The column.</param>
    /// <param name="min">The lower bound.</param>
    /// <param name="max">The upper bound.</param>
    /// <returns>This builder.</returns>
    public DataQualityBuilder StandardDeviation(string column, double min, double max) => Statistic("stddev", column, p => p.StandardDeviation, min, max);

    /// <summary>The <paramref name="quantile"/> of <paramref name="column"/> lies in [<paramref name="min"/>, <paramref name="max"/>] (from the profile's sketch, within its rank error).</summary>
    /// <param name="column">The column.</param>
    /// <param name="quantile">The rank, in [0, 1].</param>
    /// <param name="min">The lower bound.</param>
    /// <param name="max">The upper bound.</param>
    /// <returns>This builder.</returns>
    public DataQualityBuilder Quantile(string column, double quantile, double min, double max)
    {
        if (!(quantile >= 0 && quantile <= 1))
        {
            _errors.Add($"Quantile(\"{column}\"): the rank must be in [0, 1]; it is {quantile}.");
        }

        return Statistic($"quantile {N(quantile)}", column, p => p.Quantile(quantile), min, max);
    }

    /// <summary>Makes the last rule a warning: reported, not blocking.</summary>
    /// <returns>This builder.</returns>
    public DataQualityBuilder AsWarning()
    {
        Last("AsWarning")?.Severity = ValidationSeverity.Warning;
        return this;
    }

    /// <summary>Makes the last rule (a row-level one) quarantine the rows it catches instead of failing.</summary>
    /// <returns>This builder.</returns>
    public DataQualityBuilder Quarantine()
    {
        if (Last("Quarantine") is { } rule)
        {
            if (rule.Row is null)
            {
                _errors.Add($"Quarantine(): rule '{rule.Name}' is about the whole data set; only row-level rules can quarantine rows.");
            }

            rule.Quarantine = true;
        }

        return this;
    }

    internal IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(_errors);
        if (_rules.Count == 0)
        {
            errors.Add("No data-quality rule: add at least one.");
        }

        if (_rules.Any(r => r.Quarantine) && string.IsNullOrWhiteSpace(ReportFolder))
        {
            errors.Add($"{nameof(ReportFolder)}: a rule quarantines rows, so set the folder where they are written.");
        }

        return errors;
    }

    private DataQualityBuilder Statistic(string name, string column, Func<ColumnProfile, double> statistic, double min, double max)
    {
        Bounds($"{name}(\"{column}\")", min, max);
        return AddAggregate(name, column, scan =>
        {
            if (scan.Profile()[column] is not { } profile)
            {
                return $"column '{column}' is not in the data";
            }

            var value = statistic(profile);
            return value >= min && value <= max ? null : $"{name} of '{column}' is {N(value)}, outside [{N(min)}, {N(max)}]";
        }, $"{name} in [{N(min)}, {N(max)}]");
    }

    private void Bounds(string rule, double min, double max)
    {
        if (double.IsNaN(min) || double.IsNaN(max) || min > max)
        {
            _errors.Add($"{rule}: need min <= max; got {min}, {max}.");
        }
    }

    private DataQualityBuilder AddRow(string name, string? column, Func<QualityRow, bool> test, string expectation, double mostly = 1)
    {
        CheckColumn(name, column);
        if (!(mostly > 0 && mostly <= 1))
        {
            _errors.Add($"{name}{(column is null ? string.Empty : $"(\"{column}\")")}: mostly must be in (0, 1]; it is {mostly}.");
        }

        _rules.Add(new QualityRule { Name = name, Column = column, Row = test, Mostly = mostly, Expectation = expectation });
        return this;
    }

    private DataQualityBuilder AddAggregate(string name, string? column, Func<QualityScan, string?> test, string expectation)
    {
        CheckColumn(name, column);
        _rules.Add(new QualityRule { Name = name, Column = column, Aggregate = test, Expectation = expectation });
        return this;
    }

    private void CheckColumn(string name, string? column)
    {
        if (column is not null && string.IsNullOrWhiteSpace(column))
        {
            _errors.Add($"{name}: the column name is empty.");
        }
    }

    private QualityRule? Last(string modifier)
    {
        if (_rules.Count == 0)
        {
            _errors.Add($"{modifier}() must follow a rule.");
            return null;
        }

        return _rules[^1];
    }

    private static string N(double value) => Formatting.Number(value);
}
