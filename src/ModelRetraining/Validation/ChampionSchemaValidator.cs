using System.Globalization;
using System.Text;

namespace ModelRetraining;

/// <summary>Validates new data against the schema inferred from the champion's training data (stored as <c>schema.json</c>).</summary>
internal sealed class ChampionSchemaValidator(ChampionSchemaOptions options) : IDataValidator
{
    public string Name => "champion-schema";

    public async ValueTask<DataValidationReport> ValidateAsync(DatasetSnapshot data, RetrainingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(context);
        if (context.Champion is not { } champion || context.Registry is not { } registry || champion.Attachments.All(a => a.Name != AttachmentNames.Schema))
        {
            return new DataValidationReport(Name, data.Name, [new DataValidationIssue(ValidationSeverity.Warning, "schema.no-reference", $"'{data.Name}' was not checked against a champion's schema: {(context.Champion is null ? "there is no champion yet" : $"{context.Champion} has no stored schema")}.") { Source = data.Name }]);
        }

        var schema = InferredSchema.FromJson(Encoding.UTF8.GetString((await registry.ReadAttachmentAsync(champion, AttachmentNames.Schema, cancellationToken).ConfigureAwait(false)).Content.Span));
        var profile = ProfileCache.Get(context, data, cancellationToken);
        var issues = new List<DataValidationIssue>();
        DataValidationIssue Issue(ValidationSeverity severity, string rule, string column, string message) => new(severity, rule, message) { Column = column, Source = data.Name };

        foreach (var expected in schema.Columns)
        {
            var actual = profile[expected.Name];
            var isLabel = expected.Name == schema.LabelColumn;
            if (actual is null)
            {
                if (!(isLabel && options.Environment == SchemaEnvironment.Serving))
                {
                    issues.Add(Issue(ValidationSeverity.Error, isLabel ? "schema.label-missing" : "schema.missing-column", expected.Name, $"Column '{expected.Name}' ({expected.Kind}{(isLabel ? ", the label" : string.Empty)}) of {champion}'s training data is missing from '{data.Name}'."));
                }

                continue;
            }

            if (actual.Kind != expected.Kind)
            {
                issues.Add(Issue(ValidationSeverity.Error, "schema.type", expected.Name, $"Column '{expected.Name}' of '{data.Name}' is {actual.Kind}; {champion} was trained on {expected.Kind}."));
                continue;
            }

            if (!expected.Nullable && actual.Missing > 0)
            {
                issues.Add(Issue(options.Severity, "schema.new-missing", expected.Name, $"Column '{expected.Name}' had no missing values in {champion}'s training data; '{data.Name}' has {actual.Missing} ({Percent(actual.MissingShare)})."));
            }

            if (expected.Domain is { } domain && actual.Frequent is { } frequent)
            {
                var known = domain.ToHashSet(StringComparer.Ordinal);
                var unseen = frequent.Counts.Where(kv => !known.Contains(kv.Key)).OrderByDescending(kv => kv.Value).ToArray();
                var share = actual.Count == 0 ? 0 : (double)unseen.Sum(kv => kv.Value) / actual.Count;
                if (share > options.NewCategoryShare)
                {
                    issues.Add(Issue(options.Severity, "schema.new-categories", expected.Name, $"Column '{expected.Name}' of '{data.Name}' has {unseen.Length} values {champion} never saw in training, in {Percent(share)} of rows (limit {Percent(options.NewCategoryShare)}): {string.Join(", ", unseen.Take(5).Select(kv => kv.Key))}."));
                }
            }

            // The time column moves on by nature; its range is not a schema property.
            if (expected.Min is { } min && expected.Max is { } max && actual.Count > 0 && expected.Name != data.Schema.TimeColumn)
            {
                var below = actual.Min < min ? actual.Cdf(Math.BitDecrement(min)) : 0;
                var above = actual.Max > max ? 1 - actual.Cdf(max) : 0;
                if (below + above > options.OutOfRangeShare)
                {
                    issues.Add(Issue(options.Severity, "schema.out-of-range", expected.Name, $"Column '{expected.Name}' of '{data.Name}' has about {Percent(below + above)} of values outside the range {champion} saw in training [{N(min)}, {N(max)}] (limit {Percent(options.OutOfRangeShare)}; now [{N(actual.Min)}, {N(actual.Max)}])."));
                }
            }
        }

        foreach (var extra in profile.Columns.Where(c => schema.Columns.All(e => e.Name != c.Name)))
        {
            issues.Add(Issue(ValidationSeverity.Warning, "schema.extra-column", extra.Name, $"Column '{extra.Name}' of '{data.Name}' was not in {champion}'s training data."));
        }

        return new DataValidationReport(Name, data.Name, issues);
    }

    private static string Percent(double share) => Formatting.Percent(share);

    private static string N(double value) => Formatting.Number(value);
}
