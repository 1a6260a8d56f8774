using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// Functions on tensors. The losses here call libtorch's own kernels (or its ATen loss
        /// functions); they are the references the parity suite holds the composed losses to.
        /// </summary>
        public static partial class functional
        {
            /// <summary>libtorch's <c>smooth_l1_loss</c> kernel. Range: beta ≥ 0.</summary>
            public static Tensor smooth_l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1.0) =>
                Tensor.FromNative(tl_smooth_l1_loss(input.Native, target.Native, (long)reduction, beta));
        }
    }
}
