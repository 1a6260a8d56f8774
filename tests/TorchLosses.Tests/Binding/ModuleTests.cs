using System.Runtime.InteropServices;
using TorchSharp.Modules;
using TorchSharp.Utils;

namespace TorchLossesTests.Binding;

[TestClass]
public sealed class ModuleTests
{
    // ---- modules used by the tests ------------------------------------------------------------

    private abstract class Base : torch.nn.Module<Tensor, Tensor>
    {
        private readonly Parameter baseScale = new(ones(1));
        protected Base(string name) : base(name) { }
        protected Parameter BaseScale => baseScale;
    }

    private sealed class TwoLayer : Base
    {
        private readonly Linear lin1;
        private readonly Linear lin2;
        private readonly Tensor mask;
        private readonly Tensor steps;
        [ComponentName(Name = "gamma")] private readonly Parameter renamed = new(full(1, 2.0f));
        private readonly Tensor? notYetSet = null;

        public TwoLayer() : base(nameof(TwoLayer))
        {
            lin1 = nn.Linear(3, 4);
            lin2 = nn.Linear(4, 2);
            mask = ones(4);
            steps = zeros(1, ScalarType.Int64);
            offset = new Parameter(zeros(2));
            RegisterComponents();
        }

        public Parameter offset { get; }
        public Tensor Mask => mask;
        public Tensor Steps => steps;
        public Parameter Renamed => renamed;
        public Linear Lin1 => lin1;
        public bool HasUnsetField => notYetSet is null;

        public override Tensor forward(Tensor input) =>
            lin2.call(lin1.call(input) * mask) * renamed * BaseScale + offset;
    }

    private sealed class MeanAbsoluteError : Loss<Tensor, Tensor, Tensor>
    {
        public MeanAbsoluteError(torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction) { }

        public override Tensor forward(Tensor input, Tensor target)
        {
            var loss = (input - target).abs();
            return reduction switch
            {
                torch.nn.Reduction.Mean => loss.mean(),
                torch.nn.Reduction.Sum => loss.sum(),
                _ => loss,
            };
        }
    }

    private sealed class WeightedSquares : WeightedLoss<Tensor, Tensor, Tensor>
    {
        public WeightedSquares(Tensor? weight = null) : base(weight, torch.nn.Reduction.Sum) { }

        public override Tensor forward(Tensor input, Tensor target)
        {
            var d = input - target;
            var loss = d * d;
            return (weight is null ? loss : loss * weight).sum();
        }
    }

    private sealed class ScaleBy : torch.nn.Module<Tensor, Tensor>
    {
        private readonly Parameter factor;
        public ScaleBy(float value) : base(nameof(ScaleBy))
        {
            factor = new Parameter(tensor(new[] { value }));
            RegisterComponents();
        }
        public Parameter Factor => factor;
        public override Tensor forward(Tensor input) => input * factor;
    }

    private static Linear FixedLinear(float[,] w, float[] b) =>
        nn.Linear(new Parameter(tensor(w)), new Parameter(tensor(b)));

    // ---- registration and traversal -------------------------------------------------------------

    [TestMethod]
    public void RegisterComponentsFindsSubmodulesParametersAndBuffers()
    {
        using var model = new TwoLayer();
        var names = model.named_parameters().Select(p => p.name).ToHashSet();
        CollectionAssert.AreEquivalent(
            new[] { "gamma", "offset", "baseScale", "lin1.weight", "lin1.bias", "lin2.weight", "lin2.bias" }, names.ToArray());
        CollectionAssert.AreEquivalent(new[] { "mask", "steps" }, model.named_buffers().Select(b => b.name).ToArray());
        CollectionAssert.AreEquivalent(new[] { "lin1", "lin2" }, model.named_children().Select(c => c.name).ToArray());
        Assert.IsTrue(model.HasUnsetField, "a null field is skipped");
        Assert.AreSame(model.Renamed, model.get_parameter("gamma"));
        Assert.AreSame(model.Lin1.weight, model.get_parameter("lin1.weight"));
        Assert.AreSame(model.Mask, model.get_buffer("mask"));
        Assert.IsNull(model.get_parameter("lin3.weight"));
        Assert.AreEqual(7, model.parameters().Count());
        Assert.AreEqual(3, model.parameters(recurse: false).Count(), "gamma, offset, baseScale");
        Assert.AreEqual("TwoLayer", model.GetName());
        // The submodules come first, as in TorchSharp (the module itself is not listed).
        CollectionAssert.AreEqual(new[] { "lin1", "lin2" }, model.named_modules().Select(m => m.name).ToArray());
    }

    [TestMethod]
    public void StateDictHoldsParametersAndPersistentBuffersByDottedName()
    {
        using var model = new TwoLayer();
        model.register_buffer("scratch", zeros(1), persistent: false);
        var state = model.state_dict();
        CollectionAssert.AreEquivalent(
            new[] { "gamma", "offset", "baseScale", "mask", "steps", "lin1.weight", "lin1.bias", "lin2.weight", "lin2.bias" },
            state.Keys.ToArray());
        Assert.AreSame(model.Lin1.weight, state["lin1.weight"]);
        Assert.AreEqual(3, model.buffers().Count(), "non-persistent buffers are still buffers");
        Assert.AreEqual(2, model.buffers(include_nonpersistent: false).Count());
    }

    [TestMethod]
    public void LoadStateDictCopiesValuesAndChecksKeysAndShapes()
    {
        using var source = nn.Linear(3, 2);
        using var target = nn.Linear(3, 2);
        var (missing, unexpected) = target.load_state_dict(source.state_dict());
        Assert.IsEmpty(missing);
        Assert.IsEmpty(unexpected);
        CollectionAssert.AreEqual(source.weight.data<float>().ToArray(), target.weight.data<float>().ToArray());
        Assert.IsTrue(target.weight.requires_grad);

        using var scope = NewDisposeScope();
        var partial = new Dictionary<string, Tensor> { ["weight"] = zeros(2, 3), ["extra"] = zeros(1) };
        Assert.ThrowsExactly<InvalidOperationException>(() => target.load_state_dict(partial));
        var result = target.load_state_dict(partial, strict: false);
        CollectionAssert.AreEqual(new[] { "bias" }, result.missing_keys.ToArray());
        CollectionAssert.AreEqual(new[] { "extra" }, result.unexpected_keyes.ToArray());
        Assert.IsTrue(target.weight.data<float>().ToArray().All(v => v == 0));
        var wrongShape = new Dictionary<string, Tensor> { ["weight"] = zeros(3, 2), ["bias"] = zeros(2) };
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => target.load_state_dict(wrongShape));
        StringAssert.Contains(error.Message, "size mismatch for weight");
    }

    [TestMethod]
    public void RegistrationRejectsDuplicatesAndBadNames()
    {
        using var model = new TwoLayer();
        using var scope = NewDisposeScope();
        Assert.ThrowsExactly<InvalidOperationException>(() => model.register_buffer("mask", ones(1)));
        Assert.ThrowsExactly<InvalidOperationException>(() => model.register_parameter("gamma", new Parameter(ones(1))));
        Assert.ThrowsExactly<ArgumentException>(() => model.register_buffer("a.b", ones(1)));
        Assert.ThrowsExactly<ArgumentException>(() => model.register_module("", nn.ReLU()));
        Assert.ThrowsExactly<ArgumentNullException>(() => model.register_parameter("p", null!));
        Assert.ThrowsExactly<InvalidOperationException>(() => nn.ReLU().register_buffer("b", ones(1)));
    }

    [TestMethod]
    public void TrainAndEvalPropagateToSubmodules()
    {
        using var model = nn.Sequential(("block", new TwoLayer()), ("act", nn.ReLU()));
        Assert.IsTrue(model.training);
        model.eval();
        Assert.IsFalse(model.training);
        Assert.IsTrue(model.modules().All(m => !m.training));
        model.train();
        Assert.IsTrue(model.modules().All(m => m.training));
        model.train(false);
        Assert.IsTrue(model.modules().All(m => !m.training));
    }

    [TestMethod]
    public void ZeroGradSetsToNoneOrZeroes()
    {
        using var model = new TwoLayer();
        using var scope = NewDisposeScope();
        model.call(ones(5, 3)).sum().backward();
        Assert.IsTrue(model.parameters().All(p => p.grad is not null));
        model.zero_grad(set_to_none: false);
        foreach (var p in model.parameters())
            Assert.IsTrue(p.grad!.data<float>().ToArray().All(v => v == 0), "zeroed in place");
        model.zero_grad();
        Assert.IsTrue(model.parameters().All(p => p.grad is null));
    }

    // ---- dtype and device -----------------------------------------------------------------------

    [TestMethod]
    public void ToFloat64ConvertsParametersInPlaceAndBuffersButKeepsIntegralBuffers()
    {
        using var model = new TwoLayer();
        var weight = model.Lin1.weight;
        var before = weight.data<float>().ToArray();
        using (var scope = NewDisposeScope()) model.call(ones(2, 3)).sum().backward();
        using var sgd = optim.SGD(model.parameters(), 0.1);

        Assert.AreSame(model, model.to(ScalarType.Float64));

        Assert.AreSame(weight, model.Lin1.weight, "the Parameter object survives a dtype change");
        Assert.IsTrue(model.parameters().All(p => p.dtype == ScalarType.Float64));
        Assert.IsTrue(model.parameters().All(p => p.requires_grad && p.is_leaf));
        CollectionAssert.AreEqual(before.Select(v => (double)v).ToArray(), weight.data<double>().ToArray());
        Assert.AreEqual(ScalarType.Float64, weight.grad!.dtype, "the gradient follows");
        Assert.AreEqual(ScalarType.Float64, model.Mask.dtype);
        Assert.AreSame(model.Mask, model.get_buffer("mask"), "the field is updated with the converted buffer");
        Assert.AreEqual(ScalarType.Int64, model.Steps.dtype);

        using var scope2 = NewDisposeScope();
        var y = model.call(ones(2, 3, ScalarType.Float64));
        Assert.AreEqual(ScalarType.Float64, y.dtype);
        // The optimizer built before the conversion still updates the module's parameters.
        y.sum().backward();
        sgd.step();
        Assert.AreNotEqual(before[0], (float)weight.data<double>()[0, 0]);

        model.@float();
        Assert.IsTrue(model.parameters().All(p => p.dtype == ScalarType.Float32));
        model.@double().cpu();
        Assert.IsTrue(model.parameters().All(p => p.dtype == ScalarType.Float64 && p.device_type == DeviceType.CPU));
    }

    [TestMethod]
    public void MovingToMetaReplacesParametersUnderTheSameNames()
    {
        using var model = new TwoLayer();
        model.to(DeviceType.META);
        Assert.IsTrue(model.parameters().All(p => p.device_type == DeviceType.META && p.requires_grad));
        Assert.IsTrue(model.buffers().All(b => b.device_type == DeviceType.META));
        Assert.AreSame(model.Renamed, model.get_parameter("gamma"), "the field holds the replacement");
        Assert.AreSame(model.Lin1.weight, model.get_parameter("lin1.weight"));
        model.to(ScalarType.Float64);
        Assert.IsTrue(model.parameters().All(p => p.device_type == DeviceType.META && p.dtype == ScalarType.Float64));
        // Meta tensors have no data to copy back: libtorch refuses, as PyTorch does.
        Assert.ThrowsExactly<ExternalException>(() => model.to(DeviceType.CPU));
    }

    [TestMethod]
    public void ToAnIntegralTypeIsRejected()
    {
        using var model = nn.Linear(2, 2);
        var error = Assert.ThrowsExactly<ArgumentException>(() => model.to(ScalarType.Int32));
        StringAssert.Contains(error.Message, "nn.Module.to only accepts floating point or complex dtypes");
    }

    // ---- lifetime -------------------------------------------------------------------------------

    [TestMethod]
    public void ParametersAndBuffersSurviveTheScopeThatCreatedThem()
    {
        Linear lin;
        TwoLayer model;
        Tensor data;
        using (var scope = NewDisposeScope())
        {
            data = ones(2, 2);
            lin = nn.Linear(new Parameter(data));
            model = new TwoLayer();
        }
        Assert.IsTrue(data.IsInvalid, "the scope disposed the tensor the parameter was made from");
        Assert.IsFalse(lin.weight.IsInvalid);
        CollectionAssert.AreEqual(new[] { 1f, 1f, 1f, 1f }, lin.weight.data<float>().ToArray());
        Assert.IsFalse(model.Mask.IsInvalid);
        using (var scope = NewDisposeScope())
        {
            Assert.HasCount(2, model.call(ones(1, 3)).shape);
        }
        var weight = lin.weight;
        lin.Dispose();
        model.Dispose();
        Assert.IsTrue(weight.IsInvalid, "disposing the module disposes its parameters");
        Assert.IsTrue(model.Mask.IsInvalid);
        Assert.IsTrue(model.Lin1.weight.IsInvalid, "and its submodules'");
    }

    [TestMethod]
    public void ParameterIsALeafSharingTheDataStorage()
    {
        using var scope = NewDisposeScope();
        var x = ones(2, requires_grad: true);
        var nonLeaf = x * 3;
        var p = nn.Parameter(nonLeaf);
        Assert.IsTrue(p.is_leaf);
        Assert.IsTrue(p.requires_grad);
        Assert.IsFalse(new Parameter(ones(1), requires_grad: false).requires_grad);
        var data = zeros(2);
        var q = data.AsParameter();
        data.fill_(5);
        CollectionAssert.AreEqual(new[] { 5f, 5f }, q.data<float>().ToArray());
        Assert.IsFalse(scope.Contains(p), "a parameter belongs to no scope");
        p.Dispose();
        q.Dispose();
    }

    // ---- Linear, activations, Sequential -----------------------------------------------------

    [TestMethod]
    public void LinearForwardIsXTimesWTransposedPlusB()
    {
        using var lin = FixedLinear(new float[,] { { 1, 2, 3 }, { -1, 0, 2 } }, new[] { 0.5f, -1 });
        Assert.AreEqual(3, lin.in_features);
        Assert.AreEqual(2, lin.out_features);
        using var scope = NewDisposeScope();
        var x = tensor(new float[,] { { 1, 1, 1 }, { 2, 0, -1 } }, requires_grad: true);
        var y = lin.call(x);
        // row 1: (1+2+3)+0.5, (-1+0+2)-1 ; row 2: (2+0-3)+0.5, (-2+0-2)-1
        CollectionAssert.AreEqual(new[] { 6.5f, 0f, -0.5f, -5f }, y.data<float>().ToArray());
        CollectionAssert.AreEqual(new long[] { 2, 2 }, y.shape);
        y.sum().backward();
        CollectionAssert.AreEqual(new[] { 3f, 1f, 0f, 3f, 1f, 0f }, lin.weight.grad!.data<float>().ToArray(), "dW = Σ_rows x");
        CollectionAssert.AreEqual(new[] { 2f, 2f }, lin.bias!.grad!.data<float>().ToArray());
        CollectionAssert.AreEqual(new[] { 0f, 2f, 5f, 0f, 2f, 5f }, x.grad!.data<float>().ToArray(), "dx = Σ_out W");

        using var noBias = nn.Linear(new Parameter(tensor(new float[,] { { 2, 0 } })));
        Assert.IsNull(noBias.bias);
        Assert.AreEqual(1, noBias.parameters().Count());
        CollectionAssert.AreEqual(new[] { 6f }, noBias.call(tensor(new float[,] { { 3, 9 } })).data<float>().ToArray());
    }

    [TestMethod]
    [DoNotParallelize]
    public void LinearInitialisationMatchesPyTorchUnderManualSeed()
    {
        // torch.manual_seed(0); torch.nn.Linear(3, 2)   (PyTorch 1.13)
        manual_seed(0);
        using var lin = nn.Linear(3, 2);
        NNAssert.Close(new[] { -0.00432251766, 0.309715837, -0.475185335, -0.424894601, -0.222368971, 0.154820725 }, lin.weight, 1e-6, "weight");
        NNAssert.Close(new[] { -0.0114391446, 0.457774937 }, lin.bias!, 1e-6, "bias");
        // torch.manual_seed(0); torch.nn.Linear(3, 2, dtype=torch.float64)
        manual_seed(0);
        using var lin64 = nn.Linear(3, 2, dtype: ScalarType.Float64);
        NNAssert.Close(new[] { 0.54277045425281012, 0.23996970930833816, -0.046900537438113156, 0.48583757737745076, 0.16745942958373372, 0.33618862784858089 },
            lin64.weight, 1e-15, "float64 weight");
        NNAssert.Close(new[] { -0.37111362252745977, -0.17192610627289664 }, lin64.bias!, 1e-15, "float64 bias");
        // The same seed gives the same layer.
        manual_seed(0);
        using var again = nn.Linear(3, 2);
        CollectionAssert.AreEqual(lin.weight.data<float>().ToArray(), again.weight.data<float>().ToArray());
    }

    [TestMethod]
    public void LinearInitialisationStaysWithinOneOverRootFanIn()
    {
        using var lin = nn.Linear(25, 400);     // bound 1/√25 = 0.2
        var w = lin.weight.data<float>().ToArray();
        var b = lin.bias!.data<float>().ToArray();
        Assert.IsTrue(w.All(v => Math.Abs(v) <= 0.2f));
        Assert.IsTrue(b.All(v => Math.Abs(v) <= 0.2f));
        Assert.IsTrue(w.Max() > 0.18f && w.Min() < -0.18f, "the draws fill the range");
        Assert.IsTrue(lin.weight.requires_grad && lin.weight.is_leaf);
        Assert.AreEqual(ScalarType.Float32, lin.weight.dtype);
        using var noBias = nn.Linear(4, 3, hasBias: false);
        Assert.IsNull(noBias.bias);
        CollectionAssert.AreEqual(new[] { "weight" }, noBias.named_parameters().Select(p => p.name).ToArray());
    }

    [TestMethod]
    public void ReluAndTanhForward()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { -1f, 0f, 2f });
        CollectionAssert.AreEqual(new[] { 0f, 0f, 2f }, nn.ReLU().call(x).data<float>().ToArray());
        NNAssert.Close(new[] { Math.Tanh(-1), 0, Math.Tanh(2) }, nn.Tanh().call(x), 1e-7, "tanh");
        CollectionAssert.AreEqual(new[] { -1f, 0f, 2f }, x.data<float>().ToArray(), "not in place by default");
        var y = nn.ReLU(inplace: true).call(x);
        CollectionAssert.AreEqual(new[] { 0f, 0f, 2f }, x.data<float>().ToArray(), "in place");
        Assert.AreEqual(0, nn.ReLU().parameters().Count());
        nn.Tanh(inplace: true).call(y);
        NNAssert.Close(new[] { 0, 0, Math.Tanh(2) }, x, 1e-7, "tanh in place");
    }

    [TestMethod]
    public void SequentialComposesAndNamesItsModules()
    {
        using var seq = nn.Sequential(
            ("lin1", FixedLinear(new float[,] { { 1, -1 }, { 2, 1 } }, new[] { 0f, -5f })),
            ("relu", nn.ReLU()),
            ("lin2", FixedLinear(new float[,] { { 1, 3 } }, new[] { 0.5f })));
        CollectionAssert.AreEqual(new[] { "lin1.weight", "lin1.bias", "lin2.weight", "lin2.bias" },
            seq.named_parameters().Select(p => p.name).ToArray());
        Assert.AreEqual(3, seq.Count);
        Assert.IsInstanceOfType<ReLU>(seq[1]);
        using var scope = NewDisposeScope();
        var x = tensor(new float[,] { { 3, 1 }, { 1, 4 } });
        // lin1: [2, 2] and [-3, 1]; relu: [2, 2] and [0, 1]; lin2: 2+6+0.5, 0+3+0.5
        CollectionAssert.AreEqual(new[] { 8.5f, 3.5f }, seq.call(x).data<float>().ToArray());
        CollectionAssert.AreEqual(new[] { 3f, 1f, 1f, 4f }, x.data<float>().ToArray(), "the input is untouched");

        using var unnamed = nn.Sequential(nn.Linear(2, 3), nn.Tanh());
        unnamed.append(nn.Linear(3, 1)).append("head", new ScaleBy(2));
        CollectionAssert.AreEqual(new[] { "0.weight", "0.bias", "2.weight", "2.bias", "head.factor" },
            unnamed.named_parameters().Select(p => p.name).ToArray());
        CollectionAssert.AreEqual(new long[] { 4, 1 }, unnamed.call(ones(4, 2)).shape);
        using var empty = nn.Sequential();
        var alias = empty.call(x);
        Assert.AreNotSame(x, alias);
        CollectionAssert.AreEqual(x.data<float>().ToArray(), alias.data<float>().ToArray());
    }

    // ---- hooks and losses ------------------------------------------------------------------------

    [TestMethod]
    public void ForwardHooksRunAroundForwardAndCanBeRemoved()
    {
        using var module = new ScaleBy(3);
        using var scope = NewDisposeScope();
        var calls = new List<string>();
        var pre = module.register_forward_pre_hook((m, input) => { calls.Add("pre"); return input + 1; });
        var post = module.register_forward_hook((m, input, output) => { calls.Add("post"); return output * 10; });
        var plain = module.register_forward_hook(m => calls.Add("module-post"));
        // (2 + 1) * 3 * 10
        Assert.AreEqual(90f, module.call(tensor(new[] { 2f })).item<float>());
        CollectionAssert.AreEqual(new[] { "pre", "post", "module-post" }, calls);
        Assert.AreEqual(6f, module.forward(tensor(new[] { 2f })).item<float>(), "forward runs no hooks");
        pre.remove();
        post.remove();
        plain.remove();
        Assert.AreEqual(6f, module.call(tensor(new[] { 2f })).item<float>());
    }

    [TestMethod]
    public void ALossSubclassCanBeDeclaredAndCalled()
    {
        using var scope = NewDisposeScope();
        Loss<Tensor, Tensor, Tensor> loss = new MeanAbsoluteError();
        Assert.AreEqual(torch.nn.Reduction.Mean, loss.reduction);
        Assert.AreEqual("Loss", loss.GetName());
        var input = tensor(new[] { 1f, 2f, 3f }, requires_grad: true);
        var target = tensor(new[] { 2f, 2f, 0f });
        var value = loss.call(input, target);
        Assert.AreEqual(4f / 3, value.item<float>(), 1e-7f);
        value.backward();
        NNAssert.Close(new[] { -1.0 / 3, 0, 1.0 / 3 }, input.grad!, 1e-7, "d|x-y|/dx / n");
        Assert.AreEqual(4f, new MeanAbsoluteError(torch.nn.Reduction.Sum).call(input, target).item<float>());
        Assert.AreEqual(0, loss.parameters().Count());
    }

    [TestMethod]
    public void WeightedLossRegistersItsWeightAsABuffer()
    {
        var weight = tensor(new[] { 1f, 2f, 3f });
        using var loss = new WeightedSquares(weight);
        Assert.IsNotNull(loss.weight);
        CollectionAssert.AreEqual(new[] { "weight" }, loss.state_dict().Keys.ToArray());
        using (var scope = NewDisposeScope())
            Assert.AreEqual(1f * 1 + 2 * 4 + 3 * 9, loss.call(tensor(new[] { 1f, 2f, 3f }), zeros(3)).item<float>());

        loss.to(ScalarType.Float64);
        Assert.AreEqual(ScalarType.Float64, loss.weight!.dtype, "the weight follows the module");
        Assert.AreEqual(ScalarType.Float32, weight.dtype, "the caller's tensor is not converted");
        loss.Dispose();
        Assert.IsFalse(weight.IsInvalid, "the module disposes its own handle, not the caller's tensor");
        weight.Dispose();

        using var unweighted = new WeightedSquares();
        Assert.IsNull(unweighted.weight);
        Assert.AreEqual(0, unweighted.state_dict().Count);
    }
}

/// <summary>Element-wise closeness checks shared by the module and optimizer tests.</summary>
internal static class NNAssert
{
    /// <summary>|actual − expected| ≤ rtol·(|expected| + 1), element-wise (relative, with an absolute floor near 0).</summary>
    public static void Close(double[] expected, Tensor actual, double rtol, string what)
    {
        using var converted = actual.to(ScalarType.Float64);
        var values = converted.data<double>().ToArray();
        Assert.HasCount(expected.Length, values, what);
        for (int k = 0; k < expected.Length; k++)
            Assert.IsTrue(Math.Abs(values[k] - expected[k]) <= rtol * (Math.Abs(expected[k]) + 1),
                $"{what}: element {k} is {values[k]:R}, expected {expected[k]:R}");
    }
}
