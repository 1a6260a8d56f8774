using System.Runtime.InteropServices;

namespace TorchSharp.PInvoke;

// Declarations for native/src/ops_pointwise.cpp.
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library)] internal static partial TensorHandle tl_add(TensorHandle a, TensorHandle b, NativeScalar alpha);
    [LibraryImport(Library)] internal static partial TensorHandle tl_add_scalar(TensorHandle a, NativeScalar b, NativeScalar alpha);
    [LibraryImport(Library)] internal static partial TensorHandle tl_sub(TensorHandle a, TensorHandle b, NativeScalar alpha);
    [LibraryImport(Library)] internal static partial TensorHandle tl_sub_scalar(TensorHandle a, NativeScalar b, NativeScalar alpha);
    [LibraryImport(Library)] internal static partial TensorHandle tl_rsub_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_div(TensorHandle a, TensorHandle b, int roundingMode);
    [LibraryImport(Library)] internal static partial TensorHandle tl_div_scalar(TensorHandle a, NativeScalar b, int roundingMode);
    [LibraryImport(Library)] internal static partial TensorHandle tl_rdiv_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_lerp(TensorHandle a, TensorHandle end, TensorHandle weight);
    [LibraryImport(Library)] internal static partial TensorHandle tl_addcmul(TensorHandle a, TensorHandle t1, TensorHandle t2, NativeScalar value);

    [LibraryImport(Library)] internal static partial TensorHandle tl_mul(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_mul_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_remainder(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_remainder_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_fmod(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_fmod_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_pow(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_pow_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_xlogy(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_xlogy_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_eq(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_eq_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_ne(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_ne_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_lt(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_lt_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_le(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_le_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_gt(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_gt_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_ge(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_ge_scalar(TensorHandle a, NativeScalar b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_bitwise_and(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_bitwise_or(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_bitwise_xor(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_atan2(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_hypot(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_maximum(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_minimum(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_logical_and(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_logical_or(TensorHandle a, TensorHandle b);
    [LibraryImport(Library)] internal static partial TensorHandle tl_logical_xor(TensorHandle a, TensorHandle b);

    [LibraryImport(Library)] internal static partial TensorHandle tl_isclose(TensorHandle a, TensorHandle b, double rtol, double atol, int equalNan);
    [LibraryImport(Library)] internal static partial int tl_allclose(TensorHandle a, TensorHandle b, double rtol, double atol, int equalNan);
    [LibraryImport(Library)] internal static partial int tl_equal(TensorHandle a, TensorHandle b);

    [LibraryImport(Library)] internal static partial TensorHandle tl_logical_not(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_bitwise_not(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_abs(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_neg(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_sign(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_sgn(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_sqrt(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_rsqrt(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_square(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_reciprocal(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_exp(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_exp2(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_expm1(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_log(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_log1p(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_log2(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_log10(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_sigmoid(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_tanh(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_relu(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_sin(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_cos(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_tan(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_floor(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_ceil(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_trunc(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_frac(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_lgamma(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_digamma(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_erf(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_erfc(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_isnan(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_isinf(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_isfinite(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_isposinf(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_isneginf(TensorHandle a);
    [LibraryImport(Library)] internal static partial TensorHandle tl_log_sigmoid(TensorHandle a);

    [LibraryImport(Library)] internal static partial TensorHandle tl_softplus(TensorHandle a, double beta, double threshold);
    [LibraryImport(Library)] internal static partial TensorHandle tl_round(TensorHandle a, long decimals);
    [LibraryImport(Library)] internal static partial TensorHandle tl_nan_to_num(TensorHandle a, double nan, int hasPosinf, double posinf, int hasNeginf, double neginf);
    [LibraryImport(Library)] internal static partial TensorHandle tl_clamp_scalar(TensorHandle a, NativeScalar* min, NativeScalar* max);
    [LibraryImport(Library)] internal static partial TensorHandle tl_clamp(TensorHandle a, IntPtr min, IntPtr max);
    [LibraryImport(Library)] internal static partial TensorHandle tl_clamp_min(TensorHandle a, NativeScalar min);
    [LibraryImport(Library)] internal static partial TensorHandle tl_clamp_max(TensorHandle a, NativeScalar max);
    [LibraryImport(Library)] internal static partial TensorHandle tl_where(TensorHandle condition, TensorHandle x, TensorHandle y);
    [LibraryImport(Library)] internal static partial TensorHandle tl_masked_fill(TensorHandle a, TensorHandle mask, NativeScalar value);

    [LibraryImport(Library)] internal static partial int tl_broadcast_tensors(IntPtr* tensors, int count, IntPtr* results);
    [LibraryImport(Library)] internal static partial int tl_tensor_item(TensorHandle tensor, int kind, double* d, long* i);
}
