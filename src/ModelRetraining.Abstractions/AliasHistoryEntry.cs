namespace ModelRetraining;

/// <summary>One move of an alias.</summary>
/// <param name="ModelName">The model.</param>
/// <param name="Alias">The alias.</param>
/// <param name="FromVersion">The version it pointed at before, if any.</param>
/// <param name="ToVersion">The version it points at after, or <see langword="null"/> when removed.</param>
/// <param name="Actor">Who moved it.</param>
/// <param name="Reason">Why.</param>
/// <param name="At">When.</param>
public sealed record AliasHistoryEntry(string ModelName, string Alias, int? FromVersion, int? ToVersion, string Actor, string Reason, DateTimeOffset At)
{
    /// <summary>Gets the registry-wide order of the move.</summary>
    public long Sequence { get; init; }

    /// <inheritdoc />
    public override string ToString()
        => $"{At:u} {Alias}: {(FromVersion is { } f ? "v" + f : "none")} -> {(ToVersion is { } t ? "v" + t : "none")} by {Actor} ({Reason})";
}
