namespace TorchSharp;

// The torch.* forms of the element-wise and comparison ops: each forwards to the Tensor method of the
// same name (TorchSharp's torch.PointwiseOps.cs / torch.ComparisonOps.cs).
public static partial class torch
{
    public static Tensor abs(Tensor input) => input.abs();
    public static Tensor absolute(Tensor input) => input.absolute();
    public static Tensor neg(Tensor input) => input.neg();
    public static Tensor negative(Tensor input) => input.negative();
    public static Tensor sign(Tensor input) => input.sign();
    public static Tensor sgn(Tensor input) => input.sgn();
    public static Tensor sqrt(Tensor input) => input.sqrt();
    public static Tensor rsqrt(Tensor input) => input.rsqrt();
    public static Tensor square(Tensor input) => input.square();
    public static Tensor reciprocal(Tensor input) => input.reciprocal();
    public static Tensor exp(Tensor input) => input.exp();
    public static Tensor exp2(Tensor input) => input.exp2();
    public static Tensor expm1(Tensor input) => input.expm1();
    public static Tensor log(Tensor input) => input.log();
    public static Tensor log1p(Tensor input) => input.log1p();
    public static Tensor log2(Tensor input) => input.log2();
    public static Tensor log10(Tensor input) => input.log10();
    public static Tensor sigmoid(Tensor input) => input.sigmoid();
    public static Tensor log_sigmoid(Tensor input) => input.log_sigmoid();
    public static Tensor tanh(Tensor input) => input.tanh();
    public static Tensor relu(Tensor input) => input.relu();
    public static Tensor sin(Tensor input) => input.sin();
    public static Tensor cos(Tensor input) => input.cos();
    public static Tensor tan(Tensor input) => input.tan();
    public static Tensor floor(Tensor input) => input.floor();
    public static Tensor ceil(Tensor input) => input.ceil();
    public static Tensor trunc(Tensor input) => input.trunc();
    public static Tensor fix(Tensor input) => input.fix();
    public static Tensor frac(Tensor input) => input.frac();
    public static Tensor lgamma(Tensor input) => input.lgamma();
    public static Tensor digamma(Tensor input) => input.digamma();
    public static Tensor erf(Tensor input) => input.erf();
    public static Tensor erfc(Tensor input) => input.erfc();
    public static Tensor isnan(Tensor input) => input.isnan();
    public static Tensor isinf(Tensor input) => input.isinf();
    public static Tensor isfinite(Tensor input) => input.isfinite();
    public static Tensor isposinf(Tensor input) => input.isposinf();
    public static Tensor isneginf(Tensor input) => input.isneginf();
    public static Tensor logical_not(Tensor input) => input.logical_not();
    public static Tensor bitwise_not(Tensor input) => input.bitwise_not();

    public static Tensor add(Tensor left, Tensor right) => left.add(right);
    public static Tensor add(Tensor left, Scalar right) => left.add(right);
    public static Tensor add(Tensor left, Tensor right, Scalar alpha) => left.add(right, alpha);
    public static Tensor add(Tensor left, Scalar right, Scalar alpha) => left.add(right, alpha);
    public static Tensor sub(Tensor left, Tensor right) => left.sub(right);
    public static Tensor sub(Tensor left, Scalar right) => left.sub(right);
    public static Tensor subtract(Tensor left, Tensor right) => left.sub(right);
    public static Tensor subtract(Tensor left, Scalar right) => left.sub(right);
    public static Tensor mul(Tensor left, Tensor right) => left.mul(right);
    public static Tensor mul(Tensor left, Scalar right) => left.mul(right);
    public static Tensor multiply(Tensor left, Tensor right) => left.mul(right);
    public static Tensor multiply(Tensor left, Scalar right) => left.mul(right);
    public static Tensor div(Tensor left, Tensor right, RoundingMode rounding_mode = RoundingMode.None) => left.div(right, rounding_mode);
    public static Tensor div(Tensor left, Scalar right, RoundingMode rounding_mode = RoundingMode.None) => left.div(right, rounding_mode);
    public static Tensor divide(Tensor left, Tensor right, RoundingMode rounding_mode = RoundingMode.None) => left.div(right, rounding_mode);
    public static Tensor divide(Tensor left, Scalar right, RoundingMode rounding_mode = RoundingMode.None) => left.div(right, rounding_mode);
    public static Tensor true_divide(Tensor dividend, Tensor divisor) => dividend.div(divisor);
    public static Tensor remainder(Tensor left, Tensor right) => left.remainder(right);
    public static Tensor remainder(Tensor left, Scalar right) => left.remainder(right);
    public static Tensor fmod(Tensor left, Tensor right) => left.fmod(right);
    public static Tensor fmod(Tensor left, Scalar right) => left.fmod(right);
    public static Tensor pow(Tensor left, Tensor exponent) => left.pow(exponent);
    public static Tensor pow(Tensor left, Scalar exponent) => left.pow(exponent);
    public static Tensor xlogy(Tensor x, Tensor y) => x.xlogy(y);
    public static Tensor xlogy(Tensor x, Scalar y) => x.xlogy(y);
    public static Tensor atan2(Tensor input, Tensor other) => input.atan2(other);
    public static Tensor arctan2(Tensor input, Tensor other) => input.atan2(other);
    public static Tensor hypot(Tensor left, Tensor right) => left.hypot(right);
    public static Tensor lerp(Tensor input, Tensor end, Tensor weight) => input.lerp(end, weight);
    /// <summary>input + value · tensor1 · tensor2, element-wise (broadcasting).</summary>
    public static Tensor addcmul(Tensor input, Tensor tensor1, Tensor tensor2, Scalar value) => input.addcmul(tensor1, tensor2, value);
    public static Tensor round(Tensor input, long decimals = 0L) => input.round(decimals);
    public static Tensor softplus(Tensor input, double beta = 1, double threshold = 20) => input.softplus(beta, threshold);
    public static Tensor nan_to_num(Tensor input, double nan = 0d, double? posinf = null, double? neginf = null) =>
        input.nan_to_num(nan, posinf, neginf);

    public static Tensor clamp(Tensor input, Scalar? min = null, Scalar? max = null) => input.clamp(min, max);
    public static Tensor clamp(Tensor input, Tensor? min = null, Tensor? max = null) => input.clamp(min, max);
    public static Tensor clip(Tensor input, Scalar? min = null, Scalar? max = null) => input.clamp(min, max);
    public static Tensor clamp_min(Tensor input, Scalar min) => input.clamp_min(min);
    public static Tensor clamp_max(Tensor input, Scalar max) => input.clamp_max(max);

    /// <summary>x where <paramref name="condition"/> is true, y elsewhere (all three broadcast).</summary>
    public static Tensor where(Tensor condition, Tensor x, Tensor y) => x.where(condition, y);

    public static Tensor maximum(Tensor input, Tensor other) => input.maximum(other);
    public static Tensor minimum(Tensor input, Tensor other) => input.minimum(other);
    public static Tensor eq(Tensor left, Tensor right) => left.eq(right);
    public static Tensor ne(Tensor left, Tensor right) => left.ne(right);
    public static Tensor lt(Tensor left, Tensor right) => left.lt(right);
    public static Tensor le(Tensor left, Tensor right) => left.le(right);
    public static Tensor gt(Tensor left, Tensor right) => left.gt(right);
    public static Tensor ge(Tensor left, Tensor right) => left.ge(right);
    public static Tensor not_equal(Tensor tensor, Tensor target) => tensor.ne(target);
    public static Tensor less(Tensor tensor, Tensor target) => tensor.lt(target);
    public static Tensor less_equal(Tensor tensor, Tensor target) => tensor.le(target);
    public static Tensor greater(Tensor tensor, Tensor target) => tensor.gt(target);
    public static Tensor greater_equal(Tensor tensor, Tensor target) => tensor.ge(target);
    public static Tensor isclose(Tensor tensor, Tensor other, double rtol = 1e-05, double atol = 1e-08, bool nanEqual = false) =>
        tensor.isclose(other, rtol, atol, nanEqual);
    public static bool allclose(Tensor tensor, Tensor target, double rtol = 1e-05, double atol = 1e-08, bool equal_nan = false) =>
        tensor.allclose(target, rtol, atol, equal_nan);

    public static Tensor logical_and(Tensor left, Tensor right) => left.logical_and(right);
    public static Tensor logical_or(Tensor left, Tensor right) => left.logical_or(right);
    public static Tensor logical_xor(Tensor left, Tensor right) => left.logical_xor(right);
    public static Tensor bitwise_and(Tensor left, Tensor right) => left.bitwise_and(right);
    public static Tensor bitwise_or(Tensor left, Tensor right) => left.bitwise_or(right);
    public static Tensor bitwise_xor(Tensor left, Tensor right) => left.bitwise_xor(right);
}
