using System.Globalization;

namespace Examples.Common;

/// <summary>Number formatting for the tables (invariant culture, so the output reads the same everywhere).</summary>
public static class Format
{
    /// <summary><paramref name="value"/> with <paramref name="decimals"/> decimals.</summary>
    public static string F(double value, int decimals = 3) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    /// <summary>A duration in milliseconds.</summary>
    public static string Ms(TimeSpan time) => time.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture) + " ms";

    /// <summary>A number for a label (invariant, shortest round-trip form).</summary>
    public static string G(double value) => value.ToString("G", CultureInfo.InvariantCulture);
}
