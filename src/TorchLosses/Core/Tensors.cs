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

    /// <summary>The sizes of <paramref name="tensor"/>, as <c>Tensor.shape</c> gives them, read as its rank and each size: a
    /// call into libtorch each, against <c>Tensor.shape</c>'s array marshalled through a managed callback, which costs about
    /// ten times as much (docs/performance.md, fixed costs: "a shape query" and "the rank and each size"). The package's
    /// banned-API list (BannedSymbols.txt) sends every shape read here.</summary>
    internal static long[] Shape(Tensor tensor)
    {
        var shape = new long[tensor.dim()];
        for (int k = 0; k < shape.Length; k++) shape[k] = tensor.size(k);
        return shape;
    }
}
