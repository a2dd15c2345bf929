namespace ModelRetraining;

/// <summary>The logical type of a tabular column.</summary>
public enum DataColumnKind
{
    /// <summary>A number, read as a 32-bit float; a missing cell is NaN.</summary>
    Numeric = 0,

    /// <summary>Text, usually a category.</summary>
    Text = 1,

    /// <summary>A true/false value.</summary>
    Boolean = 2,

    /// <summary>A date and time.</summary>
    DateTime = 3,
}
