using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelRetraining;

/// <summary>
/// A schema inferred from a model's training data (types, nullability, categorical domains, numeric
/// ranges, the label), stored with the version as <c>schema.json</c> and used to validate later data.
/// </summary>
/// <param name="Columns">The columns.</param>
/// <param name="LabelColumn">The label, if the training data had one.</param>
public sealed record InferredSchema(IReadOnlyList<InferredColumn> Columns, string? LabelColumn)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Infers the schema from a profile of the training data.</summary>
    /// <param name="profile">The profile.</param>
    /// <param name="labelColumn">The label column, if any.</param>
    /// <returns>The schema.</returns>
    public static InferredSchema FromProfile(DataProfile profile, string? labelColumn) => FromProfile(profile, labelColumn, null);

    /// <summary>Infers the schema from a profile of the training data, marking the columns the data's schema derived.</summary>
    /// <param name="profile">The profile.</param>
    /// <param name="labelColumn">The label column, if any.</param>
    /// <param name="schema">The data's declared schema, whose derived columns are marked; none when <see langword="null"/>.</param>
    /// <returns>The schema.</returns>
    public static InferredSchema FromProfile(DataProfile profile, string? labelColumn, DataSchema? schema)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var derived = schema?.Columns.Where(c => c.IsDerived).Select(c => c.Name).ToHashSet(StringComparer.Ordinal) ?? [];
        var columns = profile.Columns.Select(c => new InferredColumn(c.Name, c.Kind, c.Missing > 0)
        {
            IsDerived = derived.Contains(c.Name),
            Domain = c.Frequent is { } f && f.MaxUndercount == 0 ? f.Counts.Keys.Order(StringComparer.Ordinal).ToArray() : null,
            Min = c.Sketch is not null && c.Count > 0 ? c.Min : null,
            Max = c.Sketch is not null && c.Count > 0 ? c.Max : null,
        }).ToArray();
        return new InferredSchema(columns, labelColumn is not null && profile[labelColumn] is not null ? labelColumn : null);
    }

    /// <summary>Serializes the schema as indented JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a schema written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The schema.</returns>
    public static InferredSchema FromJson(string json)
        => JsonSerializer.Deserialize<InferredSchema>(json, Json) ?? throw new InvalidDataException("The text is not an inferred schema.");
}
