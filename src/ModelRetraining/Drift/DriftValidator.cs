using System.Text;
using Microsoft.Extensions.Logging;

namespace ModelRetraining;

/// <summary>
/// Compares each data set of a run with the champion's training-data profile (stored with the champion
/// as <c>profile.json</c>) and reports drifted columns and data-set drift: as validation issues, a log
/// entry, metrics, report files and the <see cref="DriftDetectionOptions.OnDrift"/> callback.
/// </summary>
internal sealed class DriftValidator(DriftDetectionOptions options, ILogger logger) : IDataValidator
{
    private readonly DriftDetector _detector = new(options.Drift);

    public string Name => "drift";

    public async ValueTask<DataValidationReport> ValidateAsync(DatasetSnapshot data, RetrainingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(context);
        if (context.Champion is not { } champion || context.Registry is not { } registry || champion.Attachments.All(a => a.Name != AttachmentNames.Profile))
        {
            var why = context.Champion is null ? "there is no champion yet" : $"champion {context.Champion} has no stored training-data profile";
            return new DataValidationReport(Name, data.Name, [new DataValidationIssue(ValidationSeverity.Warning, "drift.no-reference", $"Drift was not checked for '{data.Name}': {why}.") { Source = data.Name }]);
        }

        var reference = DataProfile.FromJson(Encoding.UTF8.GetString((await registry.ReadAttachmentAsync(champion, AttachmentNames.Profile, cancellationToken).ConfigureAwait(false)).Content.Span));
        var current = ProfileCache.Get(context, data, cancellationToken);
        var columns = reference.Columns.Select(c => c.Name).Where(n => !(options.IgnoreTimeColumn && n == data.Schema.TimeColumn));
        var report = _detector.CompareProfiles(reference, current, columns) with { Reference = $"{champion} training data", Current = data.Name };

        var issues = new List<DataValidationIssue>();
        foreach (var problem in report.Problems)
        {
            issues.Add(new DataValidationIssue(ValidationSeverity.Warning, "drift.input", $"Drift check of '{data.Name}': {problem}") { Source = data.Name });
        }

        foreach (var column in report.Columns)
        {
            RetrainingTelemetry.DriftScore.Record(column.Statistic, new("model", context.ModelName), new("column", column.Column), new("method", column.Method.ToString()));
            if (column.Drifted)
            {
                issues.Add(new DataValidationIssue(ValidationSeverity.Warning, "drift.column", $"Column '{column.Column}' of '{data.Name}' drifted from {champion}'s training data: {column.Reason}") { Column = column.Column, Source = data.Name });
                RetrainingTelemetry.DriftedColumns.Add(1, new("model", context.ModelName), new("column", column.Column));
                Log.ColumnDrifted(logger, context.RunId, SafeText.Escape(column.Column), SafeText.Escape(data.Name), column.Method, column.Statistic, column.Threshold);
            }
        }

        if (report.DatasetDrift)
        {
            issues.Add(new DataValidationIssue(options.DatasetDriftSeverity, "drift.dataset", $"'{data.Name}' drifted from {champion}'s training data: {report.DriftedColumns} of {report.Columns.Count} columns ({report.DriftedShare.ToString("0%", System.Globalization.CultureInfo.InvariantCulture)}) drifted, at or above the {report.DriftShareThreshold.ToString("0%", System.Globalization.CultureInfo.InvariantCulture)} threshold.") { Source = data.Name });
            RetrainingTelemetry.DriftedDataSets.Add(1, new KeyValuePair<string, object?>("model", context.ModelName));
            Log.DatasetDrifted(logger, context.RunId, SafeText.Escape(data.Name), report.DriftedColumns, report.Columns.Count);
        }

        if (report.DriftedColumns > 0)
        {
            options.OnDrift?.Invoke(new DriftAlert(context.ModelName, context.RunId, data.Name, report));
        }

        var files = options.ReportFolder is { } folder ? await WriteAsync(folder, context.RunId, data, report, cancellationToken).ConfigureAwait(false) : [];
        return new DataValidationReport(Name, data.Name, issues) { ReportFiles = files };
    }

    private static async Task<string[]> WriteAsync(string folder, string runId, DatasetSnapshot data, DriftReport report, CancellationToken cancellationToken)
    {
        var target = ReportPaths.RunFolder(folder, runId);

        var stem = Path.Combine(target, "drift-" + ReportPaths.Stem(data));
        await File.WriteAllTextAsync(stem + ".json", report.ToJson(), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(stem + ".html", report.ToHtml(), cancellationToken).ConfigureAwait(false);
        return [stem + ".json", stem + ".html"];
    }
}
