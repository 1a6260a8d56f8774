namespace TorchLossesTests.Support;

/// <summary>Value assertions for numbers a page test computes by hand (see the Docs page tests).</summary>
internal static class ValueAssert
{
    /// <summary>
    /// Element-wise |expected − actual| ≤ rtol · max(1, |expected|); NaN matches NaN and infinities must match exactly.
    /// Also checks the element count.
    /// </summary>
    public static void Close(double[] expected, double[] actual, double rtol, string what)
    {
        Assert.HasCount(expected.Length, actual, $"element count of {what}");
        for (int k = 0; k < expected.Length; k++)
        {
            double e = expected[k], a = actual[k];
            if (double.IsNaN(e)) { Assert.IsTrue(double.IsNaN(a), $"{what}, element {k}: expected NaN, got {a}"); continue; }
            if (double.IsInfinity(e)) { Assert.AreEqual(e, a, $"{what}, element {k}"); continue; }
            Assert.AreEqual(e, a, rtol * Math.Max(1, Math.Abs(e)), $"{what}, element {k}");
        }
    }
}
