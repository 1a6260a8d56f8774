using System.Globalization;

namespace TorchLosses;

/// <summary>
/// Argument checks shared by the losses. Each throws a .NET exception whose message is PyTorch's
/// text for the same mistake (libtorch 2.10's, or PyTorch's Python one where PyTorch checks in Python),
/// so a user can search for it, and names the argument.
/// </summary>
internal static class Check
{
    /// <summary>PyTorch's way of printing a shape: <c>torch.Size([3, 4])</c>.</summary>
    internal static string TorchSize(long[] shape) => $"torch.Size([{string.Join(", ", shape)}])";

    /// <summary>A shape as libtorch prints it in its own messages: <c>[3, 4]</c>.</summary>
    internal static string Brackets(long[] shape) => $"[{string.Join(", ", shape)}]";

    /// <summary>
    /// The broadcast shape of two shapes, or an <see cref="ArgumentException"/> with libtorch's
    /// message ("The size of tensor a (4) must match the size of tensor b (5) at non-singleton dimension 1").
    /// </summary>
    internal static long[] BroadcastShape(long[] a, long[] b, string argument = "target")
    {
        int n = Math.Max(a.Length, b.Length);
        var result = new long[n];
        for (int k = n - 1; k >= 0; k--)   // libtorch reports the last mismatching dimension first
        {
            int ia = a.Length - n + k, ib = b.Length - n + k;
            long sa = ia >= 0 ? a[ia] : 1, sb = ib >= 0 ? b[ib] : 1;
            if (sa != sb && sa != 1 && sb != 1)
                throw new ArgumentException(
                    $"The size of tensor a ({sa}) must match the size of tensor b ({sb}) at non-singleton dimension {k}",
                    argument);
            result[k] = sa == 1 ? sb : sa;
        }
        return result;
    }

    /// <summary>True when both shapes are the same.</summary>
    internal static bool SameShape(long[] a, long[] b) => a.AsSpan().SequenceEqual(b);

    /// <summary>
    /// The check L1, MSE, SmoothL1 and Huber make before broadcasting: PyTorch's warning when the
    /// sizes differ, then the broadcast-compatibility error when they cannot be broadcast.
    /// </summary>
    internal static void PointwisePair(Tensor input, Tensor target, string loss)
    {
        var inputShape = input.shape;
        var targetShape = target.shape;
        if (SameShape(inputShape, targetShape)) return;
        LossWarnings.Raise(loss,
            $"Using a target size ({TorchSize(targetShape)}) that is different to the input size ({TorchSize(inputShape)}). " +
            "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.");
        BroadcastShape(inputShape, targetShape);
    }

    /// <summary>
    /// Rejects element types a native CPU kernel does not implement, with libtorch's message
    /// (<c>"smooth_l1_cpu" not implemented for 'Long'</c>). <paramref name="type"/> is the promoted type.
    /// </summary>
    internal static void KernelSupports(string kernel, torch.ScalarType type, params torch.ScalarType[] supported)
    {
        if (Array.IndexOf(supported, type) < 0)
            throw new NotSupportedException($"\"{kernel}\" not implemented for '{TorchTypeName(type)}'");
    }

    /// <summary>The floating types including bfloat16.</summary>
    internal static readonly torch.ScalarType[] AllFloating =
        { torch.ScalarType.Float16, torch.ScalarType.BFloat16, torch.ScalarType.Float32, torch.ScalarType.Float64 };

    /// <summary>float32 and float64 only.</summary>
    internal static readonly torch.ScalarType[] FloatDouble = { torch.ScalarType.Float32, torch.ScalarType.Float64 };

    /// <summary>libtorch's name for a scalar type, as it appears in its messages ('Long', 'Float', ...).</summary>
    internal static string TorchTypeName(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Byte => "Byte",
        torch.ScalarType.Int8 => "Char",
        torch.ScalarType.Int16 => "Short",
        torch.ScalarType.Int32 => "Int",
        torch.ScalarType.Int64 => "Long",
        torch.ScalarType.Float16 => "Half",
        torch.ScalarType.Float32 => "Float",
        torch.ScalarType.Float64 => "Double",
        torch.ScalarType.Bool => "Bool",
        torch.ScalarType.BFloat16 => "BFloat16",
        torch.ScalarType.ComplexFloat32 => "ComplexFloat",
        torch.ScalarType.ComplexFloat64 => "ComplexDouble",
        _ => type.ToString(),
    };

    /// <summary>
    /// PyTorch's autograd refusal, raised only while grad mode is on, of a gradient for an argument its
    /// derivative formula does not cover (the BCE weights, the soft margin target, the multi-margin weight).
    /// </summary>
    internal static void NotDifferentiable(string function, Tensor? argument, string name)
    {
        if (argument is not null && argument.requires_grad && torch.is_grad_enabled())
            throw new ArgumentException(
                $"The function '{function}' is not differentiable with respect to argument '{name}'. This input cannot have requires_grad True.",
                name);
    }

    /// <summary>
    /// Formats a double the way libtorch's C++ messages print it (std::ostream's default: 6 significant digits, then
    /// an exponent: -1.5, -1e-07, -1.23457e+08, inf, -inf, nan).
    /// </summary>
    internal static string CppDouble(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        return value.ToString("G6", CultureInfo.InvariantCulture).Replace('E', 'e');
    }

    /// <summary>Formats a double the way Python prints it in an error message (1.5, -0.1, 2.0).</summary>
    internal static string PythonFloat(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') ? text : text + ".0";
    }
}
