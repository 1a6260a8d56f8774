using TorchSharp.PInvoke;
using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp;

// torch.* forms of the shape, indexing, joining and softmax-family operations (see Tensor.Shape.cs).
public static partial class torch
{
    // ---- joining ------------------------------------------------------------------------------------

    /// <summary>Concatenates tensors along an existing dimension; all other sizes must match.</summary>
    public static unsafe Tensor cat(IList<Tensor> tensors, long dim = 0) => Join(tensors.ToArray(), dim, &tl_cat);

    /// <inheritdoc cref="cat(IList{Tensor}, long)"/>
    public static unsafe Tensor cat(Tensor[] tensors, long dim = 0) => Join(tensors, dim, &tl_cat);

    /// <inheritdoc cref="cat(IList{Tensor}, long)"/>
    public static unsafe Tensor cat(ReadOnlySpan<Tensor> tensors, long dim = 0) => Join(tensors.ToArray(), dim, &tl_cat);

    /// <summary>Same as <see cref="cat(IList{Tensor}, long)"/>.</summary>
    public static Tensor concat(IList<Tensor> tensors, long dim = 0) => cat(tensors, dim);

    /// <summary>Same as <see cref="cat(IList{Tensor}, long)"/>.</summary>
    public static Tensor concatenate(IList<Tensor> tensors, long axis = 0) => cat(tensors, axis);

    /// <inheritdoc cref="concatenate(IList{Tensor}, long)"/>
    public static Tensor concatenate(Tensor[] tensors, long axis = 0) => cat(tensors, axis);

    /// <inheritdoc cref="concatenate(IList{Tensor}, long)"/>
    public static Tensor concatenate(ReadOnlySpan<Tensor> tensors, long axis = 0) => cat(tensors, axis);

    /// <summary>Stacks equally shaped tensors along a new dimension <paramref name="dim"/>.</summary>
    public static unsafe Tensor stack(IEnumerable<Tensor> tensors, long dim = 0) => Join(tensors.ToArray(), dim, &tl_stack);

    private static unsafe Tensor Join(Tensor[] tensors, long dim, delegate*<IntPtr*, int, long, TensorHandle> op)
    {
        var handles = Array.ConvertAll(tensors, t => t.Handle);
        try
        {
            fixed (IntPtr* p = handles)
                return Tensor.FromNative(op(p, handles.Length, dim));
        }
        finally
        {
            GC.KeepAlive(tensors);
        }
    }

    // ---- shapes and views ---------------------------------------------------------------------------

    public static Tensor reshape(Tensor input, params long[] shape) => input.reshape(shape);
    public static Tensor flatten(Tensor input, long start_dim = 0, long end_dim = -1) => input.flatten(start_dim, end_dim);
    public static Tensor unsqueeze(Tensor input, long dim) => input.unsqueeze(dim);
    public static Tensor squeeze(Tensor input, long? dim = null) => input.squeeze(dim);
    public static Tensor transpose(Tensor input, long dim0, long dim1) => input.transpose(dim0, dim1);
    public static Tensor swapdims(Tensor input, long dim0, long dim1) => input.transpose(dim0, dim1);
    public static Tensor swapaxes(Tensor input, long axis0, long axis1) => input.transpose(axis0, axis1);
    public static Tensor t(Tensor input) => input.t();
    public static Tensor permute(Tensor input, params long[] permutation) => input.permute(permutation);
    public static Tensor movedim(Tensor input, long source, long destination) => input.movedim(new[] { source }, new[] { destination });
    public static Tensor movedim(Tensor input, long[] source, long[] destination) => input.movedim(source, destination);
    public static Tensor moveaxis(Tensor input, long source, long destination) => input.movedim(new[] { source }, new[] { destination });
    public static Tensor moveaxis(Tensor input, long[] source, long[] destination) => input.movedim(source, destination);
    public static Tensor narrow(Tensor input, long dim, long start, long length) => input.narrow(dim, start, length);
    public static Tensor select(Tensor input, long dim, long index) => input.select(dim, index);
    public static Tensor diagonal(Tensor input, long offset = 0, long dim1 = 0, long dim2 = 1) => input.diagonal(offset, dim1, dim2);
    public static Tensor tril(Tensor input, long diagonal = 0) => input.tril(diagonal);
    public static Tensor triu(Tensor input, long diagonal = 0) => input.triu(diagonal);
    public static Tensor flip(Tensor input, params long[] dims) => input.flip(dims);

    // ---- products -------------------------------------------------------------------------------------

    public static Tensor matmul(Tensor input, Tensor other) => input.matmul(other);
    public static Tensor mm(Tensor input, Tensor mat2) => input.mm(mat2);

    // ---- gathering, scattering, splitting --------------------------------------------------------------

    public static Tensor gather(Tensor input, long dim, Tensor index) => input.gather(dim, index);

    /// <summary>As <see cref="gather(Tensor, long, Tensor)"/>; <paramref name="sparse_grad"/> is accepted and ignored (as in TorchSharp).</summary>
    public static Tensor gather(Tensor input, long dim, Tensor index, bool sparse_grad = false) => input.gather(dim, index);

    public static Tensor index_select(Tensor input, long dim, Tensor index) => input.index_select(dim, index);
    public static Tensor scatter(Tensor input, long dim, Tensor index, Tensor src) => input.scatter(dim, index, src);
    public static Tensor scatter_add(Tensor input, long dim, Tensor index, Tensor src) => input.scatter_add(dim, index, src);
    public static Tensor masked_select(Tensor input, Tensor mask) => input.masked_select(mask);
    public static Tensor nonzero(Tensor input) => input.nonzero();
    public static Tensor[] chunk(Tensor input, long chunks, long dim = 0) => input.chunk(chunks, dim);
    public static Tensor[] split(Tensor tensor, long[] split_size_or_sections, long dim = 0) => tensor.split(split_size_or_sections, dim);
    public static Tensor[] unbind(Tensor tensor, int dim = 0) => tensor.unbind(dim);

    // ---- reductions of the softmax family ------------------------------------------------------------

    public static Tensor logsumexp(Tensor input, long dim, bool keepdim = false) => input.logsumexp(dim, keepdim);

    public static partial class special
    {
        /// <summary>Softmax along <paramref name="dim"/>, computed in <paramref name="dtype"/> when given.</summary>
        public static Tensor softmax(Tensor input, long dim, ScalarType? dtype = null) => input.softmax(dim, dtype);

        /// <summary>Log-softmax along <paramref name="dim"/>, computed in <paramref name="dtype"/> when given.</summary>
        public static Tensor log_softmax(Tensor input, long dim, ScalarType? dtype = null) => input.log_softmax(dim, dtype);

        /// <summary>log Σ exp(x) along <paramref name="dim"/>.</summary>
        public static Tensor logsumexp(Tensor input, long dim, bool keepdim = false) => input.logsumexp(dim, keepdim);
    }
}
