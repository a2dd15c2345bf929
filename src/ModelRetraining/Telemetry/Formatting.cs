using System.Globalization;

namespace ModelRetraining;

/// <summary>How numbers appear in reasons and reports: invariant culture, short, p-values readable at any size.</summary>
internal static class Formatting
{
    public static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    // A p-value that underflowed to 0 is "below what a double holds", never "0E+0".
    public static string PValue(double p) => p <= 0 ? "< 1e-300" : p < 1e-4 ? p.ToString("0.##E+0", CultureInfo.InvariantCulture) : p.ToString("0.####", CultureInfo.InvariantCulture);

    public static string Percent(double share) => share.ToString("0.##%", CultureInfo.InvariantCulture);
}
