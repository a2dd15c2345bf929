namespace ModelRetraining.AspNetCore;

/// <summary>One dataset the upload endpoint accepts: its declared schema, and who may send to it.</summary>
/// <param name="Name">The dataset (the <c>{dataset}</c> of the route).</param>
/// <param name="Schema">The declared columns: how a CSV or JSON Lines body is read (columns, label, time, formats, limits), and what the columns of any other format are checked against.</param>
public sealed record IngestionDataset(string Name, CsvSchema Schema)
{
    /// <summary>Gets the authorization policy a sender must satisfy for this dataset, on top of the endpoint's; <see langword="null"/> for none.</summary>
    public string? Policy { get; init; }

    /// <summary>Gets the pipeline whose validators check every batch before it is stored (schema, quality with quarantine, drift against its champion, with their alerts); none when <see langword="null"/>.</summary>
    public RetrainingPipeline? CheckWith { get; init; }
}
