namespace TorchSharp;

public static partial class torch
{
    /// <summary>Element types; the numbering is libtorch's <c>c10::ScalarType</c> (as in TorchSharp).</summary>
    public enum ScalarType : sbyte
    {
        Byte = 0,
        Int8 = 1,
        Int16 = 2,
        Int32 = 3,
        Int64 = 4,
        Float16 = 5,
        Float32 = 6,
        Float64 = 7,
        ComplexFloat32 = 9,
        ComplexFloat64 = 10,
        Bool = 11,
        QInt8 = 12,
        QUInt8 = 13,
        QInt32 = 14,
        BFloat16 = 15,
    }

#pragma warning disable IDE1006 // lower-case names mirror torch's module attributes
    public static ScalarType @bool = ScalarType.Bool;
    public static ScalarType uint8 = ScalarType.Byte;
    public static ScalarType int8 = ScalarType.Int8;
    public static ScalarType int16 = ScalarType.Int16;
    public static ScalarType int32 = ScalarType.Int32;
    public static ScalarType int64 = ScalarType.Int64;
    public static ScalarType bfloat16 = ScalarType.BFloat16;
    public static ScalarType float16 = ScalarType.Float16;
    public static ScalarType float32 = ScalarType.Float32;
    public static ScalarType float64 = ScalarType.Float64;
    public static ScalarType complex64 = ScalarType.ComplexFloat32;
    public static ScalarType complex128 = ScalarType.ComplexFloat64;
    public static ScalarType @short = ScalarType.Int16;
    public static ScalarType @int = ScalarType.Int32;
    public static ScalarType @long = ScalarType.Int64;
    public static ScalarType half = ScalarType.Float16;
    public static ScalarType @float = ScalarType.Float32;
    public static ScalarType @double = ScalarType.Float64;
#pragma warning restore IDE1006

    /// <summary>True for float16, bfloat16, float32 and float64.</summary>
    public static bool is_floating_point(ScalarType type) =>
        type is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;

    /// <summary>
    /// The type an operation on two tensors of these types computes in (libtorch's promotion: the wider
    /// type, floating beats integral, float16 with bfloat16 gives float32, uint8 with int8 gives int16).
    /// </summary>
    public static unsafe ScalarType promote_types(ScalarType type1, ScalarType type2)
    {
        sbyte result;
        PInvoke.NativeMethods.Check(PInvoke.NativeMethods.tl_promote_types((sbyte)type1, (sbyte)type2, &result));
        return (ScalarType)result;
    }

    /// <summary>True for the integral types (not bool).</summary>
    public static bool is_integral(ScalarType type) =>
        type is ScalarType.Byte or ScalarType.Int8 or ScalarType.Int16 or ScalarType.Int32 or ScalarType.Int64;

    /// <summary>The element size in bytes.</summary>
    internal static int ElementSize(ScalarType type) => type switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool or ScalarType.QInt8 or ScalarType.QUInt8 => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 or ScalarType.QInt32 => 4,
        ScalarType.Int64 or ScalarType.Float64 or ScalarType.ComplexFloat32 => 8,
        ScalarType.ComplexFloat64 => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown scalar type"),
    };

    /// <summary>The scalar type that holds values of the .NET type <typeparamref name="T"/>.</summary>
    internal static ScalarType ScalarTypeOf<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? ScalarType.Float32
        : typeof(T) == typeof(double) ? ScalarType.Float64
        : typeof(T) == typeof(long) ? ScalarType.Int64
        : typeof(T) == typeof(int) ? ScalarType.Int32
        : typeof(T) == typeof(short) ? ScalarType.Int16
        : typeof(T) == typeof(sbyte) ? ScalarType.Int8
        : typeof(T) == typeof(byte) ? ScalarType.Byte
        : typeof(T) == typeof(bool) ? ScalarType.Bool
        : typeof(T) == typeof(Half) ? ScalarType.Float16
        : throw new ArgumentException($"{typeof(T).Name} is not an element type a tensor can hold", nameof(T));
}
