namespace ModelRetraining.AspNetCore;

/// <summary>
/// The spooled body read in its format, renamed for messages and lineage (the spool file's random name
/// means nothing to the sender), checked against the dataset's declared columns when its reader does not
/// apply them, and refused above the row limit.
/// </summary>
internal sealed class UploadSource(IDataSource body, string spool, IngestionDataset dataset, bool checkColumns, string sender, long firstRow, long rowsBefore, int part, long maxRows) : IDataSource
{
    public const string TooManyRowsRule = "upload.max-rows";

    public const string ColumnKindRule = "upload.column-kind";

    public string Name => part == 1 ? $"upload to {dataset.Name}" : $"upload to {dataset.Name}, part {part} (from row {firstRow + 1})";

    public object? GetService(Type serviceType) => serviceType.IsInstanceOfType(this) ? this : null;

    public static string Clean(string message, string spool) => message.Replace(spool, "the upload", StringComparison.Ordinal).Replace(Path.GetFileName(spool), "the upload", StringComparison.Ordinal);

    public async ValueTask<DatasetSnapshot> LoadAsync(RetrainingContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = await body.LoadAsync(context, cancellationToken).ConfigureAwait(false);
        var issues = snapshot.ReadIssues.Select(i => i with { Message = Clean(i.Message, spool), Source = Name }).ToList();
        if (checkColumns)
        {
            var columnIssues = ColumnIssues(snapshot.Schema).ToList();
            issues.AddRange(columnIssues);
            if (columnIssues.Count == 0)
            {
                // Extra columns dropped, declared order kept, derived columns computed as CSV computes them:
                // every batch of the dataset has one schema, whatever its format.
                snapshot = dataset.Schema.Conform(snapshot, rowsBefore);
            }
        }

        if (rowsBefore + snapshot.RowCount > maxRows)
        {
            issues.Add(new DataValidationIssue(ValidationSeverity.Error, TooManyRowsRule, $"The upload has {(part == 1 ? string.Empty : "at least ")}{rowsBefore + snapshot.RowCount} rows; a batch may have at most {maxRows} (MaxRows).") { Source = Name });
        }

        return snapshot with { Name = Name, Location = $"HTTP upload to {dataset.Name} by {SafeText.Escape(sender)}", ReadIssues = issues };
    }

    // A format that carries its own types (Parquet) must still bring every declared read column with its kind; derived ones are computed.
    private IEnumerable<DataValidationIssue> ColumnIssues(DataSchema read)
    {
        var columns = read.Columns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        foreach (var declared in dataset.Schema.Columns.Where(c => !c.IsDerived))
        {
            if (!columns.TryGetValue(declared.Name, out var column))
            {
                yield return new DataValidationIssue(ValidationSeverity.Error, "schema.missing-column", $"Column '{declared.Name}' ({declared.Kind}) is missing from the upload; it has {SafeText.Escape(string.Join(", ", columns.Keys.Take(20).Select(k => k.Length <= 40 ? k : k[..40] + "…")))}.") { Column = declared.Name, Source = Name };
            }
            else if (column.Kind != declared.Kind)
            {
                yield return new DataValidationIssue(ValidationSeverity.Error, ColumnKindRule, $"Column '{declared.Name}' of the upload is {column.Kind}; the dataset declares it {declared.Kind}.") { Column = declared.Name, Source = Name };
            }
        }
    }
}
