namespace ModelRetraining;

/// <summary>One row of a reliability table: the predictions in a probability bin and how often they came true.</summary>
/// <param name="Lower">The bin's lower probability bound.</param>
/// <param name="Upper">The bin's upper probability bound.</param>
/// <param name="Rows">The predictions in the bin.</param>
/// <param name="MeanPredicted">Their mean predicted probability.</param>
/// <param name="ObservedRate">The share of them that were positive.</param>
public sealed record CalibrationBin(double Lower, double Upper, long Rows, double MeanPredicted, double ObservedRate);
