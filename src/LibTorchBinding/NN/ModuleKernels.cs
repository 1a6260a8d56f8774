using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp;

/// <summary>Internal helpers of the binding's modules (their forward passes call <c>torch.nn.functional</c>).</summary>
internal static class ModuleKernels
{
    /// <summary>A new handle on the same tensor (same storage and autograd identity).</summary>
    internal static torch.Tensor Alias(torch.Tensor x) => torch.Tensor.FromNative(tl_tensor_alias(x.Native));
}
