using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp;

public static partial class torch
{
    /// <summary>How <c>div</c> rounds its quotient (PyTorch's <c>rounding_mode</c>: None, "trunc", "floor").</summary>
    public enum RoundingMode
    {
        /// <summary>True division: no rounding (integer inputs give a floating result).</summary>
        None,
        /// <summary>Rounds the quotient toward zero (C-style integer division).</summary>
        trunc,
        /// <summary>Rounds the quotient down (Python's <c>//</c>).</summary>
        floor,
    }

    // Element-wise arithmetic and unary math. Each method returns a new tensor; broadcasting, type
    // promotion (an int64 tensor plus an integral scalar stays int64, plus a floating scalar becomes
    // the default float type) and error messages are libtorch's.
    public partial class Tensor
    {
        private static readonly Scalar One = 1;

        // ---- arithmetic ----------------------------------------------------------------------

        public Tensor add(Tensor target) => add(target, One);
        /// <summary>this + alpha · target.</summary>
        public Tensor add(Tensor target, Scalar alpha) => FromNative(tl_add(Native, target.Native, alpha.Native));
        public Tensor add(Scalar scalar) => add(scalar, One);
        /// <summary>this + alpha · scalar.</summary>
        public Tensor add(Scalar scalar, Scalar alpha) => FromNative(tl_add_scalar(Native, scalar.Native, alpha.Native));

        public Tensor sub(Tensor target) => FromNative(tl_sub(Native, target.Native, One.Native));
        /// <summary>
        /// this − alpha · target. Not in TorchSharp (whose sub takes no alpha): kept because code on
        /// main uses it; portable code writes add(target, -alpha).
        /// </summary>
        public Tensor sub(Tensor target, Scalar alpha) => FromNative(tl_sub(Native, target.Native, alpha.Native));
        public Tensor sub(Scalar target) => FromNative(tl_sub_scalar(Native, target.Native, One.Native));
        public Tensor subtract(Tensor target) => sub(target);
        public Tensor subtract(Scalar target) => sub(target);

        public Tensor mul(Tensor target) => FromNative(tl_mul(Native, target.Native));
        public Tensor mul(Scalar target) => FromNative(tl_mul_scalar(Native, target.Native));
        public Tensor multiply(Tensor target) => mul(target);
        public Tensor multiply(Scalar target) => mul(target);

        /// <summary>this / target, rounded as <paramref name="rounding_mode"/> says.</summary>
        public Tensor div(Tensor target, RoundingMode rounding_mode = RoundingMode.None) =>
            FromNative(tl_div(Native, target.Native, (int)rounding_mode));
        /// <summary>this / target, rounded as <paramref name="rounding_mode"/> says.</summary>
        public Tensor div(Scalar target, RoundingMode rounding_mode = RoundingMode.None) =>
            FromNative(tl_div_scalar(Native, target.Native, (int)rounding_mode));
        public Tensor divide(Tensor target, RoundingMode rounding_mode = RoundingMode.None) => div(target, rounding_mode);
        public Tensor divide(Scalar target, RoundingMode rounding_mode = RoundingMode.None) => div(target, rounding_mode);
        public Tensor true_divide(Tensor other) => div(other);
        public Tensor true_divide(Scalar other) => div(other);

        /// <summary>Python-style remainder: the result has the sign of the divisor.</summary>
        public Tensor remainder(Tensor target) => FromNative(tl_remainder(Native, target.Native));
        /// <summary>Python-style remainder: the result has the sign of the divisor.</summary>
        public Tensor remainder(Scalar scalar) => FromNative(tl_remainder_scalar(Native, scalar.Native));
        /// <summary>C-style remainder: the result has the sign of the dividend.</summary>
        public Tensor fmod(Tensor target) => FromNative(tl_fmod(Native, target.Native));
        /// <summary>C-style remainder: the result has the sign of the dividend.</summary>
        public Tensor fmod(Scalar scalar) => FromNative(tl_fmod_scalar(Native, scalar.Native));

        public Tensor pow(Tensor exponent) => FromNative(tl_pow(Native, exponent.Native));
        public Tensor pow(Scalar exponent) => FromNative(tl_pow_scalar(Native, exponent.Native));

        /// <summary>this · log(y), defined as 0 where this is 0 (even where y is 0); NaN where y is NaN.</summary>
        public Tensor xlogy(Tensor y) => FromNative(tl_xlogy(Native, y.Native));
        /// <summary>this · log(y), defined as 0 where this is 0.</summary>
        public Tensor xlogy(Scalar y) => FromNative(tl_xlogy_scalar(Native, y.Native));

        public Tensor atan2(Tensor other) => FromNative(tl_atan2(Native, other.Native));
        public Tensor arctan2(Tensor other) => atan2(other);
        /// <summary>sqrt(this² + other²), computed without overflow.</summary>
        public Tensor hypot(Tensor other) => FromNative(tl_hypot(Native, other.Native));
        /// <summary>this + weight · (end − this).</summary>
        public Tensor lerp(Tensor end, Tensor weight) => FromNative(tl_lerp(Native, end.Native, weight.Native));
        /// <summary>this + value · tensor1 · tensor2, element-wise (broadcasting).</summary>
        public Tensor addcmul(Tensor tensor1, Tensor tensor2, Scalar value) =>
            FromNative(tl_addcmul(Native, tensor1.Native, tensor2.Native, value.Native));

        /// <summary>Element-wise maximum (NaN wins); the gradient is split evenly where both are equal.</summary>
        public Tensor maximum(Tensor other) => FromNative(tl_maximum(Native, other.Native));
        /// <summary>Element-wise minimum (NaN wins); the gradient is split evenly where both are equal.</summary>
        public Tensor minimum(Tensor other) => FromNative(tl_minimum(Native, other.Native));
        /// <summary>Element-wise maximum, as <see cref="maximum"/>.</summary>
        public Tensor max(Tensor other) => maximum(other);
        /// <summary>Element-wise minimum, as <see cref="minimum"/>.</summary>
        public Tensor min(Tensor other) => minimum(other);

        // ---- unary math ----------------------------------------------------------------------

        public Tensor abs() => FromNative(tl_abs(Native));
        public Tensor absolute() => abs();
        public Tensor neg() => FromNative(tl_neg(Native));
        public Tensor negative() => neg();
        /// <summary>−1, 0 or 1 per element (0 for ±0; NaN stays NaN). Its gradient is 0 everywhere.</summary>
        public Tensor sign() => FromNative(tl_sign(Native));
        /// <summary>sign, extended to complex numbers (x / |x|).</summary>
        public Tensor sgn() => FromNative(tl_sgn(Native));
        public Tensor sqrt() => FromNative(tl_sqrt(Native));
        public Tensor rsqrt() => FromNative(tl_rsqrt(Native));
        public Tensor square() => FromNative(tl_square(Native));
        public Tensor reciprocal() => FromNative(tl_reciprocal(Native));
        public Tensor exp() => FromNative(tl_exp(Native));
        public Tensor exp2() => FromNative(tl_exp2(Native));
        /// <summary>exp(x) − 1, accurate for small x.</summary>
        public Tensor expm1() => FromNative(tl_expm1(Native));
        public Tensor log() => FromNative(tl_log(Native));
        /// <summary>log(1 + x), accurate for small x.</summary>
        public Tensor log1p() => FromNative(tl_log1p(Native));
        public Tensor log2() => FromNative(tl_log2(Native));
        public Tensor log10() => FromNative(tl_log10(Native));
        public Tensor sigmoid() => FromNative(tl_sigmoid(Native));
        /// <summary>log(sigmoid(x)) = −softplus(−x), computed stably.</summary>
        public Tensor log_sigmoid() => FromNative(tl_log_sigmoid(Native));
        /// <summary>
        /// (1/beta) · log(1 + exp(beta · x)); reverts to x where beta · x &gt; threshold.
        /// </summary>
        public Tensor softplus(double beta = 1, double threshold = 20) => FromNative(tl_softplus(Native, beta, threshold));
        public Tensor tanh() => FromNative(tl_tanh(Native));
        public Tensor relu() => FromNative(tl_relu(Native));
        public Tensor sin() => FromNative(tl_sin(Native));
        public Tensor cos() => FromNative(tl_cos(Native));
        public Tensor tan() => FromNative(tl_tan(Native));
        public Tensor floor() => FromNative(tl_floor(Native));
        public Tensor ceil() => FromNative(tl_ceil(Native));
        public Tensor trunc() => FromNative(tl_trunc(Native));
        public Tensor fix() => trunc();
        public Tensor frac() => FromNative(tl_frac(Native));
        /// <summary>Rounds half to even, to <paramref name="decimals"/> decimal places (negative: left of the point).</summary>
        public Tensor round(long decimals = 0L) => FromNative(tl_round(Native, decimals));
        /// <summary>log |Γ(x)|.</summary>
        public Tensor lgamma() => FromNative(tl_lgamma(Native));
        /// <summary>ψ(x) = d/dx log Γ(x).</summary>
        public Tensor digamma() => FromNative(tl_digamma(Native));
        public Tensor erf() => FromNative(tl_erf(Native));
        public Tensor erfc() => FromNative(tl_erfc(Native));

        /// <summary>
        /// Replaces NaN by <paramref name="nan"/>, +∞ by <paramref name="posinf"/> and −∞ by
        /// <paramref name="neginf"/>; a null bound means the dtype's largest / lowest finite value.
        /// </summary>
        public Tensor nan_to_num(double nan = 0d, double? posinf = null, double? neginf = null) =>
            FromNative(tl_nan_to_num(Native, nan, posinf.HasValue ? 1 : 0, posinf ?? 0, neginf.HasValue ? 1 : 0, neginf ?? 0));

        // ---- clamping and selection ----------------------------------------------------------

        /// <summary>
        /// Clamps into [min, max]; a null bound is not applied. As in PyTorch the gradient passes
        /// where min ≤ x ≤ max (bounds included) and is 0 outside.
        /// </summary>
        public unsafe Tensor clamp(Scalar? min = null, Scalar? max = null)
        {
            var lo = min.GetValueOrDefault().Native;
            var hi = max.GetValueOrDefault().Native;
            return FromNative(tl_clamp_scalar(Native, min.HasValue ? &lo : null, max.HasValue ? &hi : null));
        }

        /// <summary>Clamps element-wise between the (broadcast) tensors min and max; a null bound is not applied.</summary>
        public Tensor clamp(Tensor? min = null, Tensor? max = null)
        {
            var result = tl_clamp(Native, min?.Handle ?? IntPtr.Zero, max?.Handle ?? IntPtr.Zero);
            GC.KeepAlive(min);
            GC.KeepAlive(max);
            return FromNative(result);
        }

        public Tensor clip(Scalar? min = null, Scalar? max = null) => clamp(min, max);
        public Tensor clamp_min(Scalar min) => FromNative(tl_clamp_min(Native, min.Native));
        public Tensor clamp_max(Scalar max) => FromNative(tl_clamp_max(Native, max.Native));

        /// <summary>
        /// Element-wise selection: this where <paramref name="condition"/> is true, <paramref name="y"/>
        /// elsewhere (TorchSharp's <c>x.where(condition, y)</c>). The three broadcast together; the
        /// gradient of the branch not selected is exactly 0 (but NaN/∞ produced inside a branch's own
        /// backward still propagate, as in PyTorch).
        /// </summary>
        public Tensor where(Tensor condition, Tensor y) => FromNative(tl_where(condition.Native, Native, y.Native));

        /// <summary>A copy with <paramref name="value"/> written where the bool <paramref name="mask"/> is true.</summary>
        public Tensor masked_fill(Tensor mask, Scalar value) => FromNative(tl_masked_fill(Native, mask.Native, value.Native));

        // ---- operators -------------------------------------------------------------------------
        // As in TorchSharp HEAD: besides the Scalar forms there are explicit int/long/float/double
        // forms, so that x * 0.5 or 2 - x bind without going through a user-defined conversion.

        public static Tensor operator +(Tensor left, Tensor right) => left.add(right);
        public static Tensor operator +(Tensor left, Scalar right) => left.add(right);
        public static Tensor operator +(Scalar left, Tensor right) => right.add(left);
        public static Tensor operator +(Tensor left, int right) => left.add(right);
        public static Tensor operator +(Tensor left, long right) => left.add(right);
        public static Tensor operator +(Tensor left, float right) => left.add(right);
        public static Tensor operator +(Tensor left, double right) => left.add(right);
        public static Tensor operator +(int left, Tensor right) => right.add(left);
        public static Tensor operator +(long left, Tensor right) => right.add(left);
        public static Tensor operator +(float left, Tensor right) => right.add(left);
        public static Tensor operator +(double left, Tensor right) => right.add(left);

        public static Tensor operator -(Tensor left, Tensor right) => left.sub(right);
        public static Tensor operator -(Tensor left, Scalar right) => left.sub(right);
        public static Tensor operator -(Scalar left, Tensor right) => right.rsub(left);
        public static Tensor operator -(Tensor left, int right) => left.sub(right);
        public static Tensor operator -(Tensor left, long right) => left.sub(right);
        public static Tensor operator -(Tensor left, float right) => left.sub(right);
        public static Tensor operator -(Tensor left, double right) => left.sub(right);
        public static Tensor operator -(int left, Tensor right) => right.rsub(left);
        public static Tensor operator -(long left, Tensor right) => right.rsub(left);
        public static Tensor operator -(float left, Tensor right) => right.rsub(left);
        public static Tensor operator -(double left, Tensor right) => right.rsub(left);

        public static Tensor operator *(Tensor left, Tensor right) => left.mul(right);
        public static Tensor operator *(Tensor left, Scalar right) => left.mul(right);
        public static Tensor operator *(Scalar left, Tensor right) => right.mul(left);
        public static Tensor operator *(Tensor left, int right) => left.mul(right);
        public static Tensor operator *(Tensor left, long right) => left.mul(right);
        public static Tensor operator *(Tensor left, float right) => left.mul(right);
        public static Tensor operator *(Tensor left, double right) => left.mul(right);
        public static Tensor operator *(int left, Tensor right) => right.mul(left);
        public static Tensor operator *(long left, Tensor right) => right.mul(left);
        public static Tensor operator *(float left, Tensor right) => right.mul(left);
        public static Tensor operator *(double left, Tensor right) => right.mul(left);

        public static Tensor operator /(Tensor left, Tensor right) => left.div(right);
        public static Tensor operator /(Tensor left, Scalar right) => left.div(right);
        public static Tensor operator /(Scalar left, Tensor right) => right.rdiv(left);
        public static Tensor operator /(Tensor left, int right) => left.div(right);
        public static Tensor operator /(Tensor left, long right) => left.div(right);
        public static Tensor operator /(Tensor left, float right) => left.div(right);
        public static Tensor operator /(Tensor left, double right) => left.div(right);
        public static Tensor operator /(int left, Tensor right) => right.rdiv(left);
        public static Tensor operator /(long left, Tensor right) => right.rdiv(left);
        public static Tensor operator /(float left, Tensor right) => right.rdiv(left);
        public static Tensor operator /(double left, Tensor right) => right.rdiv(left);

        public static Tensor operator %(Tensor left, Tensor right) => left.remainder(right);
        public static Tensor operator %(Tensor left, Scalar right) => left.remainder(right);
        public static Tensor operator %(Tensor left, int right) => left.remainder(right);
        public static Tensor operator %(Tensor left, long right) => left.remainder(right);
        public static Tensor operator %(Tensor left, float right) => left.remainder(right);
        public static Tensor operator %(Tensor left, double right) => left.remainder(right);

        public static Tensor operator -(Tensor tensor) => tensor.neg();

        /// <summary>scalar − this (libtorch's <c>rsub</c>).</summary>
        private Tensor rsub(Scalar scalar) => FromNative(tl_rsub_scalar(Native, scalar.Native));

        /// <summary>scalar / this, computed as reciprocal(this) · scalar (as TorchSharp does).</summary>
        private Tensor rdiv(Scalar scalar) => FromNative(tl_rdiv_scalar(Native, scalar.Native));
    }
}
