namespace ModelRetraining;

/// <summary>What <see cref="ModelRetrainingBuilder.AddPipeline"/> recorded for one named pipeline.</summary>
internal sealed class PipelineRegistration
{
    public Action<RetrainingPipelineBuilder, IServiceProvider>? Configure { get; set; }
}
