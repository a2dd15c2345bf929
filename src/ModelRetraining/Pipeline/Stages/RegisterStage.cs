using System.Text;
using System.Text.Json;

namespace ModelRetraining;

/// <summary>
/// Registers the candidate as a new version with its lineage (parent, run, data sets), metrics, the gate's
/// decision, the trainer's attachments and the training data's profile and schema; a resumed run that
/// already registered one reuses it. A candidate the gates rejected ends the run here, registered for the record.
/// </summary>
internal sealed class RegisterStage(PipelineDefinition definition, RunRecorder recorder) : IRunStage
{
    public RetrainingStage Stage => RetrainingStage.Registering;

    public bool AppliesTo(RunState run) => true;

    public string Describe(RunState run) => run.AlreadyRegistered is null ? "registering the candidate" : $"already registered as {run.AlreadyRegistered}";

    public async ValueTask<StageOutcome> RunAsync(RunState run, CancellationToken cancellationToken)
    {
        var decision = run.Decision!;
        var registered = run.AlreadyRegistered ?? await definition.Registry.RegisterVersionAsync(
            new NewModelVersion(definition.ModelName, run.Candidate.Artifact, run.Actor)
            {
                ParentVersion = run.Champion?.Version,
                RunId = run.RunId,
                Description = $"Trained by run {run.RunId} ({run.Reason}).",
                Metrics = run.Evaluation!.Candidate.Metrics,
                Parameters = run.Candidate.Parameters,
                Datasets =
                [
                    new DatasetReference("training", run.Training.Location ?? run.Training.Name, run.Training.Fingerprint, run.Training.RowCount),
                    new DatasetReference("holdout", run.Holdout.Location ?? run.Holdout.Name, run.Holdout.Fingerprint, run.Holdout.RowCount),
                ],
                Tags = new Dictionary<string, string>(StringComparer.Ordinal) { ["decision"] = DecisionTag(decision.Outcome) },
                Decision = JsonSerializer.Serialize(decision, RunRecorder.JsonOptions),
                Attachments = Attachments(run, cancellationToken),
            },
            cancellationToken).ConfigureAwait(false);
        run.Registered = registered;
        var outcome = StageOutcome.Completed($"candidate sha256:{run.CandidateHash}", new { version = registered.Version, reused = run.AlreadyRegistered is not null ? true : (bool?)null });
        if (decision.Outcome == PromotionOutcome.Rejected)
        {
            run.Stage = RetrainingStage.Gating;
            return outcome with { End = recorder.Rejected(run, decision.Reasons) };
        }

        return outcome;
    }

    internal static string DecisionTag(PromotionOutcome outcome) => outcome switch
    {
        PromotionOutcome.Approved => "approved",
        PromotionOutcome.Rejected => "rejected",
        _ => "pending-approval",
    };

    // The trainer's own extra artifacts (an ONNX export) and, unless turned off, the training data's profile and schema.
    private Dictionary<string, ModelArtifact> Attachments(RunState run, CancellationToken cancellationToken)
    {
        var attachments = new Dictionary<string, ModelArtifact>(run.Candidate.Attachments, StringComparer.Ordinal);
        if (definition.Options.StoreTrainingProfile)
        {
            var profile = ProfileCache.Get(run.Context, run.Training, cancellationToken);
            attachments[AttachmentNames.Profile] = new("profile", AttachmentNames.Profile, Encoding.UTF8.GetBytes(profile.ToJson()));
            attachments[AttachmentNames.Schema] = new("schema", AttachmentNames.Schema, Encoding.UTF8.GetBytes(InferredSchema.FromProfile(profile, run.Training.Schema.LabelColumn, run.Training.Schema).ToJson()));
        }

        // The drift reports written for this run's data (with ReportFolder set) travel with the version, named
        // by role, so the evidence of a promotion outlives the report folder.
        foreach (var report in run.Validation.Where(r => r.Validator == "drift"))
        {
            var role = report.DataSet == run.Training.Name ? "training" : report.DataSet == run.Holdout.Name ? "holdout" : null;
            foreach (var file in report.ReportFiles.Where(_ => role is not null))
            {
                var name = $"drift-{role}{Path.GetExtension(file)}";
                if (File.Exists(file))
                {
                    attachments[name] = new("report", name, File.ReadAllBytes(file));
                }
            }
        }

        return attachments;
    }
}
