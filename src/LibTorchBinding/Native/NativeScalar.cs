using System.Runtime.InteropServices;

namespace TorchSharp.PInvoke;

/// <summary>The shim's <c>tl_scalar</c>: kind 0 = floating, 1 = integral, 2 = boolean.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct NativeScalar
{
    public readonly int Kind;
    public readonly double Double;
    public readonly long Integer;

    public NativeScalar(int kind, double value, long integer)
    {
        Kind = kind;
        Double = value;
        Integer = integer;
    }
}
