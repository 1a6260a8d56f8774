using System.Runtime.InteropServices;

namespace TorchSharp.PInvoke;

/// <summary>
/// P/Invoke declarations for the shim in <c>native/</c>. The declarations are split into partial
/// files that mirror the shim's source files (Core, Ops, Losses, ...). Every function that can fail
/// returns an invalid handle or -1 and leaves a message behind, read by <see cref="TakeError"/>.
/// </summary>
internal static unsafe partial class NativeMethods
{
    internal const string Library = "TorchLossesNative";

    [LibraryImport(Library)] internal static partial int tl_take_error(byte* buffer, int capacity);
    [LibraryImport(Library)] internal static partial IntPtr tl_libtorch_version();
    [LibraryImport(Library)] internal static partial int tl_promote_types(sbyte a, sbyte b, sbyte* result);

    [LibraryImport(Library)] internal static partial void tl_tensor_free(IntPtr tensor);
    [LibraryImport(Library)] internal static partial TensorHandle tl_tensor_alias(TensorHandle tensor);

    [LibraryImport(Library)] internal static partial long tl_tensor_dim(TensorHandle tensor);
    [LibraryImport(Library)] internal static partial long tl_tensor_numel(TensorHandle tensor);
    [LibraryImport(Library)] internal static partial void tl_tensor_shape(TensorHandle tensor, long* shape);
    [LibraryImport(Library)] internal static partial long tl_tensor_size(TensorHandle tensor, long dim);
    [LibraryImport(Library)] internal static partial sbyte tl_tensor_dtype(TensorHandle tensor);
    [LibraryImport(Library)] internal static partial sbyte tl_tensor_device_type(TensorHandle tensor);
    [LibraryImport(Library)] internal static partial int tl_tensor_device_index(TensorHandle tensor);
    [LibraryImport(Library)] internal static partial int tl_tensor_requires_grad(TensorHandle tensor);
    [LibraryImport(Library)] internal static partial int tl_tensor_set_requires_grad(TensorHandle tensor, int value);
    [LibraryImport(Library)] internal static partial int tl_tensor_is_leaf(TensorHandle tensor);
    [LibraryImport(Library)] internal static partial int tl_tensor_is_contiguous(TensorHandle tensor);
    [LibraryImport(Library)] internal static partial int tl_tensor_same(TensorHandle a, TensorHandle b);

    [LibraryImport(Library)]
    internal static partial TensorHandle tl_tensor_from_data(void* data, long* shape, int ndim, sbyte dtype, int requiresGrad);
    [LibraryImport(Library)] internal static partial int tl_tensor_copy_to(TensorHandle tensor, void* destination, long capacity);

    [LibraryImport(Library)] internal static partial TensorHandle tl_zeros(long* shape, int ndim, sbyte dtype, sbyte deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Library)] internal static partial TensorHandle tl_ones(long* shape, int ndim, sbyte dtype, sbyte deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Library)] internal static partial TensorHandle tl_empty(long* shape, int ndim, sbyte dtype, sbyte deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Library)] internal static partial TensorHandle tl_full(long* shape, int ndim, NativeScalar value, sbyte dtype, sbyte deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Library)] internal static partial TensorHandle tl_randn(long* shape, int ndim, sbyte dtype, sbyte deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Library)] internal static partial TensorHandle tl_rand(long* shape, int ndim, sbyte dtype, sbyte deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Library)] internal static partial TensorHandle tl_randint(long low, long high, long* shape, int ndim, sbyte dtype, sbyte deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Library)] internal static partial TensorHandle tl_arange(NativeScalar start, NativeScalar end, NativeScalar step, sbyte dtype, sbyte deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Library)] internal static partial TensorHandle tl_linspace(double start, double end, long steps, sbyte dtype, sbyte deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Library)] internal static partial int tl_manual_seed(long seed);

    [LibraryImport(Library)] internal static partial TensorHandle tl_to(TensorHandle tensor, sbyte dtype, sbyte deviceType, int deviceIndex, int copy);
    [LibraryImport(Library)] internal static partial TensorHandle tl_clone(TensorHandle tensor);
    [LibraryImport(Library)] internal static partial TensorHandle tl_detach(TensorHandle tensor);
    [LibraryImport(Library)] internal static partial TensorHandle tl_contiguous(TensorHandle tensor);

    [LibraryImport(Library)] internal static partial int tl_is_grad_enabled();
    [LibraryImport(Library)] internal static partial void tl_set_grad_enabled(int enabled);
    [LibraryImport(Library)] internal static partial TensorHandle tl_tensor_grad(TensorHandle tensor);
    [LibraryImport(Library)] internal static partial int tl_tensor_set_grad(TensorHandle tensor, IntPtr grad);
    [LibraryImport(Library)] internal static partial int tl_tensor_retain_grad(TensorHandle tensor);
    [LibraryImport(Library)]
    internal static partial int tl_backward(IntPtr* tensors, int count, IntPtr* gradTensors, int gradCount,
        int retainGraph, int createGraph, IntPtr* inputs, int inputCount);
    [LibraryImport(Library)]
    internal static partial int tl_autograd_grad(IntPtr* outputs, int outputCount, IntPtr* inputs, int inputCount,
        IntPtr* gradOutputs, int gradOutputCount, int retainGraph, int createGraph, int allowUnused, IntPtr* results);

    /// <summary>Reads and clears the message the shim stored for the last failure on this thread.</summary>
    internal static string? TakeError()
    {
        Span<byte> small = stackalloc byte[1024];
        int length;
        fixed (byte* p = small)
        {
            length = tl_take_error(p, small.Length);
            if (length == 0) return null;
            if (length < small.Length) return System.Text.Encoding.UTF8.GetString(p, length);
        }
        var large = new byte[length + 1];
        fixed (byte* p = large)
        {
            tl_take_error(p, large.Length);
            return System.Text.Encoding.UTF8.GetString(p, length);
        }
    }

    /// <summary>The exception for a failed native call, carrying libtorch's own message.</summary>
    internal static ExternalException Failure() =>
        new(TakeError() ?? "the libtorch shim reported a failure without a message");

    /// <summary>Throws the pending native error when <paramref name="status"/> is non-zero.</summary>
    internal static void Check(int status)
    {
        if (status != 0) throw Failure();
    }
}
