using System.Security.Cryptography;
using System.Text.Json;

namespace ModelRetraining;

/// <summary>
/// Produces the candidate: from the version this run already registered, from the checkpoint an
/// interrupted attempt left (only when the training data is the same), or from the trainer; a fresh
/// candidate is checkpointed so that a crash after training does not train again.
/// </summary>
internal sealed class TrainStage(PipelineDefinition definition) : IRunStage
{
    internal const string CandidateCheckpoint = "candidate";

    public RetrainingStage Stage => RetrainingStage.Training;

    public bool AppliesTo(RunState run) => true;

    public string Describe(RunState run) => definition.Trainer.Name;

    public async ValueTask<StageOutcome> RunAsync(RunState run, CancellationToken cancellationToken)
    {
        var (candidate, reusedFrom) = await TrainOrReuseAsync(run, cancellationToken).ConfigureAwait(false);
        run.Candidate = candidate;
        run.CandidateHash = Convert.ToHexStringLower(SHA256.HashData(candidate.Artifact.Content.Span));
        var record = new TrainingRecord(definition.Trainer.Name, $"sha256:{run.CandidateHash}", candidate.Artifact.Flavor, candidate.Artifact.FileName, candidate.Artifact.Content.Length, candidate.Duration.TotalSeconds, candidate.Parameters, reusedFrom);
        return StageOutcome.Completed(run.Training.Fingerprint, record);
    }

    private async ValueTask<(TrainedModel Candidate, string? ReusedFrom)> TrainOrReuseAsync(RunState run, CancellationToken cancellationToken)
    {
        var training = run.Training;
        if (run.AlreadyRegistered is { } registered)
        {
            var artifact = await definition.Registry.ReadArtifactAsync(registered, cancellationToken).ConfigureAwait(false);
            return (new TrainedModel(artifact, training.Fingerprint, TimeSpan.Zero) { Parameters = registered.Parameters, TrainingRows = training.RowCount }, registered.ToString());
        }

        if (run.Resume?.Training is { Outputs: { } json } entry && JsonSerializer.Deserialize<TrainingRecord>(json, RunRecorder.JsonOptions) is { } record)
        {
            if (entry.InputsFingerprint != training.Fingerprint)
            {
                Log.CheckpointStale(definition.Logger, run.RunId, entry.InputsFingerprint ?? "none", training.Fingerprint);
            }
            else if (await definition.Journal.ReadCheckpointAsync(run.RunId, CandidateCheckpoint, cancellationToken).ConfigureAwait(false) is { } bytes
                && $"sha256:{Convert.ToHexStringLower(SHA256.HashData(bytes))}" == record.Candidate)
            {
                var artifact = new ModelArtifact(record.Flavor, record.FileName, bytes);
                return (new TrainedModel(artifact, training.Fingerprint, TimeSpan.FromSeconds(record.Seconds)) { Parameters = record.Parameters, TrainingRows = training.RowCount }, "checkpoint");
            }
        }

        var candidate = await definition.Trainer.TrainAsync(training, run.Context, cancellationToken).ConfigureAwait(false);
        if (definition.Options.CheckpointCandidate)
        {
            await definition.Journal.SaveCheckpointAsync(run.RunId, CandidateCheckpoint, candidate.Artifact.Content, cancellationToken).ConfigureAwait(false);
        }

        return (candidate, null);
    }

    private sealed record TrainingRecord(string Trainer, string Candidate, string Flavor, string FileName, int Bytes, double Seconds, IReadOnlyDictionary<string, string> Parameters, string? ReusedFrom);
}
