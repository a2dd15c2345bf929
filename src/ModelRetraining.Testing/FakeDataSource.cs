namespace ModelRetraining.Testing;

/// <summary>A data source whose result a test decides, through <see cref="OnLoad"/>.</summary>
public sealed class FakeDataSource : IDataSource
{
    /// <summary>Creates the fake.</summary>
    /// <param name="name">The data set's name.</param>
    /// <param name="onLoad">What a load returns (or throws).</param>
    public FakeDataSource(string name, Func<RetrainingContext, CancellationToken, DatasetSnapshot> onLoad)
    {
        Name = name;
        OnLoad = onLoad;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Gets or sets what a load returns (or throws).</summary>
    public Func<RetrainingContext, CancellationToken, DatasetSnapshot> OnLoad { get; set; }

    /// <summary>Gets how many times the source was loaded.</summary>
    public int Loads { get; private set; }

    /// <inheritdoc />
    public ValueTask<DatasetSnapshot> LoadAsync(RetrainingContext context, CancellationToken cancellationToken = default)
    {
        Loads++;
        return ValueTask.FromResult(OnLoad(context, cancellationToken));
    }
}
