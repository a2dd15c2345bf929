namespace ModelRetraining;

/// <summary>The rule ids that more than one place writes or reads: the source and the schema check report them, and later checks stay quiet when one was already reported (one cause, one error).</summary>
internal static class IssueRules
{
    public const string MissingColumn = "schema.missing-column";

    public const string MinRows = "rows.min";
}
