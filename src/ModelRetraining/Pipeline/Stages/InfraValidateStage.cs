namespace ModelRetraining;

/// <summary>Loads and runs the candidate as serving will (each infra validator); any problem rejects the run with the numbers.</summary>
internal sealed class InfraValidateStage(PipelineDefinition definition, RunRecorder recorder) : IRunStage
{
    public RetrainingStage Stage => RetrainingStage.InfraValidating;

    public bool AppliesTo(RunState run) => definition.InfraValidators.Count > 0;

    public string Describe(RunState run) => string.Join(", ", definition.InfraValidators.Select(v => v.Name));

    public async ValueTask<StageOutcome> RunAsync(RunState run, CancellationToken cancellationToken)
    {
        var reports = new List<InfraValidationReport>();
        foreach (var validator in definition.InfraValidators)
        {
            reports.Add(await validator.ValidateAsync(new InfraValidationInput(run.Candidate, run.Holdout, run.Evaluation!.Candidate.Outputs), run.Context, cancellationToken).ConfigureAwait(false));
        }

        run.InfraValidation = reports;
        var failures = reports.SelectMany(r => r.Problems.Select(p => $"Infra validation ({r.Validator}, {r.ExecutionProvider ?? "?"}): {p}")).ToArray();
        var inputs = $"candidate sha256:{run.CandidateHash}";
        return failures.Length > 0
            ? new StageOutcome(RunJournalStatus.Rejected, inputs, reports) { End = recorder.Rejected(run, failures) }
            : StageOutcome.Completed(inputs, reports);
    }
}
