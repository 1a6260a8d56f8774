using System.Runtime.InteropServices;
using TorchSharp.Modules;

namespace TorchLossesTests.Binding;

[TestClass]
public sealed class OptimizerTests
{
    // Trajectories from PyTorch 1.13 (/usr/bin/python3): for each configuration,
    //   p = torch.nn.Parameter(torch.tensor([0.5, -1.0, 2.0], dtype=dtype))
    //   idle = torch.nn.Parameter(torch.tensor([7.0], dtype=dtype))      # never gets a grad
    //   opt = <factory>([p, idle])
    //   for g in Grads: p.grad = torch.tensor(g, dtype=dtype); opt.step(); record p
    // printed with "{:.9g}" (float32) and "{:.17g}" (float64).
    private static readonly double[][] Grads = { new[] { 1.0, -2.0, 0.3 }, new[] { 0.1, 0.5, -0.6 }, new[] { -0.05, 0.8, 0.9 } };

    private sealed record Case(Func<IEnumerable<Parameter>, optim.Optimizer> Make, double[][] Float32, double[][] Float64);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // torch.optim.SGD(p, lr=0.1)
        ["SGD_plain"] = new(ps => optim.SGD(ps, 0.1),
            new[] { new double[] { 0.400000006, -0.800000012, 1.97000003 }, new double[] { 0.390000015, -0.850000024, 2.02999997 }, new double[] { 0.395000011, -0.930000007, 1.93999994 } },
            new[] { new double[] { 0.40000000000000002, -0.80000000000000004, 1.97 }, new double[] { 0.39000000000000001, -0.85000000000000009, 2.0299999999999998 }, new double[] { 0.39500000000000002, -0.93000000000000005, 1.9399999999999997 } }),
        // torch.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1)
        ["SGD_momentum"] = new(ps => optim.SGD(ps, 0.1, momentum: 0.9, dampening: 0.1),
            new[] { new double[] { 0.400000006, -0.800000012, 1.97000003 }, new double[] { 0.300999999, -0.665000021, 1.99699998 }, new double[] { 0.216400012, -0.615500033, 1.94029999 } },
            new[] { new double[] { 0.40000000000000002, -0.80000000000000004, 1.97 }, new double[] { 0.30100000000000005, -0.66500000000000004, 1.9969999999999999 }, new double[] { 0.21640000000000004, -0.61550000000000005, 1.9402999999999999 } }),
        // torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True)
        ["SGD_nesterov"] = new(ps => optim.SGD(ps, 0.1, momentum: 0.9, nesterov: true),
            new[] { new double[] { 0.310000002, -0.620000005, 1.94299996 }, new double[] { 0.210000008, -0.553000033, 2.03270006 }, new double[] { 0.138500005, -0.599700034, 1.88843012 } },
            new[] { new double[] { 0.31, -0.62, 1.9430000000000001 }, new double[] { 0.20999999999999999, -0.55299999999999994, 2.0327000000000002 }, new double[] { 0.13849999999999998, -0.5996999999999999, 1.8884300000000001 } }),
        // torch.optim.SGD(p, lr=0.1, momentum=0.5, weight_decay=0.01)
        ["SGD_wd"] = new(ps => optim.SGD(ps, 0.1, momentum: 0.5, weight_decay: 0.01),
            new[] { new double[] { 0.399500012, -0.799000025, 1.96800005 }, new double[] { 0.338850498, -0.747701049, 2.01003194 }, new double[] { 0.313186884, -0.801303864, 1.93903792 } },
            new[] { new double[] { 0.39950000000000002, -0.79900000000000004, 1.968 }, new double[] { 0.3388505, -0.74770100000000006, 2.0100319999999998 }, new double[] { 0.3131868995, -0.80130379900000004, 1.9390379679999998 } }),
        // torch.optim.SGD(p, lr=0.1, momentum=0.9, maximize=True)
        ["SGD_maximize"] = new(ps => optim.SGD(ps, 0.1, momentum: 0.9, maximize: true),
            new[] { new double[] { 0.600000024, -1.20000005, 2.02999997 }, new double[] { 0.700000048, -1.33000004, 1.99699998 }, new double[] { 0.785000026, -1.36699998, 2.05730009 } },
            new[] { new double[] { 0.59999999999999998, -1.2, 2.0299999999999998 }, new double[] { 0.69999999999999996, -1.3300000000000001, 1.9969999999999999 }, new double[] { 0.78499999999999992, -1.367, 2.0572999999999997 } }),
        // torch.optim.Adam(p, lr=0.01)
        ["Adam_plain"] = new(ps => optim.Adam(ps, lr: 0.01),
            new[] { new double[] { 0.49000001, -0.99000001, 1.99000001 }, new double[] { 0.482591897, -0.985305309, 1.99366105 }, new double[] { 0.477190256, -0.984235525, 1.99022865 } },
            new[] { new double[] { 0.4900000001, -0.99000000005, 1.9900000003333334 }, new double[] { 0.48259189377609657, -0.98530531837013346, 1.9936610355265221 }, new double[] { 0.47719023872954602, -0.98423555449447564, 1.9902286247765513 } }),
        // torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.5), amsgrad=True)
        ["Adam_amsgrad"] = new(ps => optim.Adam(ps, lr: 0.01, beta1: 0.9, beta2: 0.5, amsgrad: true),
            new[] { new double[] { 0.49000001, -0.99000001, 1.99000001 }, new double[] { 0.483553976, -0.985810101, 1.99334252 }, new double[] { 0.479404747, -0.984907031, 1.99041724 } },
            new[] { new double[] { 0.4900000001, -0.99000000005, 1.9900000003333334 }, new double[] { 0.48355397454004428, -0.98581008341037091, 1.9933425544590511 }, new double[] { 0.4794047336089467, -0.98490701331939401, 1.9904172604350174 } }),
        // torch.optim.Adam(p, lr=0.01, weight_decay=0.1)
        ["Adam_wd"] = new(ps => optim.Adam(ps, lr: 0.01, weight_decay: 0.1),
            new[] { new double[] { 0.49000001, -0.99000001, 1.99000001 }, new double[] { 0.482319951, -0.984814882, 1.9894309 }, new double[] { 0.476393908, -0.983000278, 1.98369014 } },
            new[] { new double[] { 0.49000000009523809, -0.99000000004761901, 1.9900000002 }, new double[] { 0.48231994143929124, -0.98481485459959794, 1.9894309307001081 }, new double[] { 0.4763939024106385, -0.9830002797792381, 1.9836901343883864 } }),
        // torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6, maximize=True)
        ["Adam_maximize"] = new(ps => optim.Adam(ps, lr: 0.01, beta1: 0.8, beta2: 0.99, eps: 1e-6, maximize: true),
            new[] { new double[] { 0.50999999, -1.00999999, 2.00999999 }, new double[] { 0.517053366, -1.01420152, 2.00579 }, new double[] { 0.521803498, -1.01445925, 2.00964904 } },
            new[] { new double[] { 0.50999999000000995, -1.0099999950000025, 2.0099999666667778 }, new double[] { 0.51705334803985692, -1.0142015047118278, 2.0057899473147689 }, new double[] { 0.52180346718797976, -1.0144592006908884, 2.0096491026891776 } }),
    };
    // (With betas=(0.9, 0.5) the second moment shrinks at step 2, so AMSGrad's maximum changes the
    // result: PyTorch gives 0.48097378 instead of 0.483553976 for p[0] without amsgrad.)

    public static IEnumerable<object[]> TrajectoryCases() =>
        Cases.Keys.SelectMany(name => new[] { new object[] { name, ScalarType.Float32 }, new object[] { name, ScalarType.Float64 } });

    [TestMethod]
    [DynamicData(nameof(TrajectoryCases))]
    public void TrajectoryMatchesPyTorch(string config, ScalarType dtype)
    {
        var c = Cases[config];
        // float32 trajectories agree to float32 rounding, float64 ones to double rounding.
        if (dtype == ScalarType.Float32) RunTrajectory(c.Make, dtype, c.Float32, 1e-6, config);
        else RunTrajectory(c.Make, dtype, c.Float64, 1e-12, config);
    }

    private static void RunTrajectory(Func<IEnumerable<Parameter>, optim.Optimizer> make, ScalarType dtype, double[][] expected, double rtol, string config)
    {
        using var p = new Parameter(tensor(new[] { 0.5, -1.0, 2.0 }, dtype));
        using var idle = new Parameter(tensor(new[] { 7.0 }, dtype));
        using var optimizer = make(new[] { p, idle });
        for (int step = 0; step < Grads.Length; step++)
        {
            using var scope = NewDisposeScope();
            p.grad = tensor(Grads[step], dtype);
            Assert.IsNull(optimizer.step());
            NNAssert.Close(expected[step], p, rtol, $"{config} step {step + 1}");
        }
        Assert.AreEqual(dtype, p.dtype);
        Assert.AreEqual(7.0, idle.to(ScalarType.Float64).item<double>(), "a parameter without grad is skipped");
        Assert.IsNull(idle.grad);
    }

    [TestMethod]
    public void StepRunsTheClosureWithGradEnabledAndReturnsItsLoss()
    {
        using var w = new Parameter(tensor(new[] { 3.0f }));
        using var sgd = optim.SGD(new[] { w }, 0.25);
        bool gradWasEnabled = false;
        using var scope = NewDisposeScope();
        var loss = sgd.step(() =>
        {
            gradWasEnabled = is_grad_enabled();
            sgd.zero_grad();
            var l = (w * w).sum();          // d/dw = 2w = 6
            l.backward();
            return l;
        });
        Assert.IsTrue(gradWasEnabled);
        Assert.AreEqual(9f, loss!.item<float>());
        Assert.AreEqual(3f - 0.25f * 6f, w.item<float>());
    }

    [TestMethod]
    public void ZeroGradZeroesInPlaceAndKeepsMissingGradsNull()
    {
        using var a = new Parameter(tensor(new[] { 1f, 2f }));
        using var b = new Parameter(tensor(new[] { 3f }));
        using var sgd = optim.SGD(new[] { a, b }, 0.1);
        using var scope = NewDisposeScope();
        a.grad = tensor(new[] { 5f, 6f });
        sgd.zero_grad();
        CollectionAssert.AreEqual(new[] { 0f, 0f }, a.grad!.data<float>().ToArray());
        Assert.IsNull(b.grad);
    }

    [TestMethod]
    public void NamedParameterOverloadsUseTheParameters()
    {
        using var lin = nn.Linear(2, 1);
        using var sgd = optim.SGD(lin.named_parameters(), 0.1);
        using var adam = optim.Adam(lin.named_parameters());
        CollectionAssert.AreEqual(lin.parameters().ToList(), sgd.parameters().ToList());
        CollectionAssert.AreEqual(lin.parameters().ToList(), adam.parameters().ToList());
    }

    [TestMethod]
    public void InvalidArgumentsUsePyTorchMessages()
    {
        using var p = new Parameter(tensor(new[] { 1f }));
        var ps = new[] { p };
        AssertMessage("Invalid learning rate: -0.1", () => optim.SGD(ps, -0.1));
        AssertMessage("Invalid momentum value: -1.0", () => optim.SGD(ps, 0.1, momentum: -1));
        AssertMessage("Invalid weight_decay value: -0.01", () => optim.SGD(ps, 0.1, weight_decay: -0.01));
        AssertMessage("Nesterov momentum requires a momentum and zero dampening", () => optim.SGD(ps, 0.1, nesterov: true));
        AssertMessage("Nesterov momentum requires a momentum and zero dampening", () => optim.SGD(ps, 0.1, momentum: 0.9, dampening: 0.1, nesterov: true));
        AssertMessage("Invalid learning rate: -1e-05", () => optim.Adam(ps, lr: -1e-5));
        AssertMessage("Invalid learning rate: nan", () => optim.Adam(ps, lr: double.NaN));
        AssertMessage("Invalid epsilon value: -1e-08", () => optim.Adam(ps, eps: -1e-8));
        AssertMessage("Invalid beta parameter at index 0: 1.0", () => optim.Adam(ps, beta1: 1.0));
        AssertMessage("Invalid beta parameter at index 1: -0.5", () => optim.Adam(ps, beta2: -0.5));
        AssertMessage("Invalid weight_decay value: -2.0", () => optim.Adam(ps, weight_decay: -2));
        AssertMessage("optimizer got an empty parameter list", () => optim.Adam(Array.Empty<Parameter>()));
    }

    private static void AssertMessage(string expected, Func<optim.Optimizer> make)
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => make());
        Assert.AreEqual(expected, error.Message);
    }

    [TestMethod]
    public void StateSurvivesTheStepsDisposeScopes()
    {
        // Momentum buffers are created inside a step's dispose scope but must outlive it.
        using var p = new Parameter(tensor(new[] { 0.5, -1.0, 2.0 }));
        using var sgd = optim.SGD(new[] { p }, 0.1, momentum: 0.9, dampening: 0.1);
        for (int step = 0; step < Grads.Length; step++)
        {
            using var scope = NewDisposeScope();
            p.grad = tensor(Grads[step]);
            sgd.step();
        }
        NNAssert.Close(Cases["SGD_momentum"].Float64[2], p, 1e-12, "after three scoped steps");
    }

    [TestMethod]
    public void TrainingALinearRegressorReducesTheLoss()
    {
        // Fit y = 2x - 1 with Linear-Tanh-Linear, Adam and the native smooth L1 loss: the loss must drop 20-fold.
        manual_seed(7);
        using var model = nn.Sequential(("lin1", nn.Linear(1, 8)), ("act", nn.Tanh()), ("lin2", nn.Linear(8, 1)));
        using var adam = optim.Adam(model.parameters(), lr: 0.05);
        using var data = NewDisposeScope();
        var xs = Enumerable.Range(0, 32).Select(k => -2f + 4f * k / 31).ToArray();
        var x = tensor(xs, new long[] { 32, 1 });
        var y = x * 2 - 1;
        float first = 0, last = 0;
        for (int epoch = 0; epoch < 200; epoch++)
        {
            using var scope = NewDisposeScope();
            adam.zero_grad();
            var loss = nn.functional.smooth_l1_loss(model.call(x), y);
            loss.backward();
            adam.step();
            if (epoch == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.IsTrue(last < first / 20, $"loss went from {first} to {last}");
    }
}
