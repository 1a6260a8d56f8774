using System.Runtime.InteropServices;

namespace TorchLossesTests.Support;

/// <summary>Value assertions shared by the pointwise, comparison and reduction op tests.</summary>
internal static class ValueAssert
{
    /// <summary>The elements of <paramref name="t"/> as doubles (converted exactly from any real dtype).</summary>
    public static double[] Values(torch.Tensor t) => t.to(torch.float64).data<double>().ToArray();

    /// <summary>
    /// Element-wise |expected − actual| ≤ rtol · |expected| (+ rtol for values near 0); NaN matches
    /// NaN and infinities must match exactly. Also checks the element count.
    /// </summary>
    public static void Close(double[] expected, torch.Tensor actual, double rtol = 1e-12) =>
        Close(expected, Values(actual), rtol, $"{actual}");

    /// <inheritdoc cref="Close(double[], torch.Tensor, double)"/>
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

    /// <summary>Exact element-wise equality (for integral and bool results).</summary>
    public static void Exactly(double[] expected, torch.Tensor actual) => CollectionAssert.AreEqual(expected, Values(actual));

    public static void Shape(long[] expected, torch.Tensor actual) =>
        CollectionAssert.AreEqual(expected, actual.shape, $"shape [{string.Join(", ", actual.shape)}]");

    /// <summary>Runs <paramref name="action"/> and checks it fails with libtorch's message containing <paramref name="message"/>.</summary>
    public static void Fails(Action action, string message)
    {
        var e = Assert.ThrowsExactly<ExternalException>(action);
        StringAssert.Contains(e.Message, message);
    }
}
