using System.Globalization;
using System.Text.Json;

namespace ModelRetraining;

/// <summary>Reads the metrics an evaluation journaled (<c>{"candidate": {name: {Name, Value, Direction}}, "champion": ...}</c>), non-numbers included.</summary>
internal static class JournaledMetrics
{
    public static (Dictionary<string, MetricValue> Candidate, Dictionary<string, MetricValue> Champion) Read(string outputs)
    {
        var candidate = new Dictionary<string, MetricValue>(StringComparer.Ordinal);
        var champion = new Dictionary<string, MetricValue>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(outputs);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                Fill(document.RootElement, "candidate", candidate);
                Fill(document.RootElement, "champion", champion);
            }
        }
        catch (JsonException)
        {
            // Outputs from another version or hand: no metrics to judge.
        }

        return (candidate, champion);
    }

    private static void Fill(JsonElement root, string side, Dictionary<string, MetricValue> into)
    {
        if (!root.TryGetProperty(side, out var metrics) || metrics.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var metric in metrics.EnumerateObject())
        {
            if (metric.Value.ValueKind != JsonValueKind.Object || Property(metric.Value, "Value") is not { } value)
            {
                continue;
            }

            double number;
            if (value.ValueKind == JsonValueKind.Number)
            {
                number = value.GetDouble();
            }
            else if (value.ValueKind != JsonValueKind.String || !double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number))
            {
                continue;
            }

            var direction = Property(metric.Value, "Direction") is { ValueKind: JsonValueKind.String } text && Enum.TryParse<MetricDirection>(text.GetString(), out var parsed) ? parsed : MetricDirection.HigherIsBetter;
            into[metric.Name] = new MetricValue(metric.Name, number, direction);
        }
    }

    private static JsonElement? Property(JsonElement owner, string name)
    {
        foreach (var property in owner.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }
}
