namespace TorchLosses;

/// <summary>
/// What the detection and segmentation losses share: constants made as 0-d tensors on the operand's device and
/// dtype (so no implicit <c>Scalar</c> has to outlive a native call), and the checks of their parameters.
/// </summary>
internal static class DetectionChecks
{
    /// <summary>A 0-d tensor holding <paramref name="value"/> in <paramref name="like"/>'s dtype and on its device.</summary>
    internal static Tensor Constant(Tensor like, double value) => torch.tensor(value, like.dtype, like.device);

    /// <summary>Rejects a non-finite or out-of-range parameter with a message naming it and its range.</summary>
    internal static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive finite number, got {Check.PythonFloat(value)}");
    }

    /// <summary>Rejects a negative or non-finite parameter (0 allowed).</summary>
    internal static void NonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a non-negative finite number, got {Check.PythonFloat(value)}");
    }

    /// <summary>Rejects an integral, bool or complex operand where a floating one is needed.</summary>
    internal static void Floating(Tensor tensor, string name, string loss)
    {
        if (!torch.is_floating_point(tensor.dtype))
            throw new ArgumentException($"{loss}: {name} must be a floating point tensor, got {Check.TorchTypeName(tensor.dtype)}", name);
    }
}
