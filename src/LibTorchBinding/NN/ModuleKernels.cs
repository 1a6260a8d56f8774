using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp;

/// <summary>
/// The forward computations of the binding's own modules, kept internal so that the public
/// <c>torch.nn.functional</c> surface stays in one place.
/// </summary>
internal static class ModuleKernels
{
    /// <summary>y = x Wᵀ + b.</summary>
    internal static torch.Tensor Linear(torch.Tensor input, torch.Tensor weight, torch.Tensor? bias)
    {
        var result = torch.Tensor.FromNative(tl_nn_linear(input.Native, weight.Native, bias is null ? IntPtr.Zero : bias.Handle));
        GC.KeepAlive(bias);
        return result;
    }

    /// <summary>A new handle on the same tensor (same storage and autograd identity).</summary>
    internal static torch.Tensor Alias(torch.Tensor x) => torch.Tensor.FromNative(tl_tensor_alias(x.Native));

    /// <summary>max(x, 0), optionally overwriting x (the result is then a new handle on x).</summary>
    internal static torch.Tensor Relu(torch.Tensor x, bool inplace) => torch.Tensor.FromNative(tl_nn_relu(x.Native, inplace ? 1 : 0));

    /// <summary>tanh(x), optionally overwriting x.</summary>
    internal static torch.Tensor Tanh(torch.Tensor x, bool inplace) => torch.Tensor.FromNative(tl_nn_tanh(x.Native, inplace ? 1 : 0));
}
