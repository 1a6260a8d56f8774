namespace TorchLosses;

/// <summary>
/// Shared pieces of the contrastive family: checks, unit rows, the safe Euclidean norm, and the reduction of per-anchor losses.
/// </summary>
internal static class EmbeddingGeometry
{
    /// <summary>The rows of <paramref name="x"/> scaled to unit length: x/max(‖x‖, 1e-12) (F.normalize's ε); a zero row stays 0.</summary>
    internal static Tensor UnitRows(Tensor x)
    {
        var squared = x.pow(Scalars.Two).sum(-1, keepdim: true);
        return x * torch.maximum(squared, Tensors.Constant(1e-24, x)).rsqrt();
    }

    /// <summary>√s with the gradient 0 (a subgradient) at s = 0 instead of ∞·0.</summary>
    internal static Tensor SafeSqrt(Tensor squared)
    {
        var positive = squared.detach().gt(Tensors.Constant(0, squared));
        return torch.where(positive, RobustFrame.Only(positive, squared, 1).sqrt(), Tensors.Constant(0, squared));
    }

    /// <summary>Rejects what is not a floating (N, D) matrix.</summary>
    internal static void Matrix(string loss, Tensor tensor, string name)
    {
        Check.Defined(tensor, name);
        Check.Floating(tensor, name, loss);
        if (tensor.dim() != 2)
            throw new ArgumentException($"{loss}: {name} must be 2-D (N, D); got shape {Check.TorchSize(tensor)}.", name);
    }

    /// <summary>Rejects what is not two floating (N, D) matrices of one shape.</summary>
    internal static void MatrixPair(string loss, Tensor first, string firstName, Tensor second, string secondName)
    {
        Matrix(loss, first, firstName);
        Matrix(loss, second, secondName);
        if (!Check.SameShape(first, second))
            throw new ArgumentException($"{loss}: {firstName} and {secondName} must have one shape; got {Check.TorchSize(first)} and {Check.TorchSize(second)}.", secondName);
    }

    /// <summary>Rejects a temperature outside (0, ∞).</summary>
    internal static void Temperature(string loss, double temperature)
    {
        if (!(temperature > 0 && double.IsFinite(temperature)))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, $"{loss}: temperature must be positive and finite.");
    }

    /// <summary>−log softmax(logits)[i, column[i]] per row: the cross entropy of each row against its column, with log_softmax's
    /// max subtraction (the log-sum-exp guard).</summary>
    internal static Tensor RowCrossEntropy(Tensor logits, Tensor column) =>
        -logits.log_softmax(1).gather(1, column.unsqueeze(1)).squeeze(1);
}
