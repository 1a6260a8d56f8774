using System.Globalization;
using System.Runtime.CompilerServices;

namespace TorchLosses;

/// <summary>
/// Argument checks shared by the losses. Each throws a .NET exception whose message is PyTorch's
/// text for the same mistake (libtorch 2.10's, or PyTorch's Python one where PyTorch checks in Python),
/// so a user can search for it, and names the argument.
/// </summary>
internal static class Check
{
    /// <summary>
    /// A tensor argument a loss must have: null gives an <see cref="ArgumentNullException"/>, a disposed tensor an
    /// <see cref="ObjectDisposedException"/>, each naming the argument (<paramref name="name"/> is the caller's argument
    /// expression, so <c>Check.Defined(input)</c> names "input"). Every public loss calls it first, before reading a shape.
    /// </summary>
    internal static Tensor Defined(Tensor? tensor, [CallerArgumentExpression(nameof(tensor))] string name = "")
    {
        if (tensor is null) throw new ArgumentNullException(name, $"The tensor '{name}' is null; the loss needs a tensor there.");
        return Live(tensor, name);
    }

    /// <summary>An optional tensor argument (a class weight, pos_weight): null is allowed and means "none"; a disposed tensor
    /// gives an <see cref="ObjectDisposedException"/> naming the argument.</summary>
    internal static Tensor? Optional(Tensor? tensor, [CallerArgumentExpression(nameof(tensor))] string name = "") =>
        tensor is null ? null : Live(tensor, name);

    private static Tensor Live(Tensor tensor, string name) =>
        tensor.IsInvalid
            ? throw new ObjectDisposedException(name, $"The tensor '{name}' has been disposed: its native memory is released and it cannot be read.")
            : tensor;

    /// <summary><see cref="Defined(Tensor?, string)"/> for each of two required tensor arguments, in order.</summary>
    internal static void Defined(Tensor? first, Tensor? second,
        [CallerArgumentExpression(nameof(first))] string firstName = "", [CallerArgumentExpression(nameof(second))] string secondName = "")
    {
        Defined(first, firstName);
        Defined(second, secondName);
    }

    /// <summary><see cref="Defined(Tensor?, string)"/> for each of three required tensor arguments, in order.</summary>
    internal static void Defined(Tensor? first, Tensor? second, Tensor? third,
        [CallerArgumentExpression(nameof(first))] string firstName = "", [CallerArgumentExpression(nameof(second))] string secondName = "",
        [CallerArgumentExpression(nameof(third))] string thirdName = "")
    {
        Defined(first, firstName);
        Defined(second, secondName);
        Defined(third, thirdName);
    }

    /// <summary>Whether a finite double converts to <paramref name="type"/> without overflow (c10's checked conversion of a Scalar:
    /// |value| at most the type's largest finite value, rounding included).</summary>
    internal static bool FitsIn(double value, torch.ScalarType type) => type switch
    {
        torch.ScalarType.Float32 => !float.IsInfinity((float)value),
        torch.ScalarType.BFloat16 => !float.IsInfinity((float)value) && Math.Abs(value) <= 3.3895313892515355e38,
        torch.ScalarType.Float16 => !Half.IsInfinity((Half)value),
        _ => true,
    };

    /// <summary>PyTorch's way of printing a shape: <c>torch.Size([3, 4])</c>.</summary>
    internal static string TorchSize(long[] shape) => $"torch.Size([{string.Join(", ", shape)}])";

    /// <summary><paramref name="tensor"/>'s shape as PyTorch prints it: <c>torch.Size([3, 4])</c>.</summary>
    internal static string TorchSize(Tensor tensor) => TorchSize(Tensors.Shape(tensor));

    /// <summary>A shape as libtorch prints it in its own messages: <c>[3, 4]</c>.</summary>
    internal static string Brackets(long[] shape) => $"[{string.Join(", ", shape)}]";

    /// <summary><paramref name="tensor"/>'s shape as libtorch prints it in its own messages: <c>[3, 4]</c>.</summary>
    internal static string Brackets(Tensor tensor) => Brackets(Tensors.Shape(tensor));

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
    /// True when both tensors have the same shape, read rank by rank and size by size (no array: this runs on every call of
    /// the pointwise losses, and stops at the first difference).
    /// </summary>
    internal static bool SameShape(Tensor a, Tensor b)
    {
        long rank = a.dim();
        if (b.dim() != rank) return false;
        for (int k = 0; k < rank; k++)
            if (a.size(k) != b.size(k)) return false;
        return true;
    }

    /// <summary>
    /// The check L1, MSE, SmoothL1 and Huber make before broadcasting: PyTorch's warning when the
    /// sizes differ, then the broadcast-compatibility error when they cannot be broadcast.
    /// </summary>
    /// <returns>Whether input and target have the same shape.</returns>
    internal static bool PointwisePair(Tensor input, Tensor target, string loss)
    {
        if (SameShape(input, target)) return true;
        var inputShape = Tensors.Shape(input);
        var targetShape = Tensors.Shape(target);
        LossWarnings.Raise(loss,
            $"Using a target size ({TorchSize(targetShape)}) that is different to the input size ({TorchSize(inputShape)}). " +
            "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.");
        BroadcastShape(inputShape, targetShape);
        return false;
    }

    /// <summary>
    /// Rejects element types a native CPU kernel does not implement, with libtorch's message
    /// (<c>"smooth_l1_cpu" not implemented for 'Long'</c>), as an <see cref="ArgumentException"/> naming
    /// <paramref name="argument"/>, the argument whose type it is. <paramref name="type"/> is the (promoted) type.
    /// </summary>
    internal static void KernelSupports(string kernel, torch.ScalarType type, string argument, params torch.ScalarType[] supported)
    {
        if (Array.IndexOf(supported, type) < 0)
            throw new ArgumentException($"\"{kernel}\" not implemented for '{TorchTypeName(type)}'", argument);
    }

    /// <summary>
    /// libtorch's refusal to subtract bool tensors (<c>a − b</c>, the first step of the pointwise and distance losses), with its
    /// message, naming the bool operand.
    /// </summary>
    internal static void SubtractsNoBool(Tensor a, Tensor b, string aName, string bName)
    {
        bool first = a.dtype == torch.ScalarType.Bool, second = b.dtype == torch.ScalarType.Bool;
        if (first && second)
            throw new ArgumentException(
                "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.", aName);
        if (first || second) SubtractsNoBool(first ? a : b, first ? aName : bName);
    }

    /// <summary>The same refusal for one bool operand of a subtraction whose other operand is floating.</summary>
    internal static void SubtractsNoBool(Tensor operand, string name)
    {
        if (operand.dtype == torch.ScalarType.Bool)
            throw new ArgumentException(
                "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or " +
                "`logical_not()` operator instead.", name);
    }

    /// <summary>libtorch's refusal to negate a bool tensor, with its message, naming the argument.</summary>
    internal static void NegatesNoBool(Tensor tensor, string name)
    {
        if (tensor.dtype == torch.ScalarType.Bool)
            throw new ArgumentException(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or " +
                "`logical_not()` operator instead.", name);
    }

    /// <summary>
    /// A double parameter that libtorch converts to the tensor's type (c10's checked conversion of a Scalar): beyond that type's
    /// range libtorch raises "value cannot be converted to type float without overflow", and so does this, naming the parameter.
    /// </summary>
    internal static void ConvertsTo(double value, torch.ScalarType type, string name)
    {
        if (double.IsFinite(value) && !FitsIn(value, type))
            throw new ArgumentOutOfRangeException(name, value, $"value cannot be converted to type {CTypeName(type)} without overflow");
    }

    /// <summary>The C++ name c10 gives a type in its conversion and cast messages (float, double, c10::Half, long int, bool).</summary>
    internal static string CTypeName(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Float32 => "float",
        torch.ScalarType.Float64 => "double",
        torch.ScalarType.Float16 => "c10::Half",
        torch.ScalarType.BFloat16 => "c10::BFloat16",
        torch.ScalarType.Int64 => "long int",
        torch.ScalarType.Int32 => "int",
        torch.ScalarType.Int16 => "short int",
        torch.ScalarType.Int8 => "signed char",
        torch.ScalarType.Byte => "unsigned char",
        torch.ScalarType.Bool => "bool",
        _ => TorchTypeName(type),
    };

    /// <summary>Rejects an integral, bool or complex operand of a loss that has no libtorch kernel to quote (the families beyond
    /// torch.nn): an <see cref="ArgumentException"/> naming the argument, "{loss}: {name} must be a floating point tensor, got 'Long'".</summary>
    internal static void Floating(Tensor tensor, string name, string loss)
    {
        if (Array.IndexOf(AllFloating, tensor.dtype) < 0)
            throw new ArgumentException($"{loss}: {name} must be a floating point tensor, got '{TorchTypeName(tensor.dtype)}'", name);
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
