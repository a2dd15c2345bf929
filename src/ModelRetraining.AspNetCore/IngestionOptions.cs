namespace ModelRetraining.AspNetCore;

/// <summary>The upload endpoint's datasets and limits. Every limit has a safe default; anonymous uploads need <see cref="AllowAnonymous"/>.</summary>
public sealed class IngestionOptions
{
    private readonly Dictionary<string, IngestionDataset> _datasets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BodyFormat> _formats = new(StringComparer.OrdinalIgnoreCase)
    {
        ["text/csv"] = Csv,
        ["application/csv"] = Csv,
        ["application/x-ndjson"] = JsonLines,
        ["application/jsonl"] = JsonLines,
        ["application/x-jsonlines"] = JsonLines,
    };

    private static BodyFormat Csv { get; } = new(".csv", (file, dataset, lines, rows) => CsvDataSource.FromFile(file, dataset.Schema).ContinuingAt(lines, rows), ReadsSchema: true, BodySplit.CsvRecords);

    private static BodyFormat JsonLines { get; } = new(".jsonl", (file, dataset, lines, rows) => JsonLinesDataSource.FromFile(file, dataset.Schema).ContinuingAt(lines, rows), ReadsSchema: true, BodySplit.Lines);

    /// <summary>Gets the accepted datasets by name; a route naming another is 404.</summary>
    public IReadOnlyDictionary<string, IngestionDataset> Datasets => _datasets;

    /// <summary>Gets or sets the largest body accepted, in bytes; a longer one is refused (413) as soon as it passes the limit, not after.</summary>
    /// <value>The default value is 100 MiB.</value>
    public long MaxBodyBytes { get; set; } = 100L << 20;

    /// <summary>Gets or sets the most rows one batch may hold (413 above it).</summary>
    /// <value>The default value is 5,000,000.</value>
    public long MaxRows { get; set; } = 5_000_000;

    /// <summary>
    /// Gets or sets how many rows of a CSV or JSON Lines body are read, checked and encoded at a time: a body
    /// is cut into parts of this many records as it arrives, each part is checked (schema, quality, drift)
    /// while the next one is received, and the server holds one part in memory, whatever the body's size
    /// (Parquet and added formats, a separator outside ASCII, a header over 1 MiB and lone carriage returns
    /// keep a body, or its rest, in one part). The batch is still stored whole or not at all. Every check
    /// runs per part (shares, drift, minimum rows, label classes), so a part smaller than a few thousand rows
    /// makes them noisy; a short last part joins the one before it.
    /// </summary>
    /// <value>The default value is 1,000,000.</value>
    public int PartRows { get; set; } = 1_000_000;

    /// <summary>Gets or sets how long one upload may take, from the first byte to the stored batch (408 after it).</summary>
    /// <value>The default value is 5 minutes.</value>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets a value indicating whether unauthenticated requests may upload. Off by default: without it a request with no authenticated user is 401, whatever the host's policies.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowAnonymous { get; set; }

    /// <summary>Gets or sets the folder where the parts of a body are spooled while they are checked (each deleted once read, all by the end of the request); the system's temp folder when <see langword="null"/>.</summary>
    public string? SpoolFolder { get; set; }

    /// <summary>Gets the accepted content types: CSV (<c>text/csv</c>) and JSON Lines (<c>application/x-ndjson</c>, <c>application/jsonl</c>) built in, and those added with <see cref="AcceptFormat"/>.</summary>
    public IReadOnlyCollection<string> ContentTypes => _formats.Keys;

    internal IReadOnlyDictionary<string, BodyFormat> Formats => _formats;

    /// <summary>
    /// Accepts another body format: the body is spooled to a file with <paramref name="extension"/> and read by
    /// <paramref name="read"/>; its columns are then checked against the dataset's declared schema (every
    /// declared column present with its kind). For Parquet:
    /// <c>o.AcceptFormat("application/vnd.apache.parquet", ".parquet", (file, _) =&gt; ParquetDataSource.FromPath(file))</c>: the dataset's schema is applied to what the reader gives (its declared columns in order, its label and time columns, derived columns computed).
    /// </summary>
    /// <param name="mediaType">The content type, as <c>application/vnd.apache.parquet</c>.</param>
    /// <param name="extension">The spool file's extension, as <c>.parquet</c>.</param>
    /// <param name="read">Reads the spooled body for a dataset.</param>
    /// <returns>These options.</returns>
    public IngestionOptions AcceptFormat(string mediaType, string extension, Func<string, IngestionDataset, IDataSource> read)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mediaType);
        ArgumentNullException.ThrowIfNull(read);
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(mediaType, out var parsed) || parsed.MediaType.Value != mediaType || parsed.MatchesAllTypes || parsed.MatchesAllSubTypes)
        {
            throw new ArgumentException($"'{mediaType}' is not one media type (type/subtype, no parameters or wildcards).", nameof(mediaType));
        }

        if (extension is not ['.', ..] || extension.Length > 16 || !extension[1..].All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException($"'{extension}' is not a file extension (a dot, then up to 15 letters or digits).", nameof(extension));
        }

        _formats[mediaType] = new BodyFormat(extension, (file, dataset, _, _) => read(file, dataset), ReadsSchema: false, BodySplit.Whole);
        return this;
    }

    /// <summary>Accepts batches for a dataset, in any accepted format.</summary>
    /// <param name="name">The dataset (a registry name).</param>
    /// <param name="schema">How its bodies are read.</param>
    /// <param name="policy">An authorization policy its senders must satisfy, or <see langword="null"/>.</param>
    /// <param name="checkWith">A pipeline whose validators check each batch before it is stored (refusing on errors, quarantining, alerting on drift); none when <see langword="null"/>.</param>
    /// <returns>These options.</returns>
    public IngestionOptions Dataset(string name, CsvSchema schema, string? policy = null, RetrainingPipeline? checkWith = null)
    {
        RegistryNames.ThrowIfInvalid(name, "dataset name", nameof(name));
        ArgumentNullException.ThrowIfNull(schema);
        _datasets[name] = new IngestionDataset(name, schema) { Policy = policy, CheckWith = checkWith };
        return this;
    }

    internal List<string> Validate()
    {
        var errors = new List<string>();
        if (_datasets.Count == 0)
        {
            errors.Add("No dataset is accepted: call Dataset(name, schema).");
        }

        if (MaxBodyBytes <= 0)
        {
            errors.Add($"{nameof(MaxBodyBytes)} must be positive; it is {MaxBodyBytes}.");
        }

        if (MaxRows <= 0)
        {
            errors.Add($"{nameof(MaxRows)} must be positive; it is {MaxRows}.");
        }

        if (PartRows <= 0)
        {
            errors.Add($"{nameof(PartRows)} must be positive; it is {PartRows}.");
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(RequestTimeout)} must be positive; it is {RequestTimeout}.");
        }

        return errors;
    }
}
