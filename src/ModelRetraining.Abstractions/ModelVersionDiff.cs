namespace ModelRetraining;

/// <summary>
/// What differs between two versions of a model, side by side: metrics (with the improvement in each
/// metric's own direction), parameters, training and holdout data, attachments and tags. Built from the two
/// versions alone, so every registry backend gives the same diff.
/// </summary>
/// <param name="From">The version compared from (the older one, usually).</param>
/// <param name="To">The version compared to.</param>
public sealed record ModelVersionDiff(ModelVersion From, ModelVersion To)
{
    /// <summary>Gets every metric either version has, by name.</summary>
    public IReadOnlyList<MetricDifference> Metrics { get; init; } = [];

    /// <summary>Gets the parameters that differ, by key.</summary>
    public IReadOnlyList<ValueDifference> Parameters { get; init; } = [];

    /// <summary>Gets the data sets whose fingerprint or row count differ, by role and name (<c>training/flights</c>), shown as <c>fingerprint (rows)</c>.</summary>
    public IReadOnlyList<ValueDifference> Datasets { get; init; } = [];

    /// <summary>Gets the attachments whose content differs, by name, shown as their hash.</summary>
    public IReadOnlyList<ValueDifference> Attachments { get; init; } = [];

    /// <summary>Gets the tags that differ, by key.</summary>
    public IReadOnlyList<ValueDifference> Tags { get; init; } = [];

    /// <summary>Compares two versions of one model.</summary>
    /// <param name="from">The version compared from.</param>
    /// <param name="to">The version compared to.</param>
    /// <returns>The differences.</returns>
    /// <exception cref="ArgumentException">The versions belong to different models.</exception>
    public static ModelVersionDiff Between(ModelVersion from, ModelVersion to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        if (from.ModelName != to.ModelName)
        {
            throw new ArgumentException($"{from} and {to} belong to different models; a diff compares two versions of one model.", nameof(to));
        }

        var metrics = from.Metrics.Keys.Union(to.Metrics.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(name =>
        {
            var a = from.Metrics.GetValueOrDefault(name);
            var b = to.Metrics.GetValueOrDefault(name);
            return new MetricDifference(name, a?.Value, b?.Value, (a ?? b)!.Direction);
        }).ToArray();

        return new ModelVersionDiff(from, to)
        {
            Metrics = metrics,
            Parameters = Changed(from.Parameters, to.Parameters),
            Datasets = Changed(DatasetsOf(from), DatasetsOf(to)),
            Attachments = Changed(from.Attachments.ToDictionary(a => a.Name, a => a.Artifact.Sha256, StringComparer.Ordinal), to.Attachments.ToDictionary(a => a.Name, a => a.Artifact.Sha256, StringComparer.Ordinal)),
            Tags = Changed(from.Tags, to.Tags),
        };
    }

    private static Dictionary<string, string> DatasetsOf(ModelVersion version)
        => version.Datasets.GroupBy(d => $"{d.Role}/{d.Name}", StringComparer.Ordinal).ToDictionary(g => g.Key, g => string.Join("; ", g.Select(d => $"{d.Fingerprint} ({d.Rows} rows)")), StringComparer.Ordinal);

    private static ValueDifference[] Changed(IReadOnlyDictionary<string, string> from, IReadOnlyDictionary<string, string> to)
        => from.Keys.Union(to.Keys, StringComparer.Ordinal)
            .Where(key => from.GetValueOrDefault(key) != to.GetValueOrDefault(key))
            .Order(StringComparer.Ordinal)
            .Select(key => new ValueDifference(key, from.GetValueOrDefault(key), to.GetValueOrDefault(key)))
            .ToArray();
}
