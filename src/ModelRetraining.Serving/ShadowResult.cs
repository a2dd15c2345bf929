namespace ModelRetraining.Serving;

/// <summary>The challenger's answer to a shadowed request, filled in by the shadow worker after the caller got the champion's.</summary>
internal sealed class ShadowResult(ArmCounters counters)
{
    private object? _output;

    public ArmCounters Counters { get; } = counters;

    public object? Output
    {
        get => Volatile.Read(ref _output);
        set => Volatile.Write(ref _output, value);
    }
}
