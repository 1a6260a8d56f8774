using TorchSharp.PInvoke;
using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp;

public static partial class torch
{
    // Shapes and views, gathering and scattering, splitting, matrix products and the softmax
    // family. Views (reshape of a contiguous tensor, view, expand, transpose, narrow, select, ...)
    // share storage with this tensor; every result is a new Tensor that must be disposed.
    public partial class Tensor
    {
        // ---- shapes and views -----------------------------------------------------------------

        /// <summary>
        /// A tensor with this tensor's elements and the given shape (a view when the layout allows,
        /// otherwise a copy). One entry may be -1, inferred from the element count.
        /// </summary>
        public unsafe Tensor reshape(params long[] shape) => WithLongs(shape, &tl_reshape);

        /// <summary>A view with the given shape; fails when the strides cannot express it (use reshape).</summary>
        public unsafe Tensor view(params long[] shape) => WithLongs(shape, &tl_view);

        /// <summary>A view with the shape of <paramref name="other"/>.</summary>
        public Tensor view_as(Tensor other) => view(other.shape);

        /// <summary>Merges dimensions <paramref name="start_dim"/> to <paramref name="end_dim"/> into one.</summary>
        public Tensor flatten(long start_dim = 0, long end_dim = -1) => FromNative(tl_flatten(Native, start_dim, end_dim));

        /// <summary>A view with a new dimension of size 1 inserted at <paramref name="dim"/>.</summary>
        public Tensor unsqueeze(long dim) => FromNative(tl_unsqueeze(Native, dim));

        /// <summary>Removes every dimension of size 1, or only <paramref name="dim"/> when given (if its size is 1).</summary>
        public Tensor squeeze(long? dim = null) =>
            FromNative(dim is null ? tl_squeeze(Native) : tl_squeeze_dim(Native, dim.Value));

        /// <summary>
        /// A view broadcast to <paramref name="sizes"/>: dimensions of size 1 are repeated without
        /// copying, -1 keeps a size, and new leading dimensions may be added.
        /// </summary>
        public unsafe Tensor expand(ReadOnlySpan<long> sizes, bool isImplicit = false)
        {
            fixed (long* p = sizes)
                return FromNative(tl_expand(Native, p, sizes.Length, isImplicit ? 1 : 0));
        }

        /// <inheritdoc cref="expand(ReadOnlySpan{long}, bool)"/>
        public Tensor expand(long[] sizes, bool isImplicit = false) => expand((ReadOnlySpan<long>)sizes, isImplicit);

        /// <inheritdoc cref="expand(ReadOnlySpan{long}, bool)"/>
        public Tensor expand(params long[] sizes) => expand((ReadOnlySpan<long>)sizes, false);

        /// <summary>A view of this tensor broadcast to the shape of <paramref name="other"/>.</summary>
        public Tensor expand_as(Tensor other) => expand(other.shape);

        /// <summary>A view with dimensions <paramref name="dim0"/> and <paramref name="dim1"/> swapped.</summary>
        public Tensor transpose(long dim0, long dim1) => FromNative(tl_transpose(Native, dim0, dim1));

        /// <summary>Same as <see cref="transpose"/>.</summary>
        public Tensor swapdims(long dim0, long dim1) => transpose(dim0, dim1);

        /// <summary>Same as <see cref="transpose"/>.</summary>
        public Tensor swapaxes(long dim0, long dim1) => transpose(dim0, dim1);

        /// <summary>The transpose of a tensor with at most 2 dimensions.</summary>
        public Tensor t() => FromNative(tl_t(Native));

        /// <summary>A view with the dimensions reordered: dimension k of the result is <paramref name="permutation"/>[k] of this.</summary>
        public unsafe Tensor permute(params long[] permutation) => WithLongs(permutation, &tl_permute);

        /// <summary>Moves the dimensions in <paramref name="source"/> to the positions in <paramref name="destination"/>.</summary>
        public unsafe Tensor movedim(long[] source, long[] destination)
        {
            fixed (long* s = source, d = destination)
                return FromNative(tl_movedim(Native, s, source.Length, d, destination.Length));
        }

        /// <summary>Same as <see cref="movedim"/>.</summary>
        public Tensor moveaxis(long[] source, long[] destination) => movedim(source, destination);

        /// <summary>A view of <paramref name="length"/> entries of dimension <paramref name="dim"/> from <paramref name="start"/>.</summary>
        public Tensor narrow(long dim, long start, long length) => FromNative(tl_narrow(Native, dim, start, length));

        /// <summary>A view of entry <paramref name="index"/> of dimension <paramref name="dim"/>, with that dimension removed.</summary>
        public Tensor select(long dim, long index) => FromNative(tl_select(Native, dim, index));

        /// <summary>A view of a diagonal of the matrices formed by <paramref name="dim1"/> and <paramref name="dim2"/>.</summary>
        public Tensor diagonal(long offset = 0, long dim1 = 0, long dim2 = 1) => FromNative(tl_diagonal(Native, offset, dim1, dim2));

        /// <summary>The lower triangle (on and below <paramref name="diagonal"/>); other entries are 0.</summary>
        public Tensor tril(long diagonal = 0) => FromNative(tl_tril(Native, diagonal));

        /// <summary>The upper triangle (on and above <paramref name="diagonal"/>); other entries are 0.</summary>
        public Tensor triu(long diagonal = 0) => FromNative(tl_triu(Native, diagonal));

        /// <summary>This tensor tiled <paramref name="sizes"/>[k] times along dimension k (a copy).</summary>
        public unsafe Tensor repeat(params long[] sizes) => WithLongs(sizes, &tl_repeat);

        /// <summary>The entries in reverse order along each of <paramref name="dims"/> (a copy).</summary>
        public unsafe Tensor flip(params long[] dims) => WithLongs(dims, &tl_flip);

        // ---- products ---------------------------------------------------------------------------

        /// <summary>The matrix product with broadcasting of batch dimensions (dot, matrix-vector, batched).</summary>
        public Tensor matmul(Tensor target) => FromNative(tl_matmul(Native, target.Native));

        /// <summary>The product of two 2-D matrices (no broadcasting).</summary>
        public Tensor mm(Tensor target) => FromNative(tl_mm(Native, target.Native));

        // ---- gathering and scattering -------------------------------------------------------------

        /// <summary>The entries of dimension <paramref name="dim"/> listed by the 1-D int64 tensor <paramref name="index"/>.</summary>
        public Tensor index_select(long dim, Tensor index) => FromNative(tl_index_select(Native, dim, index.Native));

        /// <summary>
        /// out[i][j] = this[index[i][j]][j] for dim 0 (and likewise for other dims): picks one entry
        /// along <paramref name="dim"/> per position of the int64 <paramref name="index"/>.
        /// </summary>
        public Tensor gather(long dim, Tensor index) => FromNative(tl_gather(Native, dim, index.Native));

        /// <summary>
        /// A copy of this tensor with src's entries written at the positions <paramref name="index"/>
        /// names along <paramref name="dim"/> (the inverse of <see cref="gather"/>).
        /// </summary>
        public Tensor scatter(long dim, Tensor index, Tensor src) => FromNative(tl_scatter(Native, dim, index.Native, src.Native));

        /// <summary>Like <see cref="scatter"/>, but entries landing on the same position are added.</summary>
        public Tensor scatter_add(long dim, Tensor index, Tensor src) => FromNative(tl_scatter_add(Native, dim, index.Native, src.Native));

        /// <summary>The entries where the (broadcast) boolean <paramref name="mask"/> is true, as a 1-D tensor.</summary>
        public Tensor masked_select(Tensor mask) => FromNative(tl_masked_select(Native, mask.Native));

        /// <summary>The indices of the non-zero entries, one row per entry (shape [count, ndim]).</summary>
        public Tensor nonzero() => FromNative(tl_nonzero(Native));

        // ---- splitting ------------------------------------------------------------------------------

        /// <summary>Splits into <paramref name="chunks"/> views of (nearly) equal size along <paramref name="dim"/>; the last may be smaller, and fewer may result.</summary>
        public Tensor[] chunk(long chunks, long dim = 0) => TakeList(tl_chunk(Native, chunks, dim));

        /// <summary>Splits into views of <paramref name="size"/> entries along <paramref name="dim"/> (the last may be smaller).</summary>
        public Tensor[] split(long size, long dim = 0) => TakeList(tl_split(Native, size, dim));

        /// <summary>Splits into views with the given sizes along <paramref name="dim"/>; the sizes must add up to its length.</summary>
        public unsafe Tensor[] split(long[] sizes, long dim = 0)
        {
            fixed (long* p = sizes)
                return TakeList(tl_split_with_sizes(Native, p, sizes.Length, dim));
        }

        /// <summary>The slices along <paramref name="dimension"/>, each without that dimension.</summary>
        public Tensor[] unbind(long dimension = 0) => TakeList(tl_unbind(Native, dimension));

        // ---- the softmax family -------------------------------------------------------------------

        /// <summary>exp(x_i) / Σ_j exp(x_j) along <paramref name="dim"/>, computed in <paramref name="dtype"/> when given.</summary>
        public Tensor softmax(long dim, ScalarType? dtype = null) => FromNative(tl_softmax(Native, dim, DType(dtype)));

        /// <summary>x_i − log Σ_j exp(x_j) along <paramref name="dim"/> (numerically stable), in <paramref name="dtype"/> when given.</summary>
        public Tensor log_softmax(long dim, ScalarType? dtype = null) => FromNative(tl_log_softmax(Native, dim, DType(dtype)));

        /// <summary>log Σ exp(x) along <paramref name="dim"/>, computed without overflow.</summary>
        public Tensor logsumexp(long dim, bool keepdim = false) => FromNative(tl_logsumexp(Native, dim, keepdim ? 1 : 0));

        // ---- helpers ----------------------------------------------------------------------------------

        private unsafe Tensor WithLongs(ReadOnlySpan<long> values, delegate*<TensorHandle, long*, int, TensorHandle> op)
        {
            fixed (long* p = values)
                return FromNative(op(Native, p, values.Length));
        }

        /// <summary>Turns a tensor list made by the shim into managed tensors (and frees the list).</summary>
        private static unsafe Tensor[] TakeList(IntPtr list)
        {
            if (list == IntPtr.Zero) throw Failure();
            var handles = new IntPtr[tl_tensor_list_size(list)];
            fixed (IntPtr* p = handles)
                Check(tl_tensor_list_take(list, p));
            var result = new Tensor[handles.Length];
            for (int k = 0; k < handles.Length; k++) result[k] = new Tensor(new TensorHandle(handles[k]));
            return result;
        }
    }
}
