using TorchSharp.PInvoke;
using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp;

public static partial class torch
{
    public partial class Tensor
    {
        // TorchSharp's in-place methods: each mutates this tensor and returns this same object, so
        // calls chain (buf.mul_(m).add_(g)). Autograd rejects most of them on a leaf that requires
        // grad unless they run under torch.no_grad().

        /// <summary>this += other, in place.</summary>
        public Tensor add_(Tensor other) => InPlaceResult(tl_inplace_add(Native, other.Native, One.Native));

        /// <summary>this += alpha · other, in place.</summary>
        public Tensor add_(Tensor other, Scalar alpha) => InPlaceResult(tl_inplace_add(Native, other.Native, alpha.Native));

        /// <summary>this += scalar, in place.</summary>
        public Tensor add_(Scalar scalar) => InPlaceResult(tl_inplace_add_scalar(Native, scalar.Native, One.Native));

        /// <summary>this += alpha · scalar, in place.</summary>
        public Tensor add_(Scalar scalar, Scalar alpha) => InPlaceResult(tl_inplace_add_scalar(Native, scalar.Native, alpha.Native));

        /// <summary>this -= target, in place.</summary>
        public Tensor sub_(Tensor target) => InPlaceResult(tl_inplace_sub(Native, target.Native, One.Native));

        /// <summary>this -= target, in place.</summary>
        public Tensor sub_(Scalar target) => InPlaceResult(tl_inplace_sub_scalar(Native, target.Native, One.Native));

        /// <summary>this *= target, in place.</summary>
        public Tensor mul_(Tensor target) => InPlaceResult(tl_inplace_mul(Native, target.Native));

        /// <summary>this *= target, in place.</summary>
        public Tensor mul_(Scalar target) => InPlaceResult(tl_inplace_mul_scalar(Native, target.Native));

        /// <summary>this /= target (true division), in place.</summary>
        public Tensor div_(Tensor target) => InPlaceResult(tl_inplace_div(Native, target.Native));

        /// <summary>this /= target (true division), in place.</summary>
        public Tensor div_(Scalar target) => InPlaceResult(tl_inplace_div_scalar(Native, target.Native));

        /// <summary>this += value · tensor1 · tensor2 (element-wise), in place.</summary>
        public Tensor addcmul_(Tensor tensor1, Tensor tensor2, Scalar value) =>
            InPlaceResult(tl_inplace_addcmul(Native, tensor1.Native, tensor2.Native, value.Native));

        /// <summary>this += value · tensor1 / tensor2 (element-wise), in place.</summary>
        public Tensor addcdiv_(Tensor tensor1, Tensor tensor2, Scalar value) =>
            InPlaceResult(tl_inplace_addcdiv(Native, tensor1.Native, tensor2.Native, value.Native));

        /// <summary>this += tensor1 / tensor2 (element-wise), in place.</summary>
        public Tensor addcdiv_(Tensor tensor1, Tensor tensor2) => addcdiv_(tensor1, tensor2, One);

        /// <summary>Sets every element to zero.</summary>
        public Tensor zero_() => InPlaceResult(tl_inplace_zero(Native));

        /// <summary>Sets every element to <paramref name="value"/>.</summary>
        public Tensor fill_(Scalar value) => InPlaceResult(tl_inplace_fill(Native, value.Native));

        /// <summary>
        /// Copies the elements of <paramref name="source"/> into this tensor (broadcasting, and
        /// converting dtype and device as needed).
        /// </summary>
        public Tensor copy_(Tensor source, bool non_blocking = false) => InPlaceResult(tl_inplace_copy(Native, source.Native));

        /// <summary>
        /// Fills with draws from U(from, to) using libtorch's default generator, so
        /// <see cref="manual_seed"/> makes them reproducible (and equal to PyTorch's for the same seed).
        /// </summary>
        public Tensor uniform_(double from = 0, double to = 1) => InPlaceResult(tl_inplace_uniform(Native, from, to));

        /// <summary>Fills with draws from N(mean, std²) using libtorch's default generator.</summary>
        public Tensor normal_(double mean = 0, double std = 1) => InPlaceResult(tl_inplace_normal(Native, mean, std));

        /// <summary>Element-wise square root, in place.</summary>
        public Tensor sqrt_() => InPlaceResult(tl_inplace_sqrt(Native));

        /// <summary>Replaces every element by its exponential, in place.</summary>
        public Tensor exp_() => InPlaceResult(tl_inplace_exp(Native));

        /// <summary>Negates every element, in place.</summary>
        public Tensor neg_() => InPlaceResult(tl_inplace_neg(Native));

        /// <summary>Replaces every element by its absolute value, in place.</summary>
        public Tensor abs_() => InPlaceResult(tl_inplace_abs(Native));

        /// <summary>Replaces every element by its natural logarithm, in place.</summary>
        public Tensor log_() => InPlaceResult(tl_inplace_log(Native));

        /// <summary>Replaces every element by its logistic sigmoid 1/(1 + e^(−x)), in place.</summary>
        public Tensor sigmoid_() => InPlaceResult(tl_inplace_sigmoid(Native));

        /// <summary>Adds <paramref name="src"/> into this tensor at the positions <paramref name="index"/> names along <paramref name="dim"/>, in place.</summary>
        public Tensor scatter_add_(long dim, Tensor index, Tensor src) =>
            InPlaceResult(tl_inplace_scatter_add(Native, dim, index.Native, src.Native));

        /// <summary>Clamps every element into [min, max], in place; a null bound is not applied.</summary>
        public unsafe Tensor clamp_(Scalar? min = null, Scalar? max = null)
        {
            NativeScalar lo = min?.Native ?? default, hi = max?.Native ?? default;
            return InPlaceResult(tl_inplace_clamp(Native, min is null ? null : &lo, max is null ? null : &hi));
        }

        /// <summary>Sets the elements where <paramref name="mask"/> is true to <paramref name="value"/>.</summary>
        public Tensor masked_fill_(Tensor mask, Scalar value) => InPlaceResult(tl_inplace_masked_fill(Native, mask.Native, value.Native));

        /// <summary>this = max(this, other) element-wise (used by AMSGrad; not part of TorchSharp's surface).</summary>
        internal Tensor MaximumInPlace(Tensor other) => InPlaceResult(tl_inplace_maximum(Native, other.Native));

        /// <summary>
        /// Replaces this tensor's data (storage, dtype, device) with <paramref name="data"/>'s while
        /// keeping this object, its handle and its autograd identity (PyTorch's <c>t.data = data</c>).
        /// Returns false, changing nothing, when the two tensors are of incompatible kinds (e.g. CPU
        /// and meta), in which case the caller must replace the tensor instead.
        /// </summary>
        internal bool TrySetData(Tensor data)
        {
            int compatible = tl_tensor_can_set_data(Native, data.Native);
            if (compatible < 0) throw Failure();
            if (compatible == 0) return false;
            Check(tl_tensor_set_data(Native, data.Native));
            return true;
        }

        private Tensor InPlaceResult(int status)
        {
            Check(status);
            return this;
        }
    }
}
