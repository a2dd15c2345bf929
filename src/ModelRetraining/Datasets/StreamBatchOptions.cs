namespace ModelRetraining;

/// <summary>How <see cref="DatasetStore.IngestStreamAsync{T}"/> cuts a stream of rows into batches.</summary>
public sealed class StreamBatchOptions
{
    /// <summary>Gets or sets who sends the rows (an identity, as for <see cref="DatasetStore.AppendAsync"/>). Required.</summary>
    public string SentBy { get; set; } = string.Empty;

    /// <summary>Gets or sets the most rows in one batch; a batch is cut when it has this many. Also the bound of rows read ahead (back-pressure): 10 000 by default.</summary>
    public int MaxRows { get; set; } = 10_000;

    /// <summary>Gets or sets how long a batch stays open after its first row; it is cut then, however few rows it has. One minute by default.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets the pipeline whose validators check each batch before it is stored (as <see cref="DatasetStore.AppendAsync"/>'s <c>checkWith</c>).</summary>
    public RetrainingPipeline? CheckWith { get; set; }

    /// <summary>Gets or sets the label column of the rows, if any.</summary>
    public string? LabelColumn { get; set; }

    /// <summary>Gets or sets the time column of the rows, if any.</summary>
    public string? TimeColumn { get; set; }

    /// <summary>
    /// Gets or sets what happens to a batch the store refuses (its rows failed an Error-level rule): when set,
    /// it is called with the refusal and the stream goes on; when <see langword="null"/>, the refusal ends the
    /// stream (the exception propagates).
    /// </summary>
    public Action<DatasetBatchRefusedException>? OnRefused { get; set; }

    /// <summary>Gets or sets the clock batch ages are measured with; <see cref="TimeProvider.System"/> by default.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void ThrowIfInvalid()
    {
        SafeText.ThrowIfInvalidIdentity(SentBy, "sender", nameof(SentBy));
        if (MaxRows < 1 || MaxAge <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(StreamBatchOptions)}.{nameof(MaxRows)} must be at least 1 and {nameof(MaxAge)} positive (given {MaxRows} and {MaxAge}).");
        }
    }
}
