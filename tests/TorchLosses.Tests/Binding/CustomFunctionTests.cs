using System.Runtime.InteropServices;

namespace TorchLossesTests.Binding;

/// <summary>torch.autograd.Function&lt;T&gt;: .NET forward and backward inside libtorch's graph.</summary>
[TestClass]
public sealed class CustomFunctionTests
{
    /// <summary>y = x·wᵀ with a hand-written backward.</summary>
    private sealed class LinearFunction : torch.autograd.SingleTensorFunction<LinearFunction>
    {
        public override string Name => nameof(LinearFunction);

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object?[] vars)
        {
            var input = (Tensor)vars[0]!;
            var weight = (Tensor)vars[1]!;
            ctx.save_for_backward(new() { input, weight });
            return input.mm(weight.t());
        }

        public override List<Tensor?> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
        {
            var saved = ctx.get_saved_variables();
            return new() { grad_output.mm(saved[1]!), grad_output.t().mm(saved[0]!) };
        }
    }

    /// <summary>y = c·x with c a non-tensor argument kept by save_data; the output itself is saved.</summary>
    private sealed class ScaleFunction : torch.autograd.SingleTensorFunction<ScaleFunction>
    {
        public override string Name => nameof(ScaleFunction);

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object?[] vars)
        {
            var constant = (double)vars[1]!;
            ctx.save_data("constant", constant);
            var output = (Tensor)vars[0]! * constant;
            ctx.save_for_backward(new() { output });
            return output;
        }

        public override List<Tensor?> backward(torch.autograd.AutogradContext ctx, Tensor grad_output) =>
            new() { grad_output * (double)ctx.get_data("constant")!, null };
    }

    /// <summary>Two outputs: (x + y, x·y).</summary>
    private sealed class SumProduct : torch.autograd.MultiTensorFunction<SumProduct>
    {
        public override string Name => nameof(SumProduct);

        public override List<Tensor> forward(torch.autograd.AutogradContext ctx, params object?[] vars)
        {
            var x = (Tensor)vars[0]!;
            var y = (Tensor)vars[1]!;
            ctx.save_for_backward(new() { x, y });
            return new() { x + y, x * y };
        }

        public override List<Tensor?> backward(torch.autograd.AutogradContext ctx, List<Tensor> grad_outputs)
        {
            var saved = ctx.get_saved_variables();
            return new() { grad_outputs[0] + grad_outputs[1] * saved[1]!, grad_outputs[0] + grad_outputs[1] * saved[0]! };
        }
    }

    private sealed class FailingBackward : torch.autograd.SingleTensorFunction<FailingBackward>
    {
        public override string Name => nameof(FailingBackward);

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object?[] vars) => ((Tensor)vars[0]!).clone();

        public override List<Tensor?> backward(torch.autograd.AutogradContext ctx, Tensor grad_output) =>
            throw new InvalidOperationException("backward deliberately failed");
    }

    private sealed class FailingForward : torch.autograd.SingleTensorFunction<FailingForward>
    {
        public override string Name => nameof(FailingForward);

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object?[] vars) =>
            throw new ArgumentException("forward deliberately failed");

        public override List<Tensor?> backward(torch.autograd.AutogradContext ctx, Tensor grad_output) => new();
    }

    [TestMethod]
    public void HandWrittenBackwardMatchesAutogradThroughTheOps()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2, 3, 4, 5, 6 }, new long[] { 2, 3 }).requires_grad_();
        var w = tensor(new[] { 0.5, -1, 2, 1, 0, -0.25, 3, 1, 1, -2, 0.5, 0 }, new long[] { 4, 3 }).requires_grad_();
        var y = LinearFunction.apply(x, w);
        Assert.IsTrue(y.requires_grad);
        (y * y).sum().backward();
        var (gx, gw) = (x.grad!.clone(), w.grad!.clone());

        var x2 = x.detach().clone().requires_grad_();
        var w2 = w.detach().clone().requires_grad_();
        var y2 = x2.mm(w2.t());
        (y2 * y2).sum().backward();
        Assert.IsTrue(y.detach().allclose(y2.detach(), 0, 0));
        Assert.IsTrue(gx.allclose(x2.grad!, 0, 0));
        Assert.IsTrue(gw.allclose(w2.grad!, 0, 0));
    }

    [TestMethod]
    public void NonTensorArgumentsGetNoGradientAndSavedOutputsWork()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, -2, 3 }).requires_grad_();
        ScaleFunction.apply(x, 2.5).sum().backward();
        CollectionAssert.AreEqual(new[] { 2.5, 2.5, 2.5 }, x.grad!.data<double>().ToArray());
    }

    [TestMethod]
    public void SeveralOutputs()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2 }).requires_grad_();
        var y = tensor(new[] { 3.0, 5 }).requires_grad_();
        var outputs = SumProduct.apply(x, y);
        (outputs[0].sum() + outputs[1].sum()).backward();
        CollectionAssert.AreEqual(new[] { 4.0, 6 }, x.grad!.data<double>().ToArray());
        CollectionAssert.AreEqual(new[] { 2.0, 3 }, y.grad!.data<double>().ToArray());
    }

    [TestMethod]
    public void ExceptionInBackwardSurfacesFromBackward()
    {
        using var scope = NewDisposeScope();
        var x = ones(3).requires_grad_();
        var y = FailingBackward.apply(x).sum();
        var e = Assert.ThrowsExactly<ExternalException>(() => y.backward());
        StringAssert.Contains(e.Message, "backward deliberately failed");
        // The process and the binding are fine afterwards.
        ScaleFunction.apply(x, 2.0).sum().backward();
        Assert.AreEqual(6.0f, x.grad!.sum().item<float>());
    }

    [TestMethod]
    public void ExceptionInForwardSurfacesFromApply()
    {
        using var scope = NewDisposeScope();
        var e = Assert.ThrowsExactly<ExternalException>(() => FailingForward.apply(ones(2).requires_grad_()));
        StringAssert.Contains(e.Message, "forward deliberately failed");
    }

    [TestMethod]
    public void WithoutGradientsNothingIsRecorded()
    {
        using var scope = NewDisposeScope();
        Assert.IsFalse(ScaleFunction.apply(ones(2), 3.0).requires_grad);
        using (no_grad())
            Assert.IsFalse(ScaleFunction.apply(ones(2).requires_grad_(), 3.0).requires_grad);
    }

    [TestMethod]
    [DoNotParallelize]
    public void CallsAreReleasedWhenTheirGraphIsGone()
    {
        for (int i = 0; i < 2000; i++)
        {
            using var scope = NewDisposeScope();
            var x = ones(4).requires_grad_();
            ScaleFunction.apply(x, 2.0).sum().backward();
        }
        // Every graph above is gone with its scope; what is still registered belongs to tensors not yet released.
        Assert.IsTrue(torch.CustomFunctions.LiveCalls < 10, $"{torch.CustomFunctions.LiveCalls} custom-function calls are still registered");
    }

    /// <summary>y = 2x that records, in backward, whether the saved tensors are released afterwards.</summary>
    private sealed class ReleaseProbe : torch.autograd.SingleTensorFunction<ReleaseProbe>
    {
        [ThreadStatic] internal static bool? Seen;

        public override string Name => nameof(ReleaseProbe);

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object?[] vars)
        {
            ctx.save_for_backward(new() { ((Tensor)vars[0]!).mul(2) });
            return (Tensor)vars[0]! * 2;
        }

        public override List<Tensor?> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
        {
            Seen = ctx.SavedTensorsReleasedAfterBackward;
            return new() { grad_output * 2 };
        }
    }

    [TestMethod]
    public void BackwardKnowsWhetherTheSavedTensorsOutliveIt()
    {
        using var scope = NewDisposeScope();
        bool? Probe(Action<Tensor, Tensor> differentiate)
        {
            ReleaseProbe.Seen = null;
            var x = ones(3).requires_grad_();
            differentiate(ReleaseProbe.apply(x).sum(), x);
            return ReleaseProbe.Seen;
        }
        Assert.AreEqual(true, Probe((y, _) => y.backward()));
        Assert.AreEqual(true, Probe((y, x) => autograd.grad(new[] { y }, new[] { x })));
        Assert.AreEqual(false, Probe((y, _) => y.backward(retain_graph: true)));
        Assert.AreEqual(false, Probe((y, x) => autograd.grad(new[] { y }, new[] { x }, retain_graph: true)));
        Assert.AreEqual(false, Probe((y, x) => autograd.grad(new[] { y }, new[] { x }, create_graph: true)));
    }

    [TestMethod]
    public void WorksFromSeveralThreadsAtOnce()
    {
        Parallel.For(0, 8, _ =>
        {
            for (int i = 0; i < 100; i++)
            {
                using var scope = NewDisposeScope();
                var x = tensor(new[] { 1.0, 2, 3 }).requires_grad_();
                var w = tensor(new[] { 1.0, 1, 1 }, new long[] { 1, 3 }).requires_grad_();
                LinearFunction.apply(x.unsqueeze(0), w).sum().backward();
                if (!x.grad!.allclose(ones(3, ScalarType.Float64), 0, 0)) throw new InvalidOperationException("wrong gradient");
            }
        });
    }
}
