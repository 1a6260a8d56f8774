namespace TorchLosses;

/// <summary>Small tensor helpers the loss families share.</summary>
internal static class Tensors
{
    /// <summary>A 0-d tensor holding <paramref name="value"/> in <paramref name="like"/>'s dtype and on its device: a constant
    /// the caller's dispose scope owns (unlike an implicit <c>Scalar</c>, which TorchSharp 0.107 may free mid-call).</summary>
    internal static Tensor Constant(double value, Tensor like) => torch.tensor(value, like.dtype, like.device);

    /// <summary><paramref name="tensor"/> in <paramref name="type"/>: the tensor itself when it already has it, else a converted
    /// copy (as an in-place op stores its result in its output's type).</summary>
    internal static Tensor InType(Tensor tensor, torch.ScalarType type) => tensor.dtype == type ? tensor : tensor.to(type);
}
