using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp;

public static partial class torch
{
    public partial class Tensor
    {
        private static readonly Scalar One = 1;

        public Tensor add(Tensor other) => FromNative(tl_add(Native, other.Native, One.Native));
        public Tensor add(Tensor other, Scalar alpha) => FromNative(tl_add(Native, other.Native, alpha.Native));
        public Tensor add(Scalar other) => FromNative(tl_add_scalar(Native, other.Native, One.Native));
        public Tensor sub(Tensor other) => FromNative(tl_sub(Native, other.Native, One.Native));
        public Tensor sub(Tensor other, Scalar alpha) => FromNative(tl_sub(Native, other.Native, alpha.Native));
        public Tensor sub(Scalar other) => FromNative(tl_sub_scalar(Native, other.Native, One.Native));
        public Tensor mul(Tensor other) => FromNative(tl_mul(Native, other.Native));
        public Tensor mul(Scalar other) => FromNative(tl_mul_scalar(Native, other.Native));
        public Tensor div(Tensor other) => FromNative(tl_div(Native, other.Native));
        public Tensor div(Scalar other) => FromNative(tl_div_scalar(Native, other.Native));

        public Tensor abs() => FromNative(tl_abs(Native));
        public Tensor neg() => FromNative(tl_neg(Native));
        public Tensor sign() => FromNative(tl_sign(Native));
        public Tensor sqrt() => FromNative(tl_sqrt(Native));
        public Tensor square() => FromNative(tl_square(Native));
        public Tensor exp() => FromNative(tl_exp(Native));
        public Tensor log() => FromNative(tl_log(Native));

        public Tensor sum() => FromNative(tl_sum(Native));
        public Tensor mean() => FromNative(tl_mean(Native));

        public static Tensor operator +(Tensor left, Tensor right) => left.add(right);
        public static Tensor operator +(Tensor left, Scalar right) => left.add(right);
        public static Tensor operator +(Scalar left, Tensor right) => right.add(left);
        public static Tensor operator -(Tensor left, Tensor right) => left.sub(right);
        public static Tensor operator -(Tensor left, Scalar right) => left.sub(right);
        public static Tensor operator -(Scalar left, Tensor right) => FromNative(tl_rsub_scalar(right.Native, left.Native));
        public static Tensor operator *(Tensor left, Tensor right) => left.mul(right);
        public static Tensor operator *(Tensor left, Scalar right) => left.mul(right);
        public static Tensor operator *(Scalar left, Tensor right) => right.mul(left);
        public static Tensor operator /(Tensor left, Tensor right) => left.div(right);
        public static Tensor operator /(Tensor left, Scalar right) => left.div(right);
        public static Tensor operator /(Scalar left, Tensor right) => FromNative(tl_rdiv_scalar(right.Native, left.Native));
        public static Tensor operator -(Tensor tensor) => tensor.neg();
    }
}
