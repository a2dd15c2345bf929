using System.Text.Json;

namespace ModelRetraining.Redis;

/// <summary>Where a <see cref="RedisStreamIngestion{T}"/> reads, how it cuts batches and how it checks them.</summary>
public sealed class RedisStreamIngestionOptions
{
    /// <summary>Gets or sets the stream's key. Required.</summary>
    public string StreamKey { get; set; } = string.Empty;

    /// <summary>Gets or sets the consumer group; created (with the stream, from its first entry) when missing. <c>model-retraining</c> by default.</summary>
    public string Group { get; set; } = "model-retraining";

    /// <summary>
    /// Gets or sets this consumer's name within the group. Keep it stable across restarts (a pod name, not a
    /// random one): a restarted consumer first finishes the messages it had read and not acknowledged.
    /// </summary>
    public string Consumer { get; set; } = Environment.MachineName;

    /// <summary>Gets or sets the entry field that holds a row as a JSON object; <c>row</c> by default.</summary>
    public string Field { get; set; } = "row";

    /// <summary>Gets or sets how rows' JSON is read; <see cref="JsonSerializerDefaults.Web"/> (camelCase, case-insensitive) by default.</summary>
    public JsonSerializerOptions Json { get; set; } = new(JsonSerializerDefaults.Web);

    /// <summary>Gets or sets who sends the rows, as batches record it; <c>redis:{StreamKey}</c> when empty.</summary>
    public string SentBy { get; set; } = string.Empty;

    /// <summary>Gets or sets the most messages in one batch (also how many are read at a time); 10 000 by default.</summary>
    public int MaxRows { get; set; } = 10_000;

    /// <summary>Gets or sets how long a batch stays open after its first message; it is cut then, however few it holds. One minute by default.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how long the consumer waits when the stream has nothing new; 200 ms by default.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Gets or sets how long another consumer's unacknowledged messages must have been idle before this one
    /// takes them over (that consumer died); five minutes by default. <see cref="TimeSpan.Zero"/> never takes over.
    /// </summary>
    public TimeSpan ClaimIdleAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the hash where malformed messages go, keyed by entry id; <c>{StreamKey}:quarantine</c> when empty.</summary>
    public string QuarantineKey { get; set; } = string.Empty;

    /// <summary>Gets or sets the pipeline whose validators check each batch before it is stored.</summary>
    public RetrainingPipeline? CheckWith { get; set; }

    /// <summary>Gets or sets the label column of the rows, if any.</summary>
    public string? LabelColumn { get; set; }

    /// <summary>Gets or sets the time column of the rows, if any.</summary>
    public string? TimeColumn { get; set; }

    /// <summary>
    /// Gets or sets how long the hosted consumer (<c>AddRedisStreamIngestion</c>) waits before it starts again
    /// after a failure (Redis unreachable, the store refusing a write); doubled after each failure in a row up
    /// to <see cref="MaxRestartDelay"/>, and back to this once a batch is stored. One second by default.
    /// </summary>
    public TimeSpan RestartDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest wait between restarts of the hosted consumer; one minute by default.</summary>
    public TimeSpan MaxRestartDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets the clock batch ages are measured with; <see cref="TimeProvider.System"/> by default.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal string SenderName => SentBy is { Length: > 0 } ? SentBy : $"redis:{StreamKey}";

    internal string IdempotencyKey(string firstEntryId) => $"redis:{StreamKey}:{Group}:{firstEntryId}";

    internal string QuarantineHash => QuarantineKey is { Length: > 0 } ? QuarantineKey : $"{StreamKey}:quarantine";

    internal void ThrowIfInvalid()
    {
        var problems = new List<string>();
        foreach (var (name, value) in new[] { (nameof(StreamKey), StreamKey), (nameof(Group), Group), (nameof(Consumer), Consumer), (nameof(Field), Field) })
        {
            if (string.IsNullOrWhiteSpace(value) || value.Any(char.IsControl))
            {
                problems.Add($"{name} must be set, without control characters");
            }
        }

        if (MaxRows < 1)
        {
            problems.Add($"{nameof(MaxRows)} must be at least 1 (given {MaxRows})");
        }

        if (MaxAge <= TimeSpan.Zero || PollInterval <= TimeSpan.Zero || ClaimIdleAfter < TimeSpan.Zero)
        {
            problems.Add($"{nameof(MaxAge)} and {nameof(PollInterval)} must be positive and {nameof(ClaimIdleAfter)} not negative (given {MaxAge}, {PollInterval}, {ClaimIdleAfter})");
        }

        if (RestartDelay <= TimeSpan.Zero || MaxRestartDelay < RestartDelay)
        {
            problems.Add($"{nameof(RestartDelay)} must be positive and {nameof(MaxRestartDelay)} at least as long (given {RestartDelay}, {MaxRestartDelay})");
        }

        if (ClaimIdleAfter > TimeSpan.Zero && ClaimIdleAfter <= MaxAge + PollInterval)
        {
            // A live consumer's open batch stays pending up to MaxAge: a shorter idle limit would take it away from it.
            problems.Add($"{nameof(ClaimIdleAfter)} ({ClaimIdleAfter}) must be longer than {nameof(MaxAge)} + {nameof(PollInterval)} ({MaxAge + PollInterval}), or zero to never take over");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"{nameof(RedisStreamIngestionOptions)}: {string.Join("; ", problems)}.");
        }

        SafeText.ThrowIfInvalidIdentity(SenderName, "sender", nameof(SentBy));
        // The longest idempotency key a batch can get (an entry id is at most two 20-digit numbers) must be a valid one.
        SafeText.ThrowIfInvalidIdentity(IdempotencyKey("18446744073709551615-18446744073709551615"), "idempotency key (from StreamKey and Group)", nameof(StreamKey));
    }
}
