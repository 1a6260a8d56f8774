using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Losses;

/// <summary>
/// <see cref="AssertSame"/> for empty inputs and results of two or more dimensions, which TorchSharp's <c>data&lt;T&gt;()</c>
/// cannot read (it throws for an empty tensor of 2+ dimensions): the shapes of both results are compared first, then
/// <see cref="AssertSame"/> runs on flat leaves that take their shapes back inside both losses, with flattened results.
/// Values and gradients are compared element by element as before; only the layout they are read in changes.
/// </summary>
internal static class FlatParity
{
    internal static void AssertSameFlattened(Func<Tensor[], Tensor> composed, Func<Tensor[], Tensor> native, params Tensor[] inputs)
    {
        var shapes = inputs.Select(t => t.shape).ToArray();
        using (var scope = NewDisposeScope())
        using (no_grad())
            CollectionAssert.AreEqual(native(inputs).shape, composed(inputs).shape, "shape of the result");
        Tensor[] Shaped(Tensor[] flat) => flat.Select((t, k) => t.reshape(shapes[k])).ToArray();
        var leaves = inputs.Select(t =>
        {
            var flat = t.detach().flatten().clone();
            if (t.requires_grad) flat.requires_grad = true;
            return flat;
        }).ToArray();
        AssertSame(a => composed(Shaped(a)).flatten(), a => native(Shaped(a)).flatten(), leaves);
    }
}
