namespace TorchLosses.Benchmarks;

/// <summary>
/// Before anything is measured: the native side of every selected loss (TorchSharp's functional) must give exactly what
/// libtorch's ATen op gives when called with PyTorch's parameters through TorchScript (<see cref="LossSpec.Aten"/>), value
/// and input gradient, bit for bit, in each selected dtype. Both reach the same kernel, so anything but equality means
/// TorchSharp passed a parameter differently, and the ratios would compare against something other than PyTorch's loss.
/// </summary>
public static class NativeCheck
{
    /// <summary>Elements of the checked operands (cross entropy: one row of 1000 classes).</summary>
    private const long Size = 1000;

    /// <summary>Checks each (loss, dtype) of the selection; returns the checked pairs, or throws on the first difference.</summary>
    public static List<string> Run(Selection selection)
    {
        var checkedPairs = new List<string>();
        foreach (var loss in selection.Losses)
        foreach (var dtype in selection.DTypes)
        {
            var spec = LossTable.Get(loss);
            using var scope = torch.NewDisposeScope();
            var (input, target) = spec.MakeOperands(Size, Selection.ToScalarType(dtype), requiresGrad: true);
            var (value, gradient) = ValueAndGradient(spec.Native, input, target);
            var (expectedValue, expectedGradient) = ValueAndGradient(spec.Aten, input, target);
            if (!Identical(value, expectedValue) || !Identical(gradient, expectedGradient))
                throw new InvalidOperationException(
                    $"native check: TorchSharp's functional for {loss} ({dtype}) differs from ATen's op called with PyTorch's parameters " +
                    $"(value {value.ToDouble()} vs {expectedValue.ToDouble()}, largest gradient difference " +
                    $"{(gradient - expectedGradient).abs().max().ToDouble()}); the native side of this loss cannot be benchmarked as it is.");
            checkedPairs.Add($"{loss} {dtype}");
        }
        Console.WriteLine($"native check: TorchSharp's functional = ATen's op (value and input gradient, bit for bit) for {string.Join(", ", checkedPairs)}");
        return checkedPairs;
    }

    /// <summary>Same shape, dtype and every element equal.</summary>
    private static bool Identical(Tensor actual, Tensor expected) =>
        actual.dtype == expected.dtype && actual.shape.SequenceEqual(expected.shape) && actual.eq(expected).all().item<bool>();

    private static (Tensor value, Tensor gradient) ValueAndGradient(Func<Tensor, Tensor, Tensor> loss, Tensor input, Tensor target)
    {
        var value = loss(input, target);
        return (value, torch.autograd.grad(new[] { value }, new[] { input })[0]);
    }
}
