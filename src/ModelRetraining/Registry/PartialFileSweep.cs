namespace ModelRetraining;

/// <summary>What a local artifact store found of writes that never finished, when it opened.</summary>
/// <param name="Removed">Partial files removed: older than any live write and held by no writer.</param>
/// <param name="RemovedBytes">Their size.</param>
/// <param name="Remaining">Partial files left because a live write may still own them.</param>
/// <param name="RemainingBytes">Their size.</param>
internal sealed record PartialFileSweep(int Removed, long RemovedBytes, int Remaining, long RemainingBytes);
