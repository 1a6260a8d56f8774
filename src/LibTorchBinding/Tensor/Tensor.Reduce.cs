using TorchSharp.PInvoke;
using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp;

public static partial class torch
{
    // Reductions. Overload sets follow TorchSharp HEAD (note: mean has no single-dim overload, and
    // max/min along a dim return a (values, indexes) tuple). A dtype ("type") converts the input
    // before reducing, as in PyTorch; without one, sums of integral/bool tensors are int64.
    public partial class Tensor
    {
        // ---- sum, mean, prod, cumsum ---------------------------------------------------------

        public Tensor sum(ScalarType? type = null) => FromNative(tl_sum(Native, DType(type)));
        public Tensor sum(long[] dim, bool keepdim = false, ScalarType? type = null) => sum((ReadOnlySpan<long>)dim, keepdim, type);
        public unsafe Tensor sum(ReadOnlySpan<long> dim, bool keepdim = false, ScalarType? type = null) =>
            OverDims(&tl_sum_dims, dim, keepdim, type);
        public Tensor sum(long dim, bool keepdim = false, ScalarType? type = null) => sum(new[] { dim }, keepdim, type);
        public Tensor sum(long dim0, long dim1, bool keepdim = false, ScalarType? type = null) => sum(new[] { dim0, dim1 }, keepdim, type);
        public Tensor sum(long dim0, long dim1, long dim2, bool keepdim = false, ScalarType? type = null) =>
            sum(new[] { dim0, dim1, dim2 }, keepdim, type);

        /// <summary>The mean of all elements (floating or complex input only, as in PyTorch).</summary>
        public Tensor mean() => FromNative(tl_mean(Native, -1));
        public unsafe Tensor mean(long[] dimensions, bool keepdim = false, ScalarType? type = null) =>
            OverDims(&tl_mean_dims, dimensions, keepdim, type);

        public Tensor prod(ScalarType? type = null) => FromNative(tl_prod(Native, DType(type)));
        public Tensor prod(long dim, bool keepdim = false, ScalarType? type = null) =>
            FromNative(tl_prod_dim(Native, dim, keepdim ? 1 : 0, DType(type)));

        public Tensor cumsum(long dim, ScalarType? type = null) => FromNative(tl_cumsum(Native, dim, DType(type)));

        // ---- extrema -------------------------------------------------------------------------

        /// <summary>The largest element (NaN if any element is NaN). Errors on an empty tensor.</summary>
        public Tensor max() => FromNative(tl_max_all(Native));
        /// <summary>The smallest element (NaN if any element is NaN). Errors on an empty tensor.</summary>
        public Tensor min() => FromNative(tl_min_all(Native));

        /// <summary>The largest values along <paramref name="dim"/> and their positions (int64).</summary>
        public unsafe (Tensor values, Tensor indexes) max(long dim, bool keepdim = false) => Extremum(&tl_max_dim, dim, keepdim);

        /// <summary>The smallest values along <paramref name="dim"/> and their positions (int64).</summary>
        public unsafe (Tensor values, Tensor indexes) min(long dim, bool keepdim = false) => Extremum(&tl_min_dim, dim, keepdim);

        /// <summary>The index of the largest element of the flattened tensor.</summary>
        public Tensor argmax() => FromNative(tl_argmax(Native, 0, 0, 0));
        public Tensor argmax(long dim, bool keepdim = false) => FromNative(tl_argmax(Native, 1, dim, keepdim ? 1 : 0));
        /// <summary>The index of the smallest element of the flattened tensor.</summary>
        public Tensor argmin() => FromNative(tl_argmin(Native, 0, 0, 0));
        public Tensor argmin(long dim, bool keepdim = false) => FromNative(tl_argmin(Native, 1, dim, keepdim ? 1 : 0));

        // ---- truth tests ---------------------------------------------------------------------

        public Tensor any() => FromNative(tl_any(Native));
        public Tensor any(long dim, bool keepdim = false) => FromNative(tl_any_dim(Native, dim, keepdim ? 1 : 0));
        public Tensor all() => FromNative(tl_all(Native));
        public Tensor all(long dim, bool keepdim = false) => FromNative(tl_all_dim(Native, dim, keepdim ? 1 : 0));

        /// <summary>The number of non-zero elements, over <paramref name="dims"/> (all when null).</summary>
        public unsafe Tensor count_nonzero(long[]? dims = null)
        {
            fixed (long* d = dims) return FromNative(tl_count_nonzero(Native, dims is null ? null : d, dims?.Length ?? 0));
        }

        // ---- norms and moments ---------------------------------------------------------------

        /// <summary>The p-norm of all elements, (Σ|x|^p)^(1/p).</summary>
        public Tensor norm(float p = 2.0f) => FromNative(tl_norm(Native, p));
        /// <summary>The p-norm along one dimension.</summary>
        public Tensor norm(int dim, bool keepdim = false, float p = 2.0f) => FromNative(tl_norm_dim(Native, dim, keepdim ? 1 : 0, p));

        /// <summary>Standard deviation of all elements (Bessel-corrected when <paramref name="unbiased"/>).</summary>
        public Tensor std(bool unbiased = true) => FromNative(tl_std(Native, unbiased ? 1 : 0));
        public unsafe Tensor std(long[] dimensions, bool unbiased = true, bool keepdim = false, ScalarType? type = null) =>
            Moment(&tl_std_dims, dimensions, unbiased, keepdim, type);
        public Tensor std(long dimensions, bool unbiased = true, bool keepdim = false, ScalarType? type = null) =>
            std(new[] { dimensions }, unbiased, keepdim, type);

        /// <summary>Variance of all elements (Bessel-corrected when <paramref name="unbiased"/>).</summary>
        public Tensor var(bool unbiased = true) => FromNative(tl_var(Native, unbiased ? 1 : 0));
        public unsafe Tensor var(long[] dimensions, bool unbiased = true, bool keepdim = false, ScalarType? type = null) =>
            Moment(&tl_var_dims, dimensions, unbiased, keepdim, type);
        public Tensor var(long dimensions, bool unbiased = true, bool keepdim = false, ScalarType? type = null) =>
            var(new[] { dimensions }, unbiased, keepdim, type);

        // The shared shape of the dims-taking reductions: pin the dims, call the export, wrap the result.
        private unsafe Tensor OverDims(delegate*<TensorHandle, long*, int, int, sbyte, TensorHandle> reduce,
            ReadOnlySpan<long> dims, bool keepdim, ScalarType? type)
        {
            fixed (long* d = dims) return FromNative(reduce(Native, d, dims.Length, keepdim ? 1 : 0, DType(type)));
        }

        private unsafe Tensor Moment(delegate*<TensorHandle, long*, int, int, int, sbyte, TensorHandle> moment,
            ReadOnlySpan<long> dims, bool unbiased, bool keepdim, ScalarType? type)
        {
            fixed (long* d = dims) return FromNative(moment(Native, d, dims.Length, unbiased ? 1 : 0, keepdim ? 1 : 0, DType(type)));
        }

        private unsafe (Tensor values, Tensor indexes) Extremum(delegate*<TensorHandle, long, int, IntPtr*, IntPtr*, int> extremum,
            long dim, bool keepdim)
        {
            IntPtr values, indexes;
            Check(extremum(Native, dim, keepdim ? 1 : 0, &values, &indexes));
            return (Adopt(values), Adopt(indexes));
        }

        /// <summary>The shim's code for an optional dtype: -1 for none.</summary>
        internal static sbyte DType(ScalarType? type) => type is null ? (sbyte)-1 : (sbyte)type.Value;

        /// <summary>Takes ownership of a handle the shim wrote into an out-parameter.</summary>
        internal static Tensor Adopt(IntPtr handle) => new(new TensorHandle(handle));
    }
}
