using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp;

public static partial class torch
{
    // Comparisons, logical and bitwise ops, and the equality members. As in TorchSharp, the
    // comparison operators (== != < <= > >=) compute element-wise and return bool tensors; whole-
    // tensor equality is Equals(Tensor) (libtorch's torch.equal), tolerance equality is allclose.
    public partial class Tensor
    {
        // ---- element-wise comparisons (bool results) -----------------------------------------

        public Tensor eq(Tensor target) => FromNative(tl_eq(Native, target.Native));
        public Tensor eq(Scalar target) => FromNative(tl_eq_scalar(Native, target.Native));
        public Tensor ne(Tensor target) => FromNative(tl_ne(Native, target.Native));
        public Tensor ne(Scalar target) => FromNative(tl_ne_scalar(Native, target.Native));
        public Tensor lt(Tensor target) => FromNative(tl_lt(Native, target.Native));
        public Tensor lt(Scalar target) => FromNative(tl_lt_scalar(Native, target.Native));
        public Tensor le(Tensor target) => FromNative(tl_le(Native, target.Native));
        public Tensor le(Scalar target) => FromNative(tl_le_scalar(Native, target.Native));
        public Tensor gt(Tensor target) => FromNative(tl_gt(Native, target.Native));
        public Tensor gt(Scalar target) => FromNative(tl_gt_scalar(Native, target.Native));
        public Tensor ge(Tensor target) => FromNative(tl_ge(Native, target.Native));
        public Tensor ge(Scalar target) => FromNative(tl_ge_scalar(Native, target.Native));

        public Tensor not_equal(Tensor target) => ne(target);
        public Tensor not_equal(Scalar target) => ne(target);
        public Tensor less(Tensor target) => lt(target);
        public Tensor less(Scalar target) => lt(target);
        public Tensor less_equal(Tensor target) => le(target);
        public Tensor less_equal(Scalar target) => le(target);
        public Tensor greater(Tensor target) => gt(target);
        public Tensor greater(Scalar target) => gt(target);
        public Tensor greater_equal(Tensor target) => ge(target);
        public Tensor greater_equal(Scalar target) => ge(target);

        public Tensor isnan() => FromNative(tl_isnan(Native));
        public Tensor isinf() => FromNative(tl_isinf(Native));
        public Tensor isfinite() => FromNative(tl_isfinite(Native));
        public Tensor isposinf() => FromNative(tl_isposinf(Native));
        public Tensor isneginf() => FromNative(tl_isneginf(Native));

        /// <summary>|this − other| ≤ atol + rtol · |other|, element-wise (NaNs equal only when <paramref name="nanEqual"/>).</summary>
        public Tensor isclose(Tensor other, double rtol = 1e-05, double atol = 1e-08, bool nanEqual = false) =>
            FromNative(tl_isclose(Native, other.Native, rtol, atol, nanEqual ? 1 : 0));

        /// <summary>True when <see cref="isclose"/> holds for every element (shapes must broadcast).</summary>
        public bool allclose(Tensor target, double rtol = 1e-05, double atol = 1e-08, bool equal_nan = false) =>
            Answer(tl_allclose(Native, target.Native, rtol, atol, equal_nan ? 1 : 0));

        // ---- logical and bitwise -------------------------------------------------------------

        public Tensor logical_and(Tensor other) => FromNative(tl_logical_and(Native, other.Native));
        public Tensor logical_or(Tensor other) => FromNative(tl_logical_or(Native, other.Native));
        public Tensor logical_xor(Tensor other) => FromNative(tl_logical_xor(Native, other.Native));
        public Tensor logical_not() => FromNative(tl_logical_not(Native));
        /// <summary>Bitwise AND of integral tensors; logical AND of bool tensors.</summary>
        public Tensor bitwise_and(Tensor other) => FromNative(tl_bitwise_and(Native, other.Native));
        /// <summary>Bitwise OR of integral tensors; logical OR of bool tensors.</summary>
        public Tensor bitwise_or(Tensor other) => FromNative(tl_bitwise_or(Native, other.Native));
        /// <summary>Bitwise XOR of integral tensors; logical XOR of bool tensors.</summary>
        public Tensor bitwise_xor(Tensor other) => FromNative(tl_bitwise_xor(Native, other.Native));
        /// <summary>Bitwise NOT of integral tensors; logical NOT of bool tensors.</summary>
        public Tensor bitwise_not() => FromNative(tl_bitwise_not(Native));

        // ---- equality members ----------------------------------------------------------------

        /// <summary>
        /// libtorch's <c>torch.equal</c>: true when both tensors have the same shape and equal
        /// elements (values compare after type promotion, so int64 [1] equals float32 [1.0]; NaN
        /// never equals NaN). Tensors on different devices raise libtorch's error.
        /// </summary>
        public bool Equals(Tensor target) => Answer(tl_equal(Native, target.Native));

        /// <summary>Structural equality as <see cref="Equals(Tensor)"/>; false for non-tensors.</summary>
        public override bool Equals(object? obj) => obj is Tensor other && Equals(other);

        /// <summary>
        /// A hash consistent with <see cref="Equals(Tensor)"/>: it depends on the shape only (equal
        /// tensors have equal shapes; values and dtype may differ in representation).
        /// </summary>
        public override int GetHashCode()
        {
            if (IsInvalid) return 0;
            var hash = new HashCode();
            foreach (var d in shape) hash.Add(d);
            return hash.ToHashCode();
        }

        private static bool Answer(int status) => status switch
        {
            0 => false,
            1 => true,
            _ => throw Failure(),
        };

        // ---- operators -------------------------------------------------------------------------

        public static Tensor operator ==(Tensor left, Tensor right) => left.eq(right);
        public static Tensor operator ==(Tensor left, Scalar right) => left.eq(right);
        public static Tensor operator ==(Scalar left, Tensor right) => right.eq(left);
        public static Tensor operator !=(Tensor left, Tensor right) => left.ne(right);
        public static Tensor operator !=(Tensor left, Scalar right) => left.ne(right);
        public static Tensor operator !=(Scalar left, Tensor right) => right.ne(left);
        public static Tensor operator <(Tensor left, Tensor right) => left.lt(right);
        public static Tensor operator <(Tensor left, Scalar right) => left.lt(right);
        public static Tensor operator <(Scalar left, Tensor right) => right.gt(left);
        public static Tensor operator <=(Tensor left, Tensor right) => left.le(right);
        public static Tensor operator <=(Tensor left, Scalar right) => left.le(right);
        public static Tensor operator <=(Scalar left, Tensor right) => right.ge(left);
        public static Tensor operator >(Tensor left, Tensor right) => left.gt(right);
        public static Tensor operator >(Tensor left, Scalar right) => left.gt(right);
        public static Tensor operator >(Scalar left, Tensor right) => right.lt(left);
        public static Tensor operator >=(Tensor left, Tensor right) => left.ge(right);
        public static Tensor operator >=(Tensor left, Scalar right) => left.ge(right);
        public static Tensor operator >=(Scalar left, Tensor right) => right.le(left);

        public static Tensor operator &(Tensor left, Tensor right) => left.bitwise_and(right);
        public static Tensor operator |(Tensor left, Tensor right) => left.bitwise_or(right);
        public static Tensor operator ^(Tensor left, Tensor right) => left.bitwise_xor(right);
        public static Tensor operator ~(Tensor left) => left.bitwise_not();
    }
}
