using System.Runtime.InteropServices;

namespace TorchSharp.PInvoke;

// Declarations for native/src/ops_reduce.cpp. A dtype of -1 means "none".
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library)] internal static partial TensorHandle tl_sum(TensorHandle a, sbyte dtype);
    [LibraryImport(Library)] internal static partial TensorHandle tl_sum_dims(TensorHandle a, long* dims, int count, int keepdim, sbyte dtype);
    [LibraryImport(Library)] internal static partial TensorHandle tl_mean(TensorHandle a, sbyte dtype);
    [LibraryImport(Library)] internal static partial TensorHandle tl_mean_dims(TensorHandle a, long* dims, int count, int keepdim, sbyte dtype);
    [LibraryImport(Library)] internal static partial TensorHandle tl_prod(TensorHandle a, sbyte dtype);
    [LibraryImport(Library)] internal static partial TensorHandle tl_prod_dim(TensorHandle a, long dim, int keepdim, sbyte dtype);
    [LibraryImport(Library)] internal static partial TensorHandle tl_cumsum(TensorHandle a, long dim, sbyte dtype);

    [LibraryImport(Library)] internal static partial TensorHandle tl_max_all(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_min_all(TensorHandle a);
    [LibraryImport(Library)] internal static partial int tl_max_dim(TensorHandle a, long dim, int keepdim, IntPtr* values, IntPtr* indices);
    [LibraryImport(Library)] internal static partial int tl_min_dim(TensorHandle a, long dim, int keepdim, IntPtr* values, IntPtr* indices);
    [LibraryImport(Library)] internal static partial TensorHandle tl_argmax(TensorHandle a, int hasDim, long dim, int keepdim);
    [LibraryImport(Library)] internal static partial TensorHandle tl_argmin(TensorHandle a, int hasDim, long dim, int keepdim);

    [LibraryImport(Library)] internal static partial TensorHandle tl_any(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_any_dim(TensorHandle a, long dim, int keepdim);
    [LibraryImport(Library)] internal static partial TensorHandle tl_all(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_all_dim(TensorHandle a, long dim, int keepdim);
    [LibraryImport(Library)] internal static partial TensorHandle tl_count_nonzero(TensorHandle a, long* dims, int count);

    [LibraryImport(Library)] internal static partial TensorHandle tl_norm(TensorHandle a, double p);
    [LibraryImport(Library)] internal static partial TensorHandle tl_norm_dim(TensorHandle a, long dim, int keepdim, double p);
    [LibraryImport(Library)] internal static partial TensorHandle tl_linalg_vector_norm(TensorHandle a, double ord, long* dims, int count, int keepdim);
    [LibraryImport(Library)] internal static partial TensorHandle tl_std(TensorHandle a, int unbiased);
    [LibraryImport(Library)] internal static partial TensorHandle tl_std_dims(TensorHandle a, long* dims, int count, int unbiased, int keepdim, sbyte dtype);
    [LibraryImport(Library)] internal static partial TensorHandle tl_var(TensorHandle a, int unbiased);
    [LibraryImport(Library)] internal static partial TensorHandle tl_var_dims(TensorHandle a, long* dims, int count, int unbiased, int keepdim, sbyte dtype);
}
