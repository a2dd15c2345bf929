using System.Text.Json;

namespace ModelRetraining;

/// <summary>What started a run, as its first journal entry (<c>started</c>) records it: the kinds of its causes, who ran it, why. The CLI's and the dashboard's trigger column.</summary>
/// <param name="Kinds">The kinds of the triggers that caused it (schedule, drift, new data, ...), each once; empty for a run started by a call.</param>
/// <param name="Actor">Who ran it, when recorded.</param>
/// <param name="Reason">Why, when recorded.</param>
public sealed record RunOrigin(IReadOnlyList<string> Kinds, string? Actor, string? Reason)
{
    /// <summary>Gets the origin of a run whose first entry records none (written by another version or by hand).</summary>
    public static RunOrigin Unknown { get; } = new([], null, null);

    /// <summary>Reads a run's origin from its first journal entry.</summary>
    /// <param name="journal">The journal.</param>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The origin; <see cref="Unknown"/> when the run has no entries or its first records none.</returns>
    public static async ValueTask<RunOrigin> ReadAsync(IRunJournal journal, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(journal);
        await foreach (var entry in journal.ReadRunAsync(runId, cancellationToken).ConfigureAwait(false))
        {
            return Of(entry);
        }

        return Unknown;
    }

    /// <summary>Reads the origin a run's first entry records.</summary>
    /// <param name="started">The run's first entry.</param>
    /// <returns>The origin; <see cref="Unknown"/> when the entry is not a start or records none.</returns>
    public static RunOrigin Of(RunJournalEntry started)
    {
        ArgumentNullException.ThrowIfNull(started);
        if (started.Status != RunJournalStatus.Started || started.Outputs is not { Length: > 0 } outputs)
        {
            return Unknown;
        }

        try
        {
            using var document = JsonDocument.Parse(outputs);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Unknown;
            }

            var kinds = root.TryGetProperty("Causes", out var causes) && causes.ValueKind == JsonValueKind.Array
                ? causes.EnumerateArray().Select(c => c.ValueKind == JsonValueKind.Object && c.TryGetProperty("Kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null).OfType<string>().Distinct(StringComparer.Ordinal).ToArray()
                : [];
            return new RunOrigin(kinds, Text(root, "Actor"), Text(root, "Reason"));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Unknown; // written by another version or by hand: the run is still listed
        }
    }

    /// <summary>Says what started the run: its triggers' kinds, or the call and who made it (a run with no causes was started by code, a test or an operator's program).</summary>
    /// <returns>A short text for a table.</returns>
    public string Describe() => Kinds.Count > 0 ? string.Join(", ", Kinds) : Actor is null ? "—" : $"call by {Actor}";

    private static string? Text(JsonElement root, string name)
        => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
