using System.Runtime.InteropServices;

namespace TorchSharp.PInvoke;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library)] internal static partial TensorHandle tl_reshape(TensorHandle tensor, long* shape, int length);
    [LibraryImport(Library)] internal static partial TensorHandle tl_view(TensorHandle tensor, long* shape, int length);
    [LibraryImport(Library)] internal static partial TensorHandle tl_permute(TensorHandle tensor, long* dims, int length);
    [LibraryImport(Library)] internal static partial TensorHandle tl_repeat(TensorHandle tensor, long* repeats, int length);
    [LibraryImport(Library)] internal static partial TensorHandle tl_flip(TensorHandle tensor, long* dims, int length);
    [LibraryImport(Library)] internal static partial TensorHandle tl_expand(TensorHandle tensor, long* sizes, int length, int isImplicit);
    [LibraryImport(Library)] internal static partial TensorHandle tl_flatten(TensorHandle tensor, long startDim, long endDim);
    [LibraryImport(Library)] internal static partial TensorHandle tl_unsqueeze(TensorHandle tensor, long dim);
    [LibraryImport(Library)] internal static partial TensorHandle tl_squeeze(TensorHandle tensor);
    [LibraryImport(Library)] internal static partial TensorHandle tl_squeeze_dim(TensorHandle tensor, long dim);
    [LibraryImport(Library)] internal static partial TensorHandle tl_transpose(TensorHandle tensor, long dim0, long dim1);
    [LibraryImport(Library)] internal static partial TensorHandle tl_t(TensorHandle tensor);
    [LibraryImport(Library)]
    internal static partial TensorHandle tl_movedim(TensorHandle tensor, long* source, int sourceLength, long* destination, int destinationLength);
    [LibraryImport(Library)] internal static partial TensorHandle tl_narrow(TensorHandle tensor, long dim, long start, long length);
    [LibraryImport(Library)] internal static partial TensorHandle tl_select(TensorHandle tensor, long dim, long index);
    [LibraryImport(Library)] internal static partial TensorHandle tl_diagonal(TensorHandle tensor, long offset, long dim1, long dim2);
    [LibraryImport(Library)] internal static partial TensorHandle tl_tril(TensorHandle tensor, long diagonal);
    [LibraryImport(Library)] internal static partial TensorHandle tl_triu(TensorHandle tensor, long diagonal);

    [LibraryImport(Library)] internal static partial TensorHandle tl_matmul(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_mm(TensorHandle a, TensorHandle b);

    [LibraryImport(Library)] internal static partial TensorHandle tl_index_select(TensorHandle tensor, long dim, TensorHandle index);
    [LibraryImport(Library)] internal static partial TensorHandle tl_gather(TensorHandle tensor, long dim, TensorHandle index);
    [LibraryImport(Library)] internal static partial TensorHandle tl_scatter(TensorHandle tensor, long dim, TensorHandle index, TensorHandle src);
    [LibraryImport(Library)] internal static partial TensorHandle tl_scatter_add(TensorHandle tensor, long dim, TensorHandle index, TensorHandle src);
    [LibraryImport(Library)] internal static partial TensorHandle tl_masked_select(TensorHandle tensor, TensorHandle mask);
    [LibraryImport(Library)] internal static partial TensorHandle tl_nonzero(TensorHandle tensor);

    [LibraryImport(Library)] internal static partial TensorHandle tl_cat(IntPtr* tensors, int count, long dim);
    [LibraryImport(Library)] internal static partial TensorHandle tl_stack(IntPtr* tensors, int count, long dim);

    [LibraryImport(Library)] internal static partial IntPtr tl_chunk(TensorHandle tensor, long chunks, long dim);
    [LibraryImport(Library)] internal static partial IntPtr tl_split(TensorHandle tensor, long splitSize, long dim);
    [LibraryImport(Library)] internal static partial IntPtr tl_split_with_sizes(TensorHandle tensor, long* sizes, int length, long dim);
    [LibraryImport(Library)] internal static partial IntPtr tl_unbind(TensorHandle tensor, long dim);
    [LibraryImport(Library)] internal static partial int tl_tensor_list_size(IntPtr list);
    [LibraryImport(Library)] internal static partial int tl_tensor_list_take(IntPtr list, IntPtr* tensors);

    [LibraryImport(Library)] internal static partial TensorHandle tl_softmax(TensorHandle tensor, long dim, sbyte dtype);
    [LibraryImport(Library)] internal static partial TensorHandle tl_log_softmax(TensorHandle tensor, long dim, sbyte dtype);
    [LibraryImport(Library)] internal static partial TensorHandle tl_logsumexp(TensorHandle tensor, long dim, int keepdim);

    [LibraryImport(Library)]
    internal static partial TensorHandle tl_index(TensorHandle tensor, int* kinds, long* starts, long* stops, long* steps, IntPtr* tensors, int count);
    [LibraryImport(Library)]
    internal static partial TensorHandle tl_index_put_(TensorHandle tensor, int* kinds, long* starts, long* stops, long* steps, IntPtr* tensors, int count,
        TensorHandle value);
    [LibraryImport(Library)]
    internal static partial TensorHandle tl_index_put_scalar_(TensorHandle tensor, int* kinds, long* starts, long* stops, long* steps, IntPtr* tensors, int count,
        NativeScalar value);
}
