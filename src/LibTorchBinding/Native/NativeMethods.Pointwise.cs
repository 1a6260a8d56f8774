using System.Runtime.InteropServices;

namespace TorchSharp.PInvoke;

internal static partial class NativeMethods
{
    [LibraryImport(Library)] internal static partial TensorHandle tl_add(TensorHandle a, TensorHandle b, NativeScalar alpha);
    [LibraryImport(Library)] internal static partial TensorHandle tl_add_scalar(TensorHandle a, NativeScalar b, NativeScalar alpha);
    [LibraryImport(Library)] internal static partial TensorHandle tl_sub(TensorHandle a, TensorHandle b, NativeScalar alpha);
    [LibraryImport(Library)] internal static partial TensorHandle tl_sub_scalar(TensorHandle a, NativeScalar b, NativeScalar alpha);
    [LibraryImport(Library)] internal static partial TensorHandle tl_rsub_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_mul(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_mul_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_div(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_div_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_rdiv_scalar(TensorHandle a, NativeScalar b);

    [LibraryImport(Library)] internal static partial TensorHandle tl_abs(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_neg(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_sign(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_sqrt(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_square(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_exp(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_log(TensorHandle a);

    [LibraryImport(Library)] internal static partial TensorHandle tl_sum(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_mean(TensorHandle a);
}
