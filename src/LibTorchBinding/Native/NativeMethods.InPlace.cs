using System.Runtime.InteropServices;

namespace TorchSharp.PInvoke;

// native/src/ops_inplace.cpp: every function mutates its first tensor and returns 0 or -1.
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library)] internal static partial int tl_inplace_add(TensorHandle a, TensorHandle b, NativeScalar alpha);
    [LibraryImport(Library)] internal static partial int tl_inplace_add_scalar(TensorHandle a, NativeScalar b, NativeScalar alpha);
    [LibraryImport(Library)] internal static partial int tl_inplace_sub(TensorHandle a, TensorHandle b, NativeScalar alpha);
    [LibraryImport(Library)] internal static partial int tl_inplace_sub_scalar(TensorHandle a, NativeScalar b, NativeScalar alpha);
    [LibraryImport(Library)] internal static partial int tl_inplace_mul(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial int tl_inplace_mul_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Library)] internal static partial int tl_inplace_div(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial int tl_inplace_div_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Library)] internal static partial int tl_inplace_addcmul(TensorHandle a, TensorHandle t1, TensorHandle t2, NativeScalar value);
    [LibraryImport(Library)] internal static partial int tl_inplace_addcdiv(TensorHandle a, TensorHandle t1, TensorHandle t2, NativeScalar value);
    [LibraryImport(Library)] internal static partial int tl_inplace_zero(TensorHandle a);
    [LibraryImport(Library)] internal static partial int tl_inplace_sqrt(TensorHandle a);
    [LibraryImport(Library)] internal static partial int tl_inplace_exp(TensorHandle a);
    [LibraryImport(Library)] internal static partial int tl_inplace_neg(TensorHandle a);
    [LibraryImport(Library)] internal static partial int tl_inplace_abs(TensorHandle a);
    [LibraryImport(Library)] internal static partial int tl_inplace_log(TensorHandle a);
    [LibraryImport(Library)] internal static partial int tl_inplace_sigmoid(TensorHandle a);
    [LibraryImport(Library)] internal static partial int tl_inplace_scatter_add(TensorHandle a, long dim, TensorHandle index, TensorHandle src);
    [LibraryImport(Library)] internal static partial int tl_inplace_fill(TensorHandle a, NativeScalar value);
    [LibraryImport(Library)] internal static partial int tl_inplace_copy(TensorHandle a, TensorHandle src);
    [LibraryImport(Library)] internal static partial int tl_inplace_uniform(TensorHandle a, double from, double to);
    [LibraryImport(Library)] internal static partial int tl_inplace_normal(TensorHandle a, double mean, double std);
    [LibraryImport(Library)] internal static partial int tl_inplace_clamp(TensorHandle a, NativeScalar* min, NativeScalar* max);
    [LibraryImport(Library)] internal static partial int tl_inplace_masked_fill(TensorHandle a, TensorHandle mask, NativeScalar value);
    [LibraryImport(Library)] internal static partial int tl_inplace_maximum(TensorHandle a, TensorHandle b);

    [LibraryImport(Library)] internal static partial int tl_tensor_can_set_data(TensorHandle t, TensorHandle data);
    [LibraryImport(Library)] internal static partial int tl_tensor_set_data(TensorHandle t, TensorHandle data);
}
