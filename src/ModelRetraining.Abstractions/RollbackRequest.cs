namespace ModelRetraining;

/// <summary>A request to move an alias back to the version it pointed at before its last move.</summary>
/// <param name="ModelName">The model.</param>
/// <param name="Actor">Who rolls back.</param>
/// <param name="Reason">Why; recorded in the alias history and the audit log.</param>
public sealed record RollbackRequest(string ModelName, string Actor, string Reason)
{
    /// <summary>Gets the alias to roll back.</summary>
    /// <value>The default value is <c>champion</c>.</value>
    public string Alias { get; init; } = ModelAliases.Champion;
}
