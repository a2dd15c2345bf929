namespace ModelRetraining;

/// <summary>
/// Runs every data validator on the training data (and the holdout, unless turned off), logs and counts
/// each issue, rejects the run on any error, and leaves quarantined rows out of what follows.
/// </summary>
internal sealed class ValidateStage(PipelineDefinition definition, RunRecorder recorder) : IRunStage
{
    public RetrainingStage Stage => RetrainingStage.Validating;

    public bool AppliesTo(RunState run) => true;

    public string Describe(RunState run) => $"{definition.Validators.Count} validators";

    public async ValueTask<StageOutcome> RunAsync(RunState run, CancellationToken cancellationToken)
    {
        var reports = new List<DataValidationReport>();
        foreach (var validator in definition.Validators)
        {
            reports.Add(await validator.ValidateAsync(run.Training, run.Context, cancellationToken).ConfigureAwait(false));
            if (definition.Options.ValidateHoldout)
            {
                reports.Add(await validator.ValidateAsync(run.Holdout, run.Context, cancellationToken).ConfigureAwait(false));
            }
        }

        // What the source itself could not read (a renamed header, unparseable values, lost rows) is part
        // of the result whatever validators the pipeline has: without this, no validator meant no error.
        AddReadIssues(reports, run.Training);
        AddReadIssues(reports, run.Holdout);
        run.Validation = reports;
        foreach (var issue in reports.SelectMany(r => r.Issues))
        {
            Log.DataIssue(definition.Logger, run.RunId, SafeText.Escape(issue.Source), SafeText.Escape(issue.ToString()));
            RetrainingTelemetry.DataIssues.Add(1, new KeyValuePair<string, object?>("model", definition.ModelName), new KeyValuePair<string, object?>("severity", issue.Severity.ToString()));
        }

        // One cause, one error: a holdout a validator already refused for its row count is not refused again.
        var holdoutRowsReported = reports.Any(r => r.DataSet == run.Holdout.Name && r.Issues.Any(i => i.Rule == IssueRules.MinRows && i.Severity == ValidationSeverity.Error));
        if (run.Holdout.RowCount < definition.Options.MinHoldoutRows && !holdoutRowsReported)
        {
            reports.Add(new DataValidationReport("holdout-size", run.Holdout.Name, [new DataValidationIssue(ValidationSeverity.Error, "holdout.min-rows", $"The holdout '{run.Holdout.Name}' has {run.Holdout.RowCount} rows; an evaluation needs at least {definition.Options.MinHoldoutRows} ({nameof(RetrainingPipelineOptions.MinHoldoutRows)}).") { Source = run.Holdout.Name }]));
        }

        var inputs = IngestStage.Fingerprints(run);
        var outputs = reports.Select(r => new { r.Validator, r.DataSet, r.Issues }).ToArray();
        var errors = reports.SelectMany(r => r.Issues).Where(i => i.Severity == ValidationSeverity.Error).Select(i => i.Message).ToArray();
        if (errors.Length > 0)
        {
            return new StageOutcome(RunJournalStatus.Rejected, inputs, outputs) { End = recorder.Rejected(run, errors) };
        }

        run.Training = WithoutQuarantined(run.Training, reports);
        run.Holdout = WithoutQuarantined(run.Holdout, reports);
        return StageOutcome.Completed(inputs, outputs);
    }

    internal static void AddReadIssues(List<DataValidationReport> reports, DatasetSnapshot data)
    {
        var reported = reports.SelectMany(r => r.Issues).ToHashSet(); // a holdout split from the training file carries the same issues
        var missing = data.ReadIssues.Where(i => !reported.Contains(i)).ToArray();
        if (missing.Length > 0)
        {
            reports.Insert(0, new DataValidationReport("source", data.Name, missing));
        }
    }

    // Rows a validator quarantined are left out of training and evaluation; the fingerprint says so.
    internal static DatasetSnapshot WithoutQuarantined(DatasetSnapshot data, IReadOnlyList<DataValidationReport> reports)
    {
        var excluded = reports.Where(r => r.DataSet == data.Name).SelectMany(r => r.QuarantinedRows).ToHashSet();
        if (excluded.Count == 0)
        {
            return data;
        }

        var positions = string.Join(",", excluded.Order());
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(positions)))[..16];
        return data with
        {
            Data = new FilteredDataView(data.Data, excluded),
            RowCount = data.RowCount - excluded.Count,
            Fingerprint = $"{data.Fingerprint}-quarantined-{excluded.Count}-{hash}",
        };
    }
}
