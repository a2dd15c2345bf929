namespace ModelRetraining.Hosting;

/// <summary>A periodic data check (drift or new data) asked for by <c>AddDriftTrigger</c> or <c>AddNewDataTrigger</c>.</summary>
internal sealed record DataCheckRegistration(string Id, string Pipeline, DataCheckKind Kind, Func<IServiceProvider, IDataSource> Source, TimeSpan Every, long MinNewRows, DriftOptions? Drift)
{
    public double? MinNewShare { get; init; }
}
