namespace TorchLosses;

/// <summary>
/// The parameter checks the detection and segmentation losses share.
/// </summary>
internal static class DetectionChecks
{
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
}
