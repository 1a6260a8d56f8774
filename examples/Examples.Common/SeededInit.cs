namespace Examples.Common;

/// <summary>
/// Gives a model its initial weights from a <see cref="Random"/> seeded by the example, instead of
/// libtorch's global generator. The distribution is PyTorch's default for <c>nn.Linear</c>:
/// U(−1/√fan_in, 1/√fan_in) for a weight of shape (out, in) and for the bias that follows it; the same for <c>nn.Conv2d</c>,
/// whose weight (out, in, kh, kw) has fan_in = in·kh·kw.
/// </summary>
/// <remarks>
/// Why not <c>torch.manual_seed(seed)</c> before creating the model? That generator is global to the
/// process: the smoke tests run in parallel, so another test drawing from it in between would change
/// this model's weights. A private <see cref="Random"/> keeps every run deterministic, in any order.
/// </remarks>
public static class SeededInit
{
    /// <summary>Overwrites every parameter of <paramref name="model"/> (in registration order) under no_grad.</summary>
    public static void Reset(torch.nn.Module model, Random random)
    {
        using var noGrad = torch.no_grad();
        var fanIn = 1L;
        foreach (var (_, parameter) in model.named_parameters())
        {
            var shape = parameter.shape;
            if (shape.Length >= 2) fanIn = Math.Max(1, shape[1..].Aggregate(1L, (a, b) => a * b));
            var bound = 1 / Math.Sqrt(fanIn);
            var values = new float[parameter.numel()];
            for (var i = 0; i < values.Length; i++) values[i] = (float)((2 * random.NextDouble() - 1) * bound);
            using var source = torch.tensor(values).reshape(shape);
            parameter.copy_(source);
        }
    }
}
