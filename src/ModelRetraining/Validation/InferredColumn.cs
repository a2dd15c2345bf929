using System.Text.Json.Serialization;

namespace ModelRetraining;

/// <summary>One column of a schema inferred from training data.</summary>
/// <param name="Name">The column.</param>
/// <param name="Kind">Its type.</param>
/// <param name="Nullable">Whether the training data had missing values in it.</param>
public sealed record InferredColumn(string Name, DataColumnKind Kind, bool Nullable)
{
    /// <summary>Gets the values seen (text and Boolean columns with at most 1,024 distinct values), or <see langword="null"/>.</summary>
    public IReadOnlyList<string>? Domain { get; init; }

    /// <summary>Gets the smallest value seen (numeric columns).</summary>
    public double? Min { get; init; }

    /// <summary>Gets the largest value seen (numeric columns).</summary>
    public double? Max { get; init; }

    /// <summary>Gets a value indicating whether the column was computed by the training schema rather than read: a model server must compute it too (<see cref="CsvSchema.DerivationsFor{TInput}"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool IsDerived { get; init; }
}
