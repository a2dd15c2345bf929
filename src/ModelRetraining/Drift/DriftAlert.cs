namespace ModelRetraining;

/// <summary>Raised when a column or a data set drifts during a run's validation.</summary>
/// <param name="ModelName">The model.</param>
/// <param name="RunId">The run.</param>
/// <param name="DataSet">The data set that drifted from the champion's training data.</param>
/// <param name="Report">The full comparison.</param>
public sealed record DriftAlert(string ModelName, string RunId, string DataSet, DriftReport Report);
