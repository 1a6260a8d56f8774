using System.Text.Json;
using TorchLosses.Parity;
using TorchLosses.Parity.Reports;
using TorchLosses.Parity.Suites;

namespace TorchLossesTests.ParityMachinery;

/// <summary>
/// The parity machinery itself: it must catch a deliberately broken loss and name the failing cases,
/// select cases as --filter/--dtype/--quick say, and measure errors in ulp on the bit patterns.
/// </summary>
[TestClass]
public sealed class ParityMachineryTests
{
    private static readonly Lazy<IReadOnlyList<ParityCase>> AllCases = new(() => SuiteCatalog.Cases(SuiteCatalog.Discover()));

    /// <summary>A smooth L1 whose beta is misapplied: the quadratic zone is twice as wide as asked.</summary>
    private static Tensor BetaMisapplied(Tensor[] t, ParityCase original)
    {
        var beta = double.Parse(original.Name.Split('/').First(p => p.StartsWith("beta=", StringComparison.Ordinal))[5..],
            System.Globalization.CultureInfo.InvariantCulture);
        var reduction = original.Reduction switch { "none" => torch.nn.Reduction.None, "sum" => torch.nn.Reduction.Sum, _ => torch.nn.Reduction.Mean };
        return L.smooth_l1_loss(t[0], t[1], reduction, 2 * beta);
    }

    private static IReadOnlyList<ParityCase> Inject(IEnumerable<ParityCase> cases, Func<Tensor[], ParityCase, Tensor> broken) =>
        cases.Select(c => c with { Composed = t => broken(t, c) }).ToList();

    /// <summary>The message <paramref name="c"/>'s native call raises on its inputs (null when it returns a value).</summary>
    private static string? NativeError(ParityCase c)
    {
        using var scope = NewDisposeScope();
        try
        {
            c.Native!(c.Inputs(new InputFactory(0, c.Name)));
            return null;
        }
        catch (Exception e)
        {
            return ErrorMessages.Text(e);
        }
    }

    /// <summary>
    /// Every PyTorch vector that parity/vector-differences.json lists as differing on libtorch 2.10 really does. With a native
    /// call (libtorch 2.10's op on the recorded inputs): an entry with an error is libtorch's own message, word for word, and
    /// 1.13 recorded something else; an entry without one is a value or gradient that differs from the recording (run as if the
    /// op were the loss under test), or a value where 1.13 raised. Without a native call, the entry's error is not what 1.13
    /// recorded. A stale entry would silently exempt a case from the recording; a wrong text would never be checked.
    /// </summary>
    [TestMethod]
    public void EveryListedVectorDifferenceIsReal()
    {
        var listed = AllCases.Value.Where(c => c.DiffersFromRecording is not null).ToList();
        Assert.IsNotEmpty(listed, "vector-differences.json lists no case that a suite wires up");
        foreach (var c in listed)
        {
            var entry = c.DiffersFromRecording!;
            string? recordedBy113 = c.Recorded!.Error;
            if (c.Native is null)
            {
                Assert.IsNotNull(entry.Error, $"{c.Name}: a value difference needs the suite's native call");
                Assert.AreNotEqual(recordedBy113, entry.Error, $"{c.Name}: 1.13 recorded the same error as the entry names");
                continue;
            }
            if (entry.Error is not null)
            {
                var raisedBy210 = NativeError(c);
                Assert.IsNotNull(raisedBy210, $"{c.Name}: libtorch 2.10 accepts the recorded inputs, but the entry names an error");
                Assert.IsTrue(ErrorMessages.Same(entry.Error, raisedBy210), $"{c.Name}: the entry names «{entry.Error}», libtorch 2.10 raises «{raisedBy210}»");
                Assert.IsFalse(recordedBy113 is not null && ErrorMessages.Same(recordedBy113, raisedBy210),
                    $"{c.Name}: libtorch 2.10 raises what PyTorch 1.13 recorded; the entry in vector-differences.json is stale");
                continue;
            }
            var nativeAsTheLoss = c with { Kind = CaseKind.Vector, Composed = c.Native, UseGradcheck = false };
            var failure = Runner.Run(nativeAsTheLoss, seed: 0).Failure;
            Assert.IsNotNull(failure, $"{c.Name}: libtorch 2.10 gives what PyTorch 1.13 recorded; the entry in vector-differences.json is stale");
            bool differs = recordedBy113 is null
                ? failure.StartsWith("value", StringComparison.Ordinal) || failure.StartsWith("gradient of input ", StringComparison.Ordinal)
                : failure.StartsWith("the composed loss accepted inputs that PyTorch rejects", StringComparison.Ordinal);
            Assert.IsTrue(differs, $"{c.Name}: the native call does not differ from the recording in a value or gradient: {failure}");
        }
    }

    /// <summary>
    /// The list is complete: wherever a suite gives VectorWitness.Cases a native call, libtorch 2.10's op on each recorded case's
    /// inputs reproduces the recording (values and gradients, or the error text), except for the cases vector-differences.json
    /// lists (checked against 2.10 instead, above) and recorded errors the suite declares PyTorch's Python checks (raised before
    /// the op; the op must not raise that text itself, or the declaration hides nothing but a missing entry).
    /// </summary>
    [TestMethod]
    public void EveryDifferenceFromTheRecordingIsListed()
    {
        var checkable = AllCases.Value.Where(c => c.Kind == CaseKind.Vector && c.Native is not null).ToList();
        Assert.IsNotEmpty(checkable, "no suite gives VectorWitness.Cases a native call");
        var unlisted = new List<string>();
        foreach (var c in checkable)
        {
            if (c.ExpectedMessage is not null)
            {
                var raised = NativeError(c);
                Assert.IsFalse(raised is not null && ErrorMessages.Same(c.ExpectedMessage, raised),
                    $"{c.Name}: declared a Python check, but libtorch's op raises the recorded text itself");
                continue;
            }
            var result = Runner.Run(c with { Composed = c.Native!, UseGradcheck = false }, seed: 0);
            if (!result.Passed) unlisted.Add($"{c.Name}: {result.Failure}");
        }
        Assert.IsEmpty(unlisted, $"libtorch 2.10 differs from the PyTorch 1.13 recording where {VectorWitness.DifferencesPath} lists nothing " +
                                 $"({unlisted.Count} of {checkable.Count} cases):\n" + string.Join("\n", unlisted));
    }

    [TestMethod]
    public void AnInjectedWrongSmoothL1FailsTheReportWhichNamesTheCases()
    {
        var selected = Runner.Select(AllCases.Value, new RunOptions { Filters = new[] { "smooth_l1/f64/mean/beta=0.5/", "smooth_l1/f32/sum/beta=1/" } });
        Assert.IsTrue(selected.Count >= 30, $"{selected.Count} cases selected");
        var broken = Inject(selected, BetaMisapplied);
        var results = Runner.Run(broken, seed: 0);
        var report = new RunReport(new RunOptions { Filters = new[] { "smooth_l1" } }, results, SuiteCatalog.Discover(), TimeSpan.Zero);

        Assert.IsFalse(report.Passed);
        var failed = report.Failures.Select(r => r.Name).ToHashSet();
        // The ties sit exactly on |d| = beta; with the zone twice as wide they move into the quadratic part.
        const string ties = "smooth_l1/f64/mean/beta=0.5/shape=[12]/ties";
        CollectionAssert.Contains(failed.ToList(), ties);
        StringAssert.Contains(results.Single(r => r.Name == ties).Failure, "value[]: expected");
        CollectionAssert.Contains(failed.ToList(), "smooth_l1/f32/sum/beta=1/shape=[3,4]/matrix");
        // Empty inputs cannot tell, nor can non-finite ones or |d| ~ 1e30 (a shift of beta/4 is below their ulp); everything else must.
        var undetected = results.Where(r => r.Passed).Select(r => r.Name).ToList();
        Assert.IsTrue(undetected.All(n => n.Contains("/empty") || n.EndsWith("/nonfinite") || n.EndsWith("/extreme")),
            "undetected: " + string.Join(", ", undetected));
        Assert.IsTrue(report.Failures.Count() >= selected.Count - 12, $"{report.Failures.Count()} of {selected.Count} failed");

        var markdown = MarkdownReport.Render(report, figure: null);
        StringAssert.Contains(markdown, "## Failures");
        StringAssert.Contains(markdown, $"`{ties}`");
        var path = Path.Combine(Path.GetTempPath(), $"parity-{Guid.NewGuid():N}.json");
        try
        {
            JsonReport.Write(report, path);
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            Assert.IsFalse(json.RootElement.GetProperty("ok").GetBoolean());
            var failures = json.RootElement.GetProperty("failures").EnumerateArray().ToList();
            Assert.AreEqual(report.Failures.Count(), failures.Count);
            var entry = failures.Single(f => f.GetProperty("name").GetString() == ties);
            Assert.AreEqual($"dotnet run -c Release --project parity/Parity -- --filter '{ties}'", entry.GetProperty("rerun").GetString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void TheGradientAloneIsCheckedToo()
    {
        // Right values, gradient off by 10 % (a straight-through construction): native comparison and gradcheck both object.
        var selected = Runner.Select(AllCases.Value, new RunOptions { Filters = new[] { "smooth_l1/f64/sum/beta=1/shape=[7]/vector" } });
        Assert.AreEqual(1, selected.Count);
        var broken = Inject(selected, (t, _) =>
        {
            var loss = L.smooth_l1_loss(t[0], t[1], torch.nn.Reduction.Sum, 1.0);
            return loss + 0.1 * (loss - loss.detach());
        });
        var result = Runner.Run(broken[0], seed: 0);
        Assert.IsFalse(result.Passed);
        StringAssert.StartsWith(result.Failure, "gradient of input 0 ");
    }

    [TestMethod]
    public void TheVectorWitnessCatchesTheBrokenLossWithoutLibtorchsHelp()
    {
        var selected = Runner.Select(AllCases.Value, new RunOptions { Filters = new[] { "smooth_l1/f64/*/pytorch/beta=0.5/*" } });
        Assert.IsTrue(selected.Count > 10 && selected.All(c => c.Kind == CaseKind.Vector), $"{selected.Count} cases");
        var results = Runner.Run(Inject(selected, BetaMisapplied), seed: 0);
        CollectionAssert.Contains(results.Where(r => !r.Passed).Select(r => r.Name).ToList(), "smooth_l1/f64/mean/pytorch/beta=0.5/shape=[10]/ties");

        // A vector case can carry gradcheck too (the witness for losses PyTorch computes in Python).
        var random = selected.Single(c => c.Name == "smooth_l1/f64/sum/pytorch/beta=0.5/shape=[3,4]/random") with { UseGradcheck = true };
        var checkedResult = Runner.Run(random, seed: 0);
        Assert.IsTrue(checkedResult.Passed, checkedResult.Failure);
        Assert.AreEqual("passed", checkedResult.Gradcheck);
    }

    [TestMethod]
    public void ALossThatAcceptsWhatLibtorchRejectsFailsErrorParity()
    {
        var selected = Runner.Select(AllCases.Value, new RunOptions { Filters = new[] { "smooth_l1/f64/mean/error/beta=-1" } });
        Assert.AreEqual(1, selected.Count);
        var lenient = Inject(selected, (t, _) => L.smooth_l1_loss(t[0], t[1], torch.nn.Reduction.Mean, 1.0));
        var result = Runner.Run(lenient[0], seed: 0);
        Assert.AreEqual("the composed loss accepted inputs that libtorch rejects with «smooth_l1_loss does not support negative values for beta.»",
            result.Failure);
        Assert.IsTrue(Runner.Run(selected[0], seed: 0).Passed);

        var wrongText = Inject(selected, (_, _) => throw new ArgumentOutOfRangeException("beta", -1.0, "beta must not be negative"));
        StringAssert.StartsWith(Runner.Run(wrongText[0], seed: 0).Failure, "message differs: expected «smooth_l1_loss does not support");

        // Where the case expects PyTorch's own message (a check PyTorch makes in Python, which libtorch lacks), the text says so.
        var python = Runner.Select(AllCases.Value, new RunOptions { Filters = new[] { "triplet_margin/f64/none/error/margin=0.0" } }).Single();
        Assert.IsNotNull(python.ExpectedMessage);
        var accepting = python with { Composed = t => L.triplet_margin_loss(t[0], t[1], t[2], 1.0, 2.0, 1e-6, false, R.None) };
        Assert.AreEqual("the composed loss accepted inputs that PyTorch rejects with «margin must be greater than 0, got 0.0»",
            Runner.Run(accepting, seed: 0).Failure);
    }

    [TestMethod]
    public void TheQuickSweepOfTheComposedLossesPasses()
    {
        var quick = Runner.Select(AllCases.Value, new RunOptions { Quick = true });
        var losses = quick.Select(c => c.Loss).Distinct().ToList();
        CollectionAssert.IsSubsetOf(new[] { "l1", "mse", "smooth_l1", "huber", "nll", "cross_entropy" }, losses);
        Assert.IsTrue(quick.Any(c => c.Kind == CaseKind.Error) && quick.Any(c => c.Kind == CaseKind.Vector) && quick.Any(c => c.UseGradcheck));
        var failures = Runner.Run(quick, seed: 0).Where(r => !r.Passed).Select(r => $"{r.Name}: {r.Failure}").ToList();
        Assert.AreEqual(0, failures.Count, string.Join("\n", failures.Take(20)));
    }

    [TestMethod]
    public void FiltersSelectByExactNameGlobOrSubstringAndDtype()
    {
        var all = AllCases.Value;
        const string name = "huber/f32/sum/delta=2.5/shape=[3,4]/matrix";
        Assert.AreEqual(name, Runner.Select(all, new RunOptions { Filters = new[] { name } }).Single().Name);
        var glob = Runner.Select(all, new RunOptions { Filters = new[] { "huber/*/none/delta=0.5/shape=[0]/empty" } });
        CollectionAssert.AreEquivalent(new[] { "f64", "f32", "bf16", "f16" }, glob.Select(c => Tolerances.Label(c.DType)).ToList());
        var substring = Runner.Select(all, new RunOptions { Filters = new[] { "/ties" }, DTypes = new[] { ScalarType.BFloat16 } });
        Assert.IsTrue(substring.Count > 0 && substring.All(c => c.Name.Contains("/ties") && c.DType == ScalarType.BFloat16));
        Assert.AreEqual(0, Runner.Select(all, new RunOptions { Filters = new[] { "no-such-case" } }).Count);
        Assert.AreEqual(all.Count, all.Select(c => c.Name).Distinct().Count(), "case names are unique");
    }

    [TestMethod]
    public void TheSweepIsLargeForEveryComposedLoss()
    {
        var byLoss = AllCases.Value.GroupBy(c => c.Loss).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var loss in new[] { "l1", "mse", "smooth_l1", "huber", "nll", "cross_entropy" })
        {
            var cases = byLoss[loss];
            Assert.IsTrue(cases.Count >= 150, $"{loss}: {cases.Count} cases");
            CollectionAssert.IsSubsetOf(new[] { "none", "mean", "sum" }, cases.Select(c => c.Reduction).Distinct().ToList(), loss);
            CollectionAssert.IsSubsetOf(new[] { ScalarType.Float64, ScalarType.Float32 }, cases.Select(c => c.DType).Distinct().ToList(), loss);
            Assert.IsTrue(cases.Any(c => c.Kind == CaseKind.Error) && cases.Any(c => c.Kind == CaseKind.Vector), loss);
        }
    }

    [TestMethod]
    public void UlpDistanceIsCountedOnTheBitPatterns()
    {
        Assert.AreEqual(1, Ulp.Distance(1.0, Math.BitIncrement(1.0), ScalarType.Float64));
        Assert.AreEqual(2, Ulp.Distance(-double.Epsilon, double.Epsilon, ScalarType.Float64), "across zero");
        Assert.AreEqual(0, Ulp.Distance(0.0, -0.0, ScalarType.Float64));
        Assert.AreEqual(1, Ulp.Distance(1.0, MathF.BitIncrement(1f), ScalarType.Float32));
        Assert.AreEqual(1, Ulp.Distance(1.0, 1.0078125, ScalarType.BFloat16), "bfloat16 has 7 explicit significand bits");
        Assert.AreEqual(1, Ulp.Distance(1.0, 1.0009765625, ScalarType.Float16));
        Assert.AreEqual(8388608, Ulp.Distance(1.0, 2.0, ScalarType.Float32));

        var metrics = new ErrorMetrics();
        metrics.Add(2.0, 2.0 + 4 * Math.BitIncrement(2.0) - 4 * 2.0, ScalarType.Float64, 1e-12);
        metrics.Add(double.NaN, double.NaN, ScalarType.Float64, 1e-12);
        Assert.AreEqual(4, metrics.MaxUlp);
        Assert.AreEqual(2, metrics.Elements);

        // A float64 result of a float32 case (a float64 target) is counted in float32 ulp, the dtype its tolerance is for.
        var mixed = new ErrorMetrics();
        using var got = tensor(new[] { 2.0 + 2 * Math.Pow(2, -22) });
        Assert.IsNull(Comparison.Compare("value", new long[] { 1 }, new[] { 2.0 }, null, got, Tolerances.For(ScalarType.Float32), mixed));
        Assert.AreEqual(2, mixed.MaxUlp);
    }

    [TestMethod]
    public void EveryLossHasPyTorchVectorsAndTheSixComposedOnesAreWired()
    {
        var available = VectorWitness.Available();
        // torch.nn's 21 losses (generate_vectors.py) and torchvision's 4 detection losses (generate_detection_vectors.py).
        Assert.AreEqual(25, available.Count, string.Join(", ", available));
        foreach (var functional in available)
            StringAssert.StartsWith(VectorWitness.TorchVersion(functional), "1.13", functional);
        foreach (var functional in new[] { "gaussian_nll_loss", "multilabel_soft_margin_loss", "triplet_margin_with_distance_loss" })
            Assert.IsTrue(VectorWitness.Load(functional).Count > 10, functional);
        var report = new RunReport(new RunOptions(), Array.Empty<CaseResult>(), new ParitySuite[] { new RegressionSuite(), new ClassificationSuite() }, TimeSpan.Zero);
        Assert.AreEqual(19, report.NotYetComposed.Count, string.Join(", ", report.NotYetComposed));   // the 25 vector files less these two suites' 6 losses
        CollectionAssert.DoesNotContain(report.NotYetComposed.ToList(), "smooth_l1");
    }
}
