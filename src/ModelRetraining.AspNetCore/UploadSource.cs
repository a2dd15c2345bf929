namespace ModelRetraining.AspNetCore;

/// <summary>
/// The spooled body read as the dataset's CSV, renamed for messages and lineage (the spool file's random
/// name means nothing to the sender), and refused above the row limit.
/// </summary>
internal sealed class UploadSource(CsvDataSource csv, string dataset, string sender, long bytes, long maxRows) : IDataSource
{
    public const string TooManyRowsRule = "upload.max-rows";

    public string Name => $"upload to {dataset}";

    public object? GetService(Type serviceType) => serviceType.IsInstanceOfType(this) ? this : null;

    public static string Clean(string message, string spool) => message.Replace(Path.GetFileName(spool), "the upload", StringComparison.Ordinal).Replace(spool, "the upload", StringComparison.Ordinal);

    public async ValueTask<DatasetSnapshot> LoadAsync(RetrainingContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = await csv.LoadAsync(context, cancellationToken).ConfigureAwait(false);
        var issues = snapshot.ReadIssues.Select(i => i with { Message = Clean(i.Message, csv.Path), Source = Name }).ToList();
        if (snapshot.RowCount > maxRows)
        {
            issues.Add(new DataValidationIssue(ValidationSeverity.Error, TooManyRowsRule, $"The upload has {snapshot.RowCount} rows; a batch may have at most {maxRows} (MaxRows).") { Source = Name });
        }

        return snapshot with { Name = Name, Location = $"HTTP upload to {dataset} by {SafeText.Escape(sender)} ({bytes} bytes)", ReadIssues = issues };
    }
}
