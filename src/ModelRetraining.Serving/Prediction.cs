using System.Globalization;

namespace ModelRetraining.Serving;

/// <summary>One prediction: its id (to record the outcome against), the version that made it, and the output.</summary>
/// <typeparam name="TOutput">The output type.</typeparam>
public sealed class Prediction<TOutput>
{
    private readonly string _idPrefix;
    private readonly long _sequence;
    private string? _id;

    internal Prediction(string idPrefix, long sequence, int version, TOutput output, bool fromChallenger = false)
    {
        _idPrefix = idPrefix;
        _sequence = sequence;
        Version = version;
        Output = output;
        FromChallenger = fromChallenger;
    }

    /// <summary>Gets the prediction's id (made when first asked for: a server that never records outcomes never formats one).</summary>
    public string Id => _id ??= string.Concat(_idPrefix, _sequence.ToString("x", CultureInfo.InvariantCulture));

    /// <summary>Gets the model version that answered.</summary>
    public int Version { get; }

    /// <summary>Gets the output.</summary>
    public TOutput Output { get; }

    /// <summary>Gets a value indicating whether a rollout's challenger answered (an A/B or canary request that fell to it).</summary>
    public bool FromChallenger { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Id} v{Version}: {Output}";
}
