using TorchSharp.PInvoke;

namespace TorchSharp;

/// <summary>
/// A number passed to a tensor operation (TorchSharp's <c>Scalar</c>). It remembers whether it is
/// floating, integral or boolean, because libtorch's type promotion depends on that: an integral
/// tensor plus an integral scalar stays integral, plus a floating scalar becomes floating.
/// </summary>
public readonly struct Scalar
{
    internal readonly NativeScalar Native;

    private Scalar(NativeScalar native) => Native = native;

    /// <summary>True for a floating-point scalar.</summary>
    public bool IsFloatingPoint => Native.Kind == 0;

    public static implicit operator Scalar(double value) => new(new NativeScalar(0, value, 0));
    public static implicit operator Scalar(float value) => new(new NativeScalar(0, value, 0));
    public static implicit operator Scalar(Half value) => new(new NativeScalar(0, (double)value, 0));
    public static implicit operator Scalar(long value) => new(new NativeScalar(1, value, value));
    public static implicit operator Scalar(int value) => new(new NativeScalar(1, value, value));
    public static implicit operator Scalar(short value) => new(new NativeScalar(1, value, value));
    public static implicit operator Scalar(byte value) => new(new NativeScalar(1, value, value));
    public static implicit operator Scalar(sbyte value) => new(new NativeScalar(1, value, value));
    public static implicit operator Scalar(bool value) => new(new NativeScalar(2, value ? 1 : 0, value ? 1 : 0));

    /// <summary>The value as a double (integral and boolean values are converted).</summary>
    public double ToDouble() => Native.Kind == 0 ? Native.Double : Native.Integer;

    /// <inheritdoc/>
    public override string ToString() => Native.Kind switch
    {
        0 => Native.Double.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        2 => Native.Integer != 0 ? "True" : "False",
        _ => Native.Integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
