using TorchLosses.Modules;
using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Losses;

/// <summary>
/// The state of every loss module that keeps tensors (weight; BCE with logits also pos_weight), on TorchSharp 0.107: the
/// tensors are registered buffers as in PyTorch (named_buffers, state_dict, save/load), they follow <c>.to(float64)</c>,
/// and the module owns them (built inside a dispose scope it works after the scope; disposing it frees its own references,
/// never the caller's tensors). Measured before: CrossEntropyLoss/NLLLoss with a weight, after <c>.to(float64)</c>, threw
/// "expected scalar type Double but found Float" on a float64 call; the weight was missing from state_dict();
/// BCEWithLogitsLoss(pos_weight) threw "Property set method not found" on <c>.to(float64)</c>, and built inside a dispose
/// scope failed after it ("Tensor invalid -- empty handle").
/// </summary>
[TestClass]
public sealed class ModuleStateTests
{
    /// <summary>One weighted module: how to build it from its tensors, its inputs, and the functional it must equal.</summary>
    private sealed record Case(
        string[] BufferNames,
        Func<Tensor[], BufferedLoss<Tensor, Tensor, Tensor>> Make,
        Func<ScalarType, (Tensor input, Tensor target)> Inputs,
        Func<Tensor, Tensor, Tensor[], Tensor> Functional);

    /// <summary>Every module of the package that keeps tensors (all derive from BufferedLoss; checked below).</summary>
    public static IEnumerable<object[]> WeightedModules => ModuleNames.Select(name => new object[] { name });

    private static readonly string[] ModuleNames =
        { "NLLLoss", "CrossEntropyLoss", "BCELoss", "BCEWithLogitsLoss", "MultiMarginLoss", "MultiLabelSoftMarginLoss" };

    /// <summary>The list above is every module type deriving from BufferedLoss, so a new weighted loss cannot be missed.</summary>
    [TestMethod]
    public void EveryBufferedModuleIsCovered()
    {
        var buffered = typeof(BufferedLoss<,,>).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && t.BaseType is { IsGenericType: true } b && b.GetGenericTypeDefinition() == typeof(BufferedLoss<,,>))
            .Select(t => t.Name);
        CollectionAssert.AreEquivalent(ModuleNames, buffered.ToArray());
    }

    private static readonly double[] ClassWeights = { 0.5, 2.0, 1.25 };
    private static readonly long[] Classes = { 0, 2, 1, 2 };

    private static Case Get(string name) => name switch
    {
        "NLLLoss" => new(new[] { "weight" }, w => TorchLosses.nn.NLLLoss(w[0]),
            dtype => (Normal(1, dtype, false, 4, 3).log_softmax(1), tensor(Classes)),
            (x, y, w) => L.nll_loss(x, y, w[0])),
        "CrossEntropyLoss" => new(new[] { "weight" }, w => TorchLosses.nn.CrossEntropyLoss(w[0], label_smoothing: 0.1),
            dtype => (Normal(2, dtype, false, 4, 3), tensor(Classes)),
            (x, y, w) => L.cross_entropy(x, y, w[0], label_smoothing: 0.1)),
        "BCELoss" => new(new[] { "weight" }, w => TorchLosses.nn.BCELoss(w[0]),
            dtype => (Normal(3, dtype, false, 4, 3).sigmoid(), Normal(4, dtype, false, 4, 3).sigmoid()),
            (x, y, w) => L.binary_cross_entropy(x, y, w[0])),
        "BCEWithLogitsLoss" => new(new[] { "weight", "pos_weight" }, w => TorchLosses.nn.BCEWithLogitsLoss(w[0], pos_weight: w[1]),
            dtype => (Normal(5, dtype, false, 4, 3), Normal(6, dtype, false, 4, 3).sigmoid()),
            (x, y, w) => L.binary_cross_entropy_with_logits(x, y, w[0], pos_weight: w[1])),
        "MultiMarginLoss" => new(new[] { "weight" }, w => TorchLosses.nn.MultiMarginLoss(weight: w[0]),
            dtype => (Normal(7, dtype, false, 4, 3), tensor(Classes)),
            (x, y, w) => L.multi_margin_loss(x, y, weight: w[0])),
        "MultiLabelSoftMarginLoss" => new(new[] { "weight" }, w => TorchLosses.nn.MultiLabelSoftMarginLoss(w[0]),
            dtype => (Normal(8, dtype, false, 4, 3), tensor(new double[,] { { 1, 0, 1 }, { 0, 0, 1 }, { 1, 1, 0 }, { 0, 1, 0 } }).to(dtype)),
            (x, y, w) => L.multilabel_soft_margin_loss(x, y, w[0])),
        _ => throw new ArgumentException(name),
    };

    /// <summary>The caller's float32 tensors: the class weights, and for pos_weight another vector.</summary>
    private static Tensor[] Weights(Case c) =>
        c.BufferNames.Select((_, k) => tensor(k == 0 ? ClassWeights : new[] { 3.0, 0.25, 1.5 }).to(ScalarType.Float32)).ToArray();

    private static double[] Values(Tensor t) => t.detach().to(ScalarType.Float64).flatten().data<double>().ToArray();

    [TestMethod]
    [DynamicData(nameof(WeightedModules))]
    public void TensorsAreRegisteredBuffers(string name)
    {
        using var scope = NewDisposeScope();
        var c = Get(name);
        var weights = Weights(c);
        using var module = c.Make(weights);
        CollectionAssert.AreEqual(c.BufferNames, module.named_buffers().Select(b => b.name).ToArray(), "named_buffers");
        var state = module.state_dict();
        CollectionAssert.AreEquivalent(c.BufferNames, state.Keys.ToArray(), "state_dict keys");
        for (int k = 0; k < weights.Length; k++)
            CollectionAssert.AreEqual(Values(weights[k]), Values(state[c.BufferNames[k]]), c.BufferNames[k]);
        Assert.AreSame(state["weight"], module.weight, "the weight property is the buffer");

        using var unweighted = c.Make(new Tensor[c.BufferNames.Length]);
        Assert.AreEqual(0, unweighted.named_buffers().Count(), "no tensors, no buffers");
        Assert.IsNull(unweighted.weight);
    }

    [TestMethod]
    [DynamicData(nameof(WeightedModules))]
    public void StateDictAndSaveLoadRoundTrip(string name)
    {
        using var scope = NewDisposeScope();
        var c = Get(name);
        using var module = c.Make(Weights(c));
        var (x, y) = c.Inputs(ScalarType.Float32);
        var expected = module.call(x, y);

        using var fresh = c.Make(Weights(c).Select(w => zeros_like(w)).ToArray());
        fresh.load_state_dict(module.state_dict());
        foreach (var (bufferName, buffer) in module.named_buffers())
            CollectionAssert.AreEqual(Values(buffer), Values(fresh.get_buffer(bufferName)!), $"{bufferName} after load_state_dict");
        AssertClose(expected, fresh.call(x, y), "loss after load_state_dict");

        var saved = new MemoryStream();
        module.save(saved);   // closes the stream
        using var loaded = c.Make(Weights(c).Select(w => zeros_like(w)).ToArray());
        loaded.load(new MemoryStream(saved.ToArray()));
        AssertClose(expected, loaded.call(x, y), "loss after save/load");
    }

    [TestMethod]
    [DynamicData(nameof(WeightedModules))]
    public void ToFloat64ConvertsTheBuffersAndTheLossFollows(string name)
    {
        using var scope = NewDisposeScope();
        var c = Get(name);
        var weights = Weights(c);
        using var module = c.Make(weights).to(ScalarType.Float64);
        foreach (var (bufferName, buffer) in module.named_buffers())
            Assert.AreEqual(ScalarType.Float64, buffer.dtype, bufferName);
        Assert.AreEqual(ScalarType.Float64, module.weight!.dtype, "the weight property follows");
        var (x, y) = c.Inputs(ScalarType.Float64);
        var expected = c.Functional(x, y, weights.Select(w => w.to(ScalarType.Float64)).ToArray());
        AssertClose(expected, module.call(x, y), "float64 call after .to(float64)");
        foreach (var w in weights)
            Assert.AreEqual(ScalarType.Float32, w.dtype, "the caller's tensor is not converted");

        module.to(ScalarType.Float32).to(DeviceType.CPU);
        var (x32, y32) = c.Inputs(ScalarType.Float32);
        AssertClose(c.Functional(x32, y32, weights), module.call(x32, y32), "back to float32, on the CPU");
    }

    [TestMethod]
    [DynamicData(nameof(WeightedModules))]
    public void BuiltInsideADisposeScopeItWorksAfterIt(string name)
    {
        var c = Get(name);
        using var outer = NewDisposeScope();
        var madeOutside = Weights(c);
        BufferedLoss<Tensor, Tensor, Tensor> withOutsideTensors, withInsideTensors;
        Tensor[] madeInside;
        using (NewDisposeScope())
        {
            withOutsideTensors = c.Make(madeOutside);
            madeInside = Weights(c);
            withInsideTensors = c.Make(madeInside);
        }
        Assert.IsTrue(madeInside.All(t => t.IsInvalid), "the scope disposed the caller's tensors made inside it");
        var (x, y) = c.Inputs(ScalarType.Float32);
        var expected = c.Functional(x, y, Weights(c));
        AssertClose(expected, withOutsideTensors.call(x, y), "tensors made outside the scope");
        AssertClose(expected, withInsideTensors.call(x, y), "tensors made inside the scope");
        withOutsideTensors.Dispose();
        withInsideTensors.Dispose();
    }

    [TestMethod]
    [DynamicData(nameof(WeightedModules))]
    public void DisposeFreesTheModulesBuffersNotTheCallersTensors(string name)
    {
        using var scope = NewDisposeScope();
        var c = Get(name);
        var weights = Weights(c);
        var before = weights.Select(Values).ToArray();
        var module = c.Make(weights);
        var buffers = module.buffers().ToArray();
        Assert.AreEqual(weights.Length, buffers.Length);
        module.Dispose();
        Assert.IsTrue(buffers.All(b => b.IsInvalid), "the module's buffers are freed");
        for (int k = 0; k < weights.Length; k++)
        {
            Assert.IsFalse(weights[k].IsInvalid, "the caller's tensor stays valid");
            CollectionAssert.AreEqual(before[k], Values(weights[k]), "and keeps its values");
        }
    }

    /// <summary>As in PyTorch, the module's weight is the caller's tensor (same storage): an in-place change is seen.</summary>
    [TestMethod]
    public void TheBufferSharesTheCallersStorageAsInPyTorch()
    {
        using var scope = NewDisposeScope();
        var weight = tensor(ClassWeights).to(ScalarType.Float32);
        using var module = TorchLosses.nn.CrossEntropyLoss(weight);
        weight.mul_(2);
        CollectionAssert.AreEqual(Values(weight), Values(module.weight!));
    }
}
