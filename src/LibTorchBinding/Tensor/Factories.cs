using TorchSharp.PInvoke;
using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp;

public static partial class torch
{
    // ---- tensors from .NET data -----------------------------------------------------------------

    public static Tensor tensor(float[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromArray<float>(rawArray, new[] { (long)rawArray.Length }, dtype, device, requires_grad);
    public static Tensor tensor(double[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromArray<double>(rawArray, new[] { (long)rawArray.Length }, dtype, device, requires_grad);
    public static Tensor tensor(long[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromArray<long>(rawArray, new[] { (long)rawArray.Length }, dtype, device, requires_grad);
    public static Tensor tensor(int[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromArray<int>(rawArray, new[] { (long)rawArray.Length }, dtype, device, requires_grad);
    public static Tensor tensor(bool[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromArray<bool>(rawArray, new[] { (long)rawArray.Length }, dtype, device, requires_grad);
    public static Tensor tensor(byte[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromArray<byte>(rawArray, new[] { (long)rawArray.Length }, dtype, device, requires_grad);

    public static Tensor tensor(float[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromArray<float>(rawArray, dimensions, dtype, device, requires_grad);
    public static Tensor tensor(double[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromArray<double>(rawArray, dimensions, dtype, device, requires_grad);
    public static Tensor tensor(long[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromArray<long>(rawArray, dimensions, dtype, device, requires_grad);
    public static Tensor tensor(int[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromArray<int>(rawArray, dimensions, dtype, device, requires_grad);
    public static Tensor tensor(bool[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromArray<bool>(rawArray, dimensions, dtype, device, requires_grad);
    public static Tensor tensor(byte[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromArray<byte>(rawArray, dimensions, dtype, device, requires_grad);

    public static Tensor tensor(float[,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromArray<float>(Flatten(rawArray), Dimensions(rawArray), dtype, device, requires_grad);
    public static Tensor tensor(double[,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromArray<double>(Flatten(rawArray), Dimensions(rawArray), dtype, device, requires_grad);
    public static Tensor tensor(long[,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromArray<long>(Flatten(rawArray), Dimensions(rawArray), dtype, device, requires_grad);
    public static Tensor tensor(int[,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromArray<int>(Flatten(rawArray), Dimensions(rawArray), dtype, device, requires_grad);

    // 0-d tensors. As in TorchSharp, the float overload has no dtype parameter.
    public static Tensor tensor(float scalar, Device? device = null, bool requires_grad = false) =>
        FromArray<float>(new[] { scalar }, ReadOnlySpan<long>.Empty, null, device, requires_grad);
    public static Tensor tensor(int scalar, Device? device = null, bool requires_grad = false) =>
        FromArray<int>(new[] { scalar }, ReadOnlySpan<long>.Empty, null, device, requires_grad);
    public static Tensor tensor(double scalar, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromArray<double>(new[] { scalar }, ReadOnlySpan<long>.Empty, dtype, device, requires_grad);
    public static Tensor tensor(long scalar, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromArray<long>(new[] { scalar }, ReadOnlySpan<long>.Empty, dtype, device, requires_grad);
    public static Tensor tensor(bool scalar, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromArray<bool>(new[] { scalar }, ReadOnlySpan<long>.Empty, dtype, device, requires_grad);

    private static T[] Flatten<T>(T[,] values)
    {
        var flat = new T[values.Length];
        int k = 0;
        foreach (var v in values) flat[k++] = v;
        return flat;
    }

    private static long[] Dimensions(Array values)
    {
        var dims = new long[values.Rank];
        for (int d = 0; d < dims.Length; d++) dims[d] = values.GetLength(d);
        return dims;
    }

    /// <summary>The public name of the shape parameter, reported by the argument errors below.</summary>
    private const string DimensionsParameter = "dimensions";

    /// <summary>Copies <paramref name="values"/> into a new tensor of the given shape, then converts it.</summary>
    private static unsafe Tensor FromArray<T>(T[] values, ReadOnlySpan<long> shape, ScalarType? dtype, Device? device,
        bool requiresGrad) where T : unmanaged
    {
        long expected = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"negative dimension {d} in shape [{string.Join(", ", shape.ToArray())}]", DimensionsParameter);
            expected *= d;
        }
        if (expected != values.LongLength)
            throw new ArgumentException(
                $"shape [{string.Join(", ", shape.ToArray())}] holds {expected} elements, but the array has {values.LongLength}", DimensionsParameter);
        var own = ScalarTypeOf<T>();
        bool convert = (dtype is not null && dtype != own) || (device is not null && device.type != DeviceType.CPU);
        Tensor result;
        fixed (T* data = values)
        fixed (long* dims = shape)
            result = Tensor.FromNative(tl_tensor_from_data(data, dims, shape.Length, (sbyte)own, convert ? 0 : requiresGrad ? 1 : 0));
        if (!convert) return result;
        using (result)
        {
            var converted = result.to(dtype ?? own, device ?? CPU);
            if (requiresGrad) converted.requires_grad = true;
            return converted;
        }
    }

    // ---- filled tensors -------------------------------------------------------------------------

    private unsafe delegate TensorHandle ShapeFactory(long* shape, int ndim, sbyte dtype, sbyte deviceType, int deviceIndex, int requiresGrad);

    private static unsafe Tensor Filled(ShapeFactory factory, ReadOnlySpan<long> size, ScalarType? dtype, Device? device, bool requiresGrad)
    {
        var d = device ?? CPU;
        fixed (long* dims = size)
            return Tensor.FromNative(factory(dims, size.Length, (sbyte)(dtype ?? ScalarType.Float32), (sbyte)d.type, d.index, requiresGrad ? 1 : 0));
    }

    private static unsafe readonly ShapeFactory ZerosFactory = tl_zeros;
    private static unsafe readonly ShapeFactory OnesFactory = tl_ones;
    private static unsafe readonly ShapeFactory EmptyFactory = tl_empty;
    private static unsafe readonly ShapeFactory RandnFactory = tl_randn;
    private static unsafe readonly ShapeFactory RandFactory = tl_rand;

    public static Tensor zeros(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(ZerosFactory, size, dtype, device, requires_grad);
    public static Tensor zeros(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(ZerosFactory, size, dtype, device, requires_grad);
    public static Tensor zeros(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(ZerosFactory, new[] { size }, dtype, device, requires_grad);
    public static Tensor zeros(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(ZerosFactory, new[] { rows, columns }, dtype, device, requires_grad);
    public static Tensor zeros(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(ZerosFactory, new[] { dim0, dim1, dim2 }, dtype, device, requires_grad);

    public static Tensor ones(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(OnesFactory, size, dtype, device, requires_grad);
    public static Tensor ones(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(OnesFactory, size, dtype, device, requires_grad);
    public static Tensor ones(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(OnesFactory, new[] { size }, dtype, device, requires_grad);
    public static Tensor ones(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(OnesFactory, new[] { rows, columns }, dtype, device, requires_grad);
    public static Tensor ones(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(OnesFactory, new[] { dim0, dim1, dim2 }, dtype, device, requires_grad);

    public static Tensor empty(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(EmptyFactory, size, dtype, device, requires_grad);
    public static Tensor empty(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(EmptyFactory, size, dtype, device, requires_grad);
    public static Tensor empty(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(EmptyFactory, new[] { size }, dtype, device, requires_grad);
    public static Tensor empty(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(EmptyFactory, new[] { rows, columns }, dtype, device, requires_grad);

    public static Tensor randn(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(RandnFactory, size, dtype, device, requires_grad);
    public static Tensor randn(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(RandnFactory, size, dtype, device, requires_grad);
    public static Tensor randn(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(RandnFactory, new[] { size }, dtype, device, requires_grad);
    public static Tensor randn(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(RandnFactory, new[] { rows, columns }, dtype, device, requires_grad);
    public static Tensor randn(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(RandnFactory, new[] { dim0, dim1, dim2 }, dtype, device, requires_grad);

    public static Tensor rand(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(RandFactory, size, dtype, device, requires_grad);
    public static Tensor rand(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(RandFactory, size, dtype, device, requires_grad);
    public static Tensor rand(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(RandFactory, new[] { size }, dtype, device, requires_grad);
    public static Tensor rand(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(RandFactory, new[] { rows, columns }, dtype, device, requires_grad);
    public static Tensor rand(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Filled(RandFactory, new[] { dim0, dim1, dim2 }, dtype, device, requires_grad);

    public static unsafe Tensor full(long[] size, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? CPU;
        var type = dtype ?? (value.IsFloatingPoint ? ScalarType.Float32 : ScalarType.Int64);
        fixed (long* dims = size)
            return Tensor.FromNative(tl_full(dims, size.Length, value.Native, (sbyte)type, (sbyte)d.type, d.index, requires_grad ? 1 : 0));
    }
    public static Tensor full(long size, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => full(new[] { size }, value, dtype, device, requires_grad);
    public static Tensor full(long rows, long columns, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => full(new[] { rows, columns }, value, dtype, device, requires_grad);

    /// <summary>Integers drawn uniformly from [low, high).</summary>
    public static unsafe Tensor randint(long low, long high, long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? CPU;
        fixed (long* dims = size)
            return Tensor.FromNative(tl_randint(low, high, dims, size.Length, (sbyte)(dtype ?? ScalarType.Int64), (sbyte)d.type, d.index, requires_grad ? 1 : 0));
    }
    /// <summary>Integers drawn uniformly from [0, high).</summary>
    public static Tensor randint(long high, long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        randint(0, high, size, dtype, device, requires_grad);

    public static Tensor arange(Scalar start, Scalar stop, Scalar step, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? CPU;
        var type = dtype ?? (start.IsFloatingPoint || stop.IsFloatingPoint || step.IsFloatingPoint ? ScalarType.Float32 : ScalarType.Int64);
        return Tensor.FromNative(tl_arange(start.Native, stop.Native, step.Native, (sbyte)type, (sbyte)d.type, d.index, requires_grad ? 1 : 0));
    }
    public static Tensor arange(Scalar start, Scalar stop, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        arange(start, stop, 1, dtype, device, requires_grad);
    public static Tensor arange(Scalar stop, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        arange(0, stop, 1, dtype, device, requires_grad);

    public static Tensor linspace(double start, double end, long steps, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? CPU;
        return Tensor.FromNative(tl_linspace(start, end, steps, (sbyte)(dtype ?? ScalarType.Float32), (sbyte)d.type, d.index, requires_grad ? 1 : 0));
    }

    public static Tensor zeros_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        zeros(input.shape, dtype ?? input.dtype, device ?? input.device, requires_grad);
    public static Tensor ones_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        ones(input.shape, dtype ?? input.dtype, device ?? input.device, requires_grad);
    public static Tensor full_like(Tensor input, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        full(input.shape, value, dtype ?? input.dtype, device ?? input.device, requires_grad);
    public static Tensor empty_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        empty(input.shape, dtype ?? input.dtype, device ?? input.device, requires_grad);

    /// <summary>Seeds libtorch's default CPU generator.</summary>
    public static void manual_seed(long seed) => NativeMethods.Check(tl_manual_seed(seed));

    public partial class Tensor
    {
        public Tensor zeros_like(ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => torch.zeros_like(this, dtype, device, requires_grad);
        public Tensor ones_like(ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => torch.ones_like(this, dtype, device, requires_grad);
        public Tensor full_like(Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => torch.full_like(this, value, dtype, device, requires_grad);
    }
}
