using System.Text.Json;

namespace ModelRetraining.Cli;

/// <summary>What started a run, as its first journal entry (<c>started</c>) records it: the kinds of its causes, who ran it, why.</summary>
internal sealed record RunTrigger(IReadOnlyList<string> Kinds, string? Actor, string? Reason)
{
    public static RunTrigger Unknown { get; } = new([], null, null);

    public static RunTrigger Of(RunJournalEntry started)
    {
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
            return new RunTrigger(kinds, Text(root, "Actor"), Text(root, "Reason"));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Unknown; // written by another version or by hand: the run is still listed
        }
    }

    // A run with no causes was started by a call (code, a test, an operator's program): its actor says who.
    public string Describe() => Kinds.Count > 0 ? string.Join(", ", Kinds) : Actor is null ? "—" : $"call by {Actor}";

    private static string? Text(JsonElement root, string name)
        => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
