namespace ModelRetraining.Cli;

/// <summary>What <c>mrt</c> exits with; scripts branch on these (docs/cli.md).</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int Conflict = 3;
    public const int NotFound = 4;
}
