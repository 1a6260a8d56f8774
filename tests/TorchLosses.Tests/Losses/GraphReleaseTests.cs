using System.Runtime.InteropServices;
using TorchLosses;
using TorchLossesTests.Support;
using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Losses;

/// <summary>
/// The analytic backward of the pointwise losses turns the tensor its forward saved into the gradient in place, but only
/// when libtorch's engine releases the graph after the pass (<c>TorchLosses.GraphTask</c>). These tests hold the probe to
/// the engine's <c>retain_graph</c> and the losses to libtorch's behaviour across repeated backward passes.
/// </summary>
[TestClass]
public sealed class GraphReleaseTests
{
    /// <summary>The identity, recording in its backward what the probe said about the running pass.</summary>
    private sealed class Probe : torch.autograd.SingleTensorFunction<Probe>
    {
        [ThreadStatic] internal static bool? Released;

        public override string Name => nameof(Probe);

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object?[] vars) => ((Tensor)vars[0]!).mul(Scalars.One);

        public override List<Tensor?> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
        {
            Released = GraphTask.ReleasedAfterThisPass;
            return new() { grad_output };
        }
    }

    private static bool ReleasedDuring(Action<Tensor, Tensor> pass)
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0 }).requires_grad_();
        var y = Probe.apply(x).sum();
        Probe.Released = null;
        pass(x, y);
        Assert.IsNotNull(Probe.Released, "the probe's backward did not run");
        return Probe.Released.Value;
    }

    [TestMethod]
    public void TheProbeReadsTheEnginesRetainGraph()
    {
        Assert.IsFalse(GraphTask.ReleasedAfterThisPass, "outside a backward pass nothing is released");
        Assert.IsTrue(ReleasedDuring((_, y) => y.backward()));
        Assert.IsFalse(ReleasedDuring((_, y) => y.backward(retain_graph: true)));
        Assert.IsTrue(ReleasedDuring((x, y) => autograd.grad(new[] { y }, new[] { x })));
        Assert.IsFalse(ReleasedDuring((x, y) => autograd.grad(new[] { y }, new[] { x }, retain_graph: true)));
        Assert.IsFalse(ReleasedDuring((_, y) => autograd.backward(new[] { y }, retain_graph: true)));
    }

    public static IEnumerable<object[]> Losses => PairwiseLosses.Names.Append(new object[] { "huber_huge_delta" });

    /// <summary>
    /// With retain_graph the saved tensor stays as the forward left it: a second pass gives the first pass's gradients again
    /// (accumulated: twice them), to the bit, for input and target, every reduction, float32 and float64.
    /// </summary>
    [TestMethod]
    [DynamicData(nameof(Losses))]
    public void RetainedGraphsGiveTheSameGradientsAgain(string name)
    {
        // 7 elements, and 587 copies of them (4109: L1 is its autograd composition below 4096 elements, the custom function above).
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
            foreach (long copies in new[] { 1, 587 })
            {
                using var scope = NewDisposeScope();
                var x = tensor(new[] { 0.5, -2.0, 3.0, 0.1, 0.0, -0.3, 7.0 }).repeat(copies).to(dtype).requires_grad_();
                var y = tensor(new[] { 1.0, 0.5, -1.0, 0.2, 0.0, 0.4, -7.0 }).repeat(copies).to(dtype).requires_grad_();
                var value = PairwiseLosses.Ours(name, x, y, reduction);
                var upstream = torch.full_like(value, 0.37);
                value.backward(new[] { upstream }, retain_graph: true);
                var (first, firstTarget) = (x.grad!.clone(), y.grad!.clone());
                value.backward(new[] { upstream });
                Assert.IsTrue(x.grad!.eq(first.add(first, Scalars.One)).all().item<bool>(), $"{name} {dtype} {reduction}: input gradient of the second pass");
                Assert.IsTrue(y.grad!.eq(firstTarget.add(firstTarget, Scalars.One)).all().item<bool>(), $"{name} {dtype} {reduction}: target gradient of the second pass");
            }
    }

    /// <summary>
    /// Without retain_graph a second pass through the same graph fails loudly, as libtorch's own loss fails ("Trying to
    /// backward through the graph a second time"): here libtorch's version check refuses the saved tensor, overwritten in place
    /// (3 elements) or marked as used up where an upstream of 1 left it as it was (2¹⁷ + 3 elements, a mean whose 1/N the forward
    /// applied, so that the multiplication by the upstream is skipped).
    /// </summary>
    [TestMethod]
    [DynamicData(nameof(LossesAndSizes))]
    public void ASecondPassThroughAReleasedGraphFailsAsInLibtorch(string name, int count)
    {
        using var scope = NewDisposeScope();
        var x = torch.linspace(-3, 3, count, dtype: ScalarType.Float32).requires_grad_();
        var y = torch.linspace(1, -1, count, dtype: ScalarType.Float32);
        var native = N.mse_loss(x, y);
        native.backward();
        Assert.ThrowsExactly<ExternalException>(() => native.backward(), "libtorch's own loss");
        var ours = PairwiseLosses.Ours(name, x, y, torch.nn.Reduction.Mean);
        ours.backward();
        var error = Assert.ThrowsExactly<ExternalException>(() => ours.backward(), name);
        // L1 on few elements is recorded as libtorch's own composition, which fails with libtorch's own message; the custom
        // function fails at the engine's check of the gradient it returns.
        bool composed = name == "l1" && count < TorchLosses.PairwiseGradientFunction.ComposedBelowElements;
        StringAssert.Contains(error.Message, composed ? "Trying to backward through the graph a second time" : "invalid gradient", $"{name}: {error.Message}");
    }

    public static IEnumerable<object[]> LossesAndSizes =>
        Losses.SelectMany(loss => new[] { 3, (1 << 17) + 3 }.Select(count => new[] { loss[0], (object)count }));
}
