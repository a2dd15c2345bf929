namespace ModelRetraining;

/// <summary>The serialized form of a KLL sketch.</summary>
internal sealed record KllState(int K, long Count, double Min, double Max, double[][] Levels);
