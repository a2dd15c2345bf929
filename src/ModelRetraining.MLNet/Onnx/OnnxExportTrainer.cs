namespace ModelRetraining.MLNet;

/// <summary>Trains with the inner (ML.NET) trainer, then exports the model to ONNX as an attachment of the same version.</summary>
internal sealed class OnnxExportTrainer(ITrainer inner) : DelegatingTrainer(inner)
{
    public override async ValueTask<TrainedModel> TrainAsync(DatasetSnapshot training, RetrainingContext context, CancellationToken cancellationToken = default)
    {
        var trained = await base.TrainAsync(training, context, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var onnx = OnnxExport.FromMLNet(trained.Artifact, training);
        return trained with
        {
            Attachments = new Dictionary<string, ModelArtifact>(trained.Attachments, StringComparer.Ordinal) { [AttachmentNames.Onnx] = onnx },
        };
    }
}
