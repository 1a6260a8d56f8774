using System.Runtime.InteropServices;

namespace TorchSharp.PInvoke;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library)]
    internal static partial void tl_function_set_callbacks(
        delegate* unmanaged<long, IntPtr, int> forward,
        delegate* unmanaged<long, IntPtr*, int, IntPtr*, int, int, IntPtr, int> backward,
        delegate* unmanaged<long, void> release);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void tl_function_fail(string message);

    [LibraryImport(Library)] internal static partial int tl_function_add_output(IntPtr result, IntPtr tensor);
    [LibraryImport(Library)] internal static partial int tl_function_add_saved(IntPtr result, IntPtr tensor);
    [LibraryImport(Library)] internal static partial int tl_function_add_non_differentiable(IntPtr result, IntPtr tensor);
    [LibraryImport(Library)] internal static partial void tl_function_set_materialize_grads(IntPtr result, int value);
    [LibraryImport(Library)] internal static partial int tl_function_add_gradient(IntPtr result, IntPtr tensor);
    /// <summary>A new owned handle on a tensor the shim only lends (tl_tensor_alias on a raw pointer).</summary>
    [LibraryImport(Library, EntryPoint = "tl_tensor_alias")] internal static partial TensorHandle tl_tensor_alias_borrowed(IntPtr tensor);
    [LibraryImport(Library)] internal static partial int tl_function_apply(long id, IntPtr* inputs, int count, IntPtr* outputs, int capacity);
}
