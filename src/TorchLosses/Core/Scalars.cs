namespace TorchLosses;

/// <summary>
/// The number arguments the losses pass to libtorch, as <see cref="Scalar"/>s this class owns for the life of the process.
/// <para>Why: TorchSharp 0.107 turns a number argument (the 0.5 of <c>x * 0.5</c>, the alpha 1 of <c>Tensor.add(Tensor)</c>)
/// into a temporary Scalar and passes only its native handle; nothing keeps the Scalar alive during the native call, so a
/// garbage collection triggered by another thread can run its finalizer and free the value while the op reads it ("Expected
/// false to be true" from <c>Scalar::toDouble</c>, or a wrong number). A static readonly Scalar is never finalized.</para>
/// <para>The rule, kept by the tests (Build/ImplicitScalarTests): no Scalar is created without an owner. A constant comes from
/// here, with the value and the .NET type (integer, floating point or bool, which decide libtorch's type promotion) the
/// number had; a parameter becomes <c>using var s = value.ToScalar();</c>, alive until the end of its scope. TorchSharp also
/// makes Scalars of its own inside some members (<c>a + b</c> is <c>a.add(b, 1)</c>, <c>square()</c> is <c>pow(2)</c>,
/// <c>2 - t</c> is <c>(-t).add(2, 1)</c>): the same op with an owned alpha is <see cref="Plus(Tensor, Tensor)"/>,
/// <see cref="Minus(Scalar, Tensor)"/>, <c>pow(Scalars.Two)</c>.</para>
/// </summary>
internal static class Scalars
{
    /// <summary>a + b, as TorchSharp's <c>a + b</c> (which is <c>a.add(b, 1)</c> with a temporary alpha), alpha owned here.</summary>
    internal static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary>a + s, as TorchSharp's <c>a + s</c> (<c>a.add(s, 1)</c>), alpha owned here.</summary>
    internal static Tensor Plus(this Tensor a, Scalar s) => a.add(s, One);

    /// <summary>s − t, as TorchSharp's <c>s - t</c> computes it (−t + s), alpha owned here.</summary>
    internal static Tensor Minus(this Scalar s, Tensor t) => t.negative().add(s, One);

    /// <summary>
    /// A number argument for an op: one of the constants below when <paramref name="value"/> is one of them (a call into libtorch
    /// and a disposal fewer; the losses' default parameters, β = δ = 1, are), else a new Scalar that the returned argument owns.
    /// Use as <c>using var s = Scalars.Of(value);</c> and pass <c>s.Value</c>.
    /// </summary>
    internal static ScalarArgument Of(double value) => value switch
    {
        1.0 => new(RealOne, owned: false),
        -1.0 => new(MinusRealOne, owned: false),
        0.5 => new(Half, owned: false),
        -0.5 => new(MinusHalf, owned: false),
        _ => new(value.ToScalar(), owned: true),   // ScalarOwnership: the ScalarArgument owns it and its using disposes it
    };

    /// <summary>A Scalar passed to an op, and whether this argument owns it (see <see cref="Of(double)"/>).</summary>
    internal readonly struct ScalarArgument : IDisposable
    {
        internal ScalarArgument(Scalar value, bool owned) => (Value, this.owned) = (value, owned);

        private readonly bool owned;

        /// <summary>The Scalar.</summary>
        internal Scalar Value { get; }

        public void Dispose()
        {
            if (owned) Value.Dispose();
        }
    }

    // <constants>
    internal static readonly Scalar CosineEmbeddingEpsilon = 9.999999960041972E-13;
    internal static readonly Scalar Epsilon = 9.999999960041972E-13;
    internal static readonly Scalar Half = 0.5;
    internal static readonly Scalar HalfLogTwoPi = 0.5 * Math.Log(2 * Math.PI);
    internal static readonly Scalar Int6 = 6;
    internal static readonly Scalar LargestFloat16 = 65504.0;
    internal static readonly Scalar LogTwo = Math.Log(2);
    internal static readonly Scalar Minus100 = -100;
    internal static readonly Scalar MinusHalf = -0.5;
    internal static readonly Scalar MinusOne = -1;
    internal static readonly Scalar MinusRealOne = -1.0;
    internal static readonly Scalar NaN = double.NaN;
    internal static readonly Scalar NegativeInfinity = double.NegativeInfinity;
    internal static readonly Scalar One = 1;
    internal static readonly Scalar PositiveInfinity = double.PositiveInfinity;
    internal static readonly Scalar RealOne = 1.0;
    internal static readonly Scalar RealZero = 0.0;
    internal static readonly Scalar Two = 2;
    internal static readonly Scalar TwoPi = 6.283185307179586;
    internal static readonly Scalar Zero = 0;
    // </constants>
}
