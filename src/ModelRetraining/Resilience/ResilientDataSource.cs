using Polly;

namespace ModelRetraining;

/// <summary>A data source whose loads run inside a resilience pipeline.</summary>
internal sealed class ResilientDataSource(IDataSource inner, ResiliencePipeline pipeline) : DelegatingDataSource(inner)
{
    public override ValueTask<DatasetSnapshot> LoadAsync(RetrainingContext context, CancellationToken cancellationToken = default)
        => pipeline.ExecuteAsync(static (state, token) => state.Inner.LoadAsync(state.Context, token), (Inner: InnerSource, Context: context), cancellationToken);
}
