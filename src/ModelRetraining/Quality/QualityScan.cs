namespace ModelRetraining;

/// <summary>What a single pass over a data set learned, for aggregate rules.</summary>
internal sealed class QualityScan
{
    public required DatasetSnapshot Data { get; init; }

    public required RetrainingContext Context { get; init; }

    public required Func<DataProfile> Profile { get; init; }

    public long Rows { get; set; }

    public Dictionary<string, long> Duplicates { get; } = new(StringComparer.Ordinal);
}
