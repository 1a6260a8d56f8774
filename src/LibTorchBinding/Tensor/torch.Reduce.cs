using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp;

// The torch.* forms of the reductions (TorchSharp's torch.ReductionOps.cs), broadcasting helpers and
// torch.linalg.vector_norm.
public static partial class torch
{
    public static Tensor sum(Tensor input, ScalarType? type = null) => input.sum(type);
    public static Tensor sum(Tensor input, ReadOnlySpan<long> dim, bool keepdim = false, ScalarType? type = null) => input.sum(dim, keepdim, type);
    public static Tensor sum(Tensor input, long dim, bool keepdim = false, ScalarType? type = null) => input.sum(dim, keepdim, type);
    public static Tensor mean(Tensor input) => input.mean();
    public static Tensor mean(Tensor input, long[] dimensions, bool keepdim = false, ScalarType? type = null) => input.mean(dimensions, keepdim, type);
    public static Tensor prod(Tensor input, ScalarType? type = null) => input.prod(type);
    public static Tensor prod(Tensor input, long dim, bool keepdim = false, ScalarType? type = null) => input.prod(dim, keepdim, type);
    public static Tensor cumsum(Tensor input, long dim, ScalarType? type = null) => input.cumsum(dim, type);

    public static Tensor max(Tensor input) => input.max();
    public static Tensor max(Tensor input, Tensor other) => input.maximum(other);
    public static (Tensor values, Tensor indexes) max(Tensor input, long dim, bool keepdim = false) => input.max(dim, keepdim);
    public static Tensor min(Tensor input) => input.min();
    public static Tensor min(Tensor input, Tensor other) => input.minimum(other);
    public static (Tensor values, Tensor indexes) min(Tensor input, long dim, bool keepdim = false) => input.min(dim, keepdim);
    public static Tensor argmax(Tensor input) => input.argmax();
    public static Tensor argmax(Tensor input, long dim, bool keepdim = false) => input.argmax(dim, keepdim);
    public static Tensor argmin(Tensor input) => input.argmin();
    public static Tensor argmin(Tensor input, long dim, bool keepdim = false) => input.argmin(dim, keepdim);

    public static Tensor any(Tensor input) => input.any();
    public static Tensor any(Tensor input, long dim, bool keepdim = false) => input.any(dim, keepdim);
    public static Tensor all(Tensor input) => input.all();
    public static Tensor all(Tensor input, long dim, bool keepdim = false) => input.all(dim, keepdim);
    public static Tensor count_nonzero(Tensor input, long[]? dims = null) => input.count_nonzero(dims);

    public static Tensor norm(Tensor input, float p = 2.0f) => input.norm(p);
    public static Tensor norm(Tensor input, int dimension, bool keepdim = false, float p = 2.0f) => input.norm(dimension, keepdim, p);
    public static Tensor std(Tensor input, bool unbiased = true) => input.std(unbiased);
    public static Tensor std(Tensor input, long[] dimensions, bool unbiased = true, bool keepdim = false, ScalarType? type = null) =>
        input.std(dimensions, unbiased, keepdim, type);
    public static Tensor std(Tensor input, long dimensions, bool unbiased = true, bool keepdim = false, ScalarType? type = null) =>
        input.std(dimensions, unbiased, keepdim, type);
    public static Tensor var(Tensor input, bool unbiased = true) => input.var(unbiased);
    public static Tensor var(Tensor input, long[] dimensions, bool unbiased = true, bool keepdim = false, ScalarType? type = null) =>
        input.var(dimensions, unbiased, keepdim, type);
    public static Tensor var(Tensor input, long dimensions, bool unbiased = true, bool keepdim = false, ScalarType? type = null) =>
        input.var(dimensions, unbiased, keepdim, type);

    /// <summary>
    /// The inputs expanded (as views, no copies) to their common broadcast shape. One input is
    /// returned as is; libtorch's error names the first mismatching dimension.
    /// </summary>
    /// <exception cref="ArgumentException">No tensors were given.</exception>
    public static unsafe IList<Tensor> broadcast_tensors(params Tensor[] tensors)
    {
        if (tensors.Length == 0) throw new ArgumentException("broadcast_tensors needs at least one tensor", nameof(tensors));
        if (tensors.Length == 1) return tensors;
        var inputs = new IntPtr[tensors.Length];
        for (int k = 0; k < inputs.Length; k++) inputs[k] = tensors[k].Handle;
        var results = new IntPtr[tensors.Length];
        fixed (IntPtr* i = inputs, r = results) Check(tl_broadcast_tensors(i, inputs.Length, r));
        GC.KeepAlive(tensors);
        var list = new Tensor[results.Length];
        for (int k = 0; k < list.Length; k++) list[k] = Tensor.Adopt(results[k]);
        return list;
    }

    /// <summary>
    /// The shape that tensors of the given shapes broadcast to (shapes aligned at their last
    /// dimension; a size 1 stretches). Returned as a long[] (TorchSharp returns its torch.Size).
    /// </summary>
    /// <exception cref="ArgumentException">The shapes cannot be broadcast together (PyTorch's message).</exception>
    public static long[] broadcast_shapes(params long[][] shapes)
    {
        int rank = 0;
        foreach (var s in shapes) rank = Math.Max(rank, s.Length);
        var result = new long[rank];
        Array.Fill(result, 1L);
        foreach (var s in shapes)
        {
            for (int k = 0; k < s.Length; k++)
            {
                int at = rank - s.Length + k;
                long size = s[k];
                if (size < 0)
                    throw new ArgumentException($"Trying to create tensor with negative dimension ({size}): ({size})");
                if (size == result[at] || size == 1) continue;
                if (result[at] != 1) throw new ArgumentException("Shape mismatch: objects cannot be broadcast to a single shape");
                result[at] = size;
            }
        }
        return result;
    }

    public static partial class linalg
    {
        /// <summary>
        /// The vector <paramref name="ord"/>-norm over <paramref name="dims"/> (all elements when null):
        /// (Σ|x|^ord)^(1/ord); ord = ∞ is max|x|, −∞ is min|x|, 0 counts non-zeros.
        /// </summary>
        public static unsafe Tensor vector_norm(Tensor input, double ord = 2d, long[]? dims = null, bool keepdim = false)
        {
            fixed (long* d = dims)
                return Tensor.FromNative(tl_linalg_vector_norm(input.Native, ord, dims is null ? null : d, dims?.Length ?? 0, keepdim ? 1 : 0));
        }
    }
}
