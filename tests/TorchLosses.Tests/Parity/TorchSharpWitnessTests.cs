using System.Reflection;
using System.Text.Json;
using TorchLosses.Parity;
using TorchLosses.Parity.Reports;

namespace TorchLossesTests.ParityMachinery;

/// <summary>
/// The second witness, TorchSharp's own losses: it must catch TorchSharp's known defects, count what the API cannot say as
/// not expressible, agree where a route is faithful, and never count a route as agreeing that did not run or that is wrong.
/// A handful of cases each, so the class stays fast.
/// </summary>
[TestClass]
public sealed class TorchSharpWitnessTests
{
    private static readonly Lazy<IReadOnlyList<ParityCase>> AllCases = new(() => SuiteCatalog.Cases(SuiteCatalog.Discover()));

    /// <summary>The cases a --filter glob selects (at least one).</summary>
    private static IReadOnlyList<ParityCase> Cases(string glob)
    {
        var selected = Runner.Select(AllCases.Value, new RunOptions { Filters = new[] { glob } });
        Assert.IsNotEmpty(selected, $"no case matches {glob}");
        return selected;
    }

    private static IReadOnlyList<WitnessResult> Run(string glob) => Cases(glob).SelectMany(c => TorchSharpWitness.Run(c, seed: 0)).ToList();

    private static void AssertAll(IEnumerable<WitnessResult> results, WitnessOutcome expected, string? route = null)
    {
        foreach (var r in results.Where(r => route is null || r.Route == route))
            Assert.AreEqual(expected, r.Outcome, $"{r.Case} ({r.Route}): {r.Detail}");
    }

    [TestMethod]
    public void TorchVisionBoxLossesAreCaughtOnTheEmptyMeanAndOnEpsAndAgreeElsewhere()
    {
        // TorchSharp's TorchVision 0.107: the mean of an empty batch is NaN (torchvision 0.14 recorded 0) ...
        foreach (var loss in new[] { "generalized_box_iou", "distance_box_iou", "complete_box_iou" })
        {
            var empty = Run($"{loss}/f64/mean/pytorch/eps=1e-07/shape=[0,4]/empty");
            AssertAll(empty, WitnessOutcome.Disagrees);
            StringAssert.StartsWith(empty.Single().Cause, "the mean of an empty batch is a plain mean");
            AssertAll(Run($"{loss}/f64/*/pytorch/eps=1e-07/torchvision-*"), WitnessOutcome.Agrees);
        }
        // ... and its DIoU part ignores eps (DIoU at eps = 0 and 0.5 differs; GIoU, which passes eps, agrees).
        var diou = Run("distance_box_iou/f64/none/pytorch/eps=0.5/shape=[8,4]/random");
        AssertAll(diou, WitnessOutcome.Disagrees);
        StringAssert.StartsWith(diou.Single().Cause, "eps is not passed to the DIoU part");
        AssertAll(Run("generalized_box_iou/f64/none/pytorch/eps=0.5/shape=[8,4]/random"), WitnessOutcome.Agrees);
        AssertAll(Run("sigmoid_focal/f64/*/pytorch/alpha=0.25/gamma=2.0/shape=[4,5]/hard"), WitnessOutcome.Agrees);
    }

    [TestMethod]
    public void KlDivLogTargetDefaultIsCaughtWhereLeftToTheDefault()
    {
        // PyTorch's default log_target = False: the route leaves it to TorchSharp's default, true.
        var defaulted = Run("kl_div/f64/sum/log_target=False/shape=[3,4]/matrix");
        AssertAll(defaulted, WitnessOutcome.Disagrees);
        Assert.IsTrue(defaulted.All(r => r.Cause == "log_target defaults to true (PyTorch: false)"), string.Join("; ", defaulted.Select(r => r.Cause)));
        StringAssert.StartsWith(defaulted[0].Detail, "value");
        // log_target = True is passed explicitly, and then TorchSharp's kl_div is faithful.
        AssertAll(Run("kl_div/f64/sum/log_target=True/shape=[3,4]/matrix"), WitnessOutcome.Agrees);
    }

    [TestMethod]
    public void HingeMarginDefaultIsCaughtOnTheConstructorAndTheFunctionalOnly()
    {
        var results = Run("hinge_embedding/f64/sum/margin=1/shape=[3,4]/matrix");
        AssertAll(results, WitnessOutcome.Agrees, "factory");
        AssertAll(results, WitnessOutcome.Disagrees, "module");
        AssertAll(results, WitnessOutcome.Disagrees, "functional");
        AssertAll(Run("hinge_embedding/f64/sum/margin=2.5/shape=[3,4]/matrix"), WitnessOutcome.Agrees);
    }

    [TestMethod]
    public void NllWithIgnoreIndexIsNotExpressibleAndWithoutItAgrees()
    {
        var ignoring = Run("nll/f64/mean/weight=weighted/ignore_index=1/shape=[4,5]/batch-some");
        AssertAll(ignoring, WitnessOutcome.NotExpressible);
        StringAssert.Contains(ignoring[0].Detail, "no ignore_index");
        // The class weights reach TorchSharp's NLL from the case's native call.
        AssertAll(Run("nll/f64/mean/weight=weighted/ignore_index=-100/shape=[4,5]/batch-none"), WitnessOutcome.Agrees);
        // A 1-D (unbatched) input: TorchSharp's NLL rejects it, PyTorch does not.
        var unbatched = Run("nll/f64/sum/weight=none/ignore_index=-100/shape=[5]/unbatched-none");
        AssertAll(unbatched, WitnessOutcome.Disagrees);
        StringAssert.StartsWith(unbatched[0].Cause, "rejects inputs of fewer than 2 dimensions");
    }

    [TestMethod]
    public void PoissonEpsIsCaughtWhereEpsMatters()
    {
        // λ = 0 in the edges layout: PyTorch's log(λ + eps) with eps = 0.25; TorchSharp's eps arrives as ~4e-315.
        var results = Run("poisson_nll/f64/sum/log_input=False/full=False/eps=0.25/shape=[8]/edges");
        AssertAll(results, WitnessOutcome.Disagrees);
        StringAssert.StartsWith(results[0].Cause, "eps reaches libtorch as a float");
        // With log_input, eps is not used.
        AssertAll(Run("poisson_nll/f64/sum/log_input=True/full=False/eps=1/shape=[3,4]/matrix"), WitnessOutcome.Agrees);
    }

    [TestMethod]
    public void SmoothL1WithBetaHalfAgreesOnEveryRouteAndRegime()
    {
        var results = Run("smooth_l1/f64/*/beta=0.5/shape=*");
        Assert.IsTrue(results.Count >= 3 * 30, $"{results.Count} runs");
        // Every route, every reduction (the mean over broadcast shapes too), the ties at |x − y| = beta, non-finite, extreme and
        // empty inputs.
        Assert.IsTrue(results.Any(r => r.Reduction == "mean" && r.Case.Contains('~')), "no broadcast mean case");
        AssertAll(results, WitnessOutcome.Agrees);
        CollectionAssert.AreEquivalent(new[] { "factory", "module", "functional" }, results.Select(r => r.Route).Distinct().ToList());
        // The recorded PyTorch vectors, arguments from their kwargs.
        AssertAll(Run("smooth_l1/f64/*/pytorch/beta=0.5/*"), WitnessOutcome.Agrees);
    }

    [TestMethod]
    public void WhatTheApiCannotSayIsNotExpressibleNeverADisagreement()
    {
        AssertAll(Run("kl_div/f64/batchmean/log_target=True/shape=[3,4]/matrix"), WitnessOutcome.NotExpressible);
        AssertAll(Run("triplet_margin/f64/mean/margin=1/p=Infinity/eps=1E-06/swap=false/shape=[4,5]/batch"), WitnessOutcome.NotExpressible);
        AssertAll(Run("smooth_l1/f64/legacy(size_average=False,reduce=True)/shape=[3,4]/matrix"), WitnessOutcome.NotExpressible);
        var smoothing = Run("cross_entropy/f64/mean/weight=none/ignore_index=-100/label_smoothing=0.1/shape=[4,5]/batch-none");
        AssertAll(smoothing, WitnessOutcome.NotExpressible, "factory");
        AssertAll(smoothing, WitnessOutcome.Agrees, "module");
        AssertAll(smoothing, WitnessOutcome.Agrees, "functional");
    }

    /// <summary>A route that is wrong (beta doubled) disagrees; one that is right agrees only after it has actually run.</summary>
    [TestMethod]
    public void AWrongRouteDisagreesAndNoAgreementWithoutACall()
    {
        var smoothL1 = TorchSharpRoutes.Find("smooth_l1")!;
        int calls = 0;
        var counted = new TorchSharpRoute("functional", "counted", a =>
        {
            calls++;
            return torch.nn.functional.smooth_l1_loss(a["input"], a["target"], a.Reduction, a.Double("beta", 1.0));
        });
        var wrong = new TorchSharpRoute("functional", "beta doubled",
            a => torch.nn.functional.smooth_l1_loss(a["input"], a["target"], a.Reduction, 2 * Convert.ToDouble(a.Value("beta"))));
        // Native (the op replaced in the case's native call), error (message) and vector (recorded kwargs) cases.
        var cases = Cases("smooth_l1/f64/sum/beta=0.5/shape=[12]/ties").Concat(Cases("smooth_l1/f64/mean/error/beta=-1"))
            .Concat(Cases("smooth_l1/f64/sum/pytorch/beta=0.5/shape=[10]/ties")).ToList();
        foreach (var c in cases)
        {
            int before = calls;
            var result = TorchSharpWitness.Run(c, smoothL1, counted, seed: 0);
            Assert.AreEqual(WitnessOutcome.Agrees, result.Outcome, $"{c.Name}: {result.Detail}");
            Assert.IsTrue(calls > before, $"{c.Name} agreed without calling TorchSharp's loss");
            if (c.Kind != CaseKind.Error)
                Assert.AreEqual(WitnessOutcome.Disagrees, TorchSharpWitness.Run(c, smoothL1, wrong, seed: 0).Outcome, c.Name);
        }

        // A native call that never reaches the ATen op (here: the composed loss as the reference) falls back to the case's own
        // arguments, so TorchSharp's loss still runs.
        var detour = Cases("smooth_l1/f64/sum/beta=0.5/shape=[3,4]/matrix")[0] with { Native = t => L.smooth_l1_loss(t[0], t[1], R.Sum, 0.5) };
        int beforeDetour = calls;
        Assert.AreEqual(WitnessOutcome.Agrees, TorchSharpWitness.Run(detour, smoothL1, counted, seed: 0).Outcome);
        Assert.IsTrue(calls > beforeDetour);
    }

    /// <summary>A known cause explains only the kind of difference it produces, on the calls where it is at work.</summary>
    [TestMethod]
    public void KnownCausesExplainOnlyTheirKindOfDifference()
    {
        var gaussian = TorchSharpRoutes.Find("gaussian_nll")!;
        var view = gaussian.Defects.Single(d => d.Cause.StartsWith("views input, target and var", StringComparison.Ordinal));
        var c = Cases("gaussian_nll/f64/sum/*")[0];
        LossCall Call(long[] input, long[] variance) => new(R.Sum,
            new Dictionary<string, Tensor?> { ["input"] = zeros(input), ["target"] = zeros(input), ["var"] = ones(variance) },
            new Dictionary<string, object>(), gaussian.Defaults);
        Assert.IsTrue(view.Explains(c, Call(new long[] { 3, 4 }, new long[] { 3, 1 }), "factory"), "a broadcast var");
        Assert.IsTrue(view.Explains(c, Call(new long[] { 0, 4 }, new long[] { 0, 4 }), "factory"), "an empty batch");
        Assert.IsFalse(view.Explains(c, Call(new long[] { 3, 4 }, new long[] { 3, 4 }), "factory"), "equal, non-empty shapes");
        Assert.IsTrue(view.Shows("composed threw «shape '[0, -1]' is invalid» but native returned a value"));
        Assert.IsFalse(view.Shows("value[]: expected 1, got 2"));

        var logTarget = TorchSharpRoutes.Find("kl_div")!.Defects.Single();
        Assert.IsTrue(logTarget.Shows("gradient of input 1 [0, 1]: expected 1, got 2"));
        Assert.IsFalse(logTarget.Shows("message differs: expected «a», got «b»"));
        Assert.IsFalse(logTarget.Shows("composed threw «x» but native returned a value"));
        Assert.IsTrue(TorchSharpRoutes.PythonCheck.Shows("the composed loss accepted inputs that PyTorch rejects with «x»"));
        Assert.IsFalse(TorchSharpRoutes.PythonCheck.Shows("value[]: expected 1, got 2"));
    }

    /// <summary>
    /// CTC's float32 reference is libtorch's float64 kernel (the native call converts log_probs first); TorchSharp's loss still runs
    /// on the case's float32 log_probs, so its float32 kernel is what is compared.
    /// </summary>
    [TestMethod]
    public void TheCtcRouteRunsInTheCasesOwnDType()
    {
        var ctc = TorchSharpRoutes.Find("ctc")!;
        var seen = new List<ScalarType>();
        var recording = new TorchSharpRoute("functional", "recording", a =>
        {
            seen.Add(a["log_probs"].dtype);
            return torch.nn.functional.ctc_loss(a["log_probs"], a["targets"], a["input_lengths"], a["target_lengths"], a.Long("blank", 0),
                a.Bool("zero_infinity", false), a.Reduction);
        });
        foreach (var c in Cases("ctc/f*/sum/blank=0/zero_infinity=false/shape=[8,3,5]/padded"))
        {
            seen.Clear();
            var result = TorchSharpWitness.Run(c, ctc, recording, seed: 0);
            Assert.AreNotEqual(WitnessOutcome.NotCompared, result.Outcome, $"{c.Name}: {result.Detail}");
            CollectionAssert.AreEqual(new[] { c.DType }, seen, c.Name);
        }
    }

    /// <summary>The factory, the constructor and the functional for SmoothL1Loss and HuberLoss; elsewhere the constructor only where it
    /// differs from the factory (parameters or defaults), read from TorchSharp itself.</summary>
    [TestMethod]
    public void ModuleRoutesExistWhereTheConstructorDiffersFromTheFactory()
    {
        static string Signature(MethodBase m) => string.Join(", ", m.GetParameters().Select(p => $"{p.ParameterType} {p.Name}={p.DefaultValue}"));
        foreach (var loss in TorchSharpRoutes.All)
        {
            Assert.IsTrue(loss.Routes.Any(r => r.Name == "functional"), loss.Loss);
            // TorchVision's detection losses (and softmax_focal's cross_entropy at γ = 0) are functions only: no factory, no module.
            if (loss.Routes.SingleOrDefault(r => r.Name == "factory") is not { } factory) continue;
            string type = factory.Api["torch.nn.".Length..factory.Api.IndexOf('(')];
            var method = typeof(torch.nn).GetMethods().Single(m => m.Name == type && m.IsStatic);
            var constructor = typeof(torch).Assembly.GetType("TorchSharp.Modules." + type)!.GetConstructors().Single();
            bool differs = Signature(method) != Signature(constructor);
            bool headline = loss.Loss is "smooth_l1" or "huber";
            Assert.AreEqual(differs || headline, loss.Routes.Any(r => r.Name == "module"), $"{loss.Loss}: {Signature(method)} / {Signature(constructor)}");
            Assert.IsTrue(loss.Routes.Any(r => r.Name == "functional"), loss.Loss);
        }
        CollectionAssert.AreEquivalent(new[] { "smooth_l1", "huber", "cross_entropy", "hinge_embedding" },
            TorchSharpRoutes.All.Where(l => l.Routes.Any(r => r.Name == "module")).Select(l => l.Loss).ToList());
    }

    [TestMethod]
    public void EveryLossOfTheSuitesHasRoutes()
    {
        // torch.nn's 21 losses have TorchSharp counterparts, torchvision's 4 detection losses and softmax_focal TorchSharp's
        // TorchVision ones; the robust and contrastive families have none in TorchSharp.
        var beyond = new ParitySuite[] { new TorchLosses.Parity.Suites.RobustSuite(), new TorchLosses.Parity.Suites.ContrastiveSuite() };
        var losses = SuiteCatalog.Discover().Where(s => !beyond.Any(b => b.GetType() == s.GetType())).SelectMany(s => s.Losses).ToList();
        Assert.HasCount(26, losses);
        foreach (var loss in losses) Assert.IsNotNull(TorchSharpRoutes.Find(loss), loss);
        foreach (var loss in beyond.SelectMany(b => b.Losses)) Assert.IsNull(TorchSharpRoutes.Find(loss), loss);
    }

    [TestMethod]
    public void TheReportShowsTheSectionAndTheJsonCarriesIt()
    {
        var cases = Cases("smooth_l1/f64/*/beta=0/shape=[12]/ties").Concat(Cases("kl_div/f64/sum/log_target=*/shape=[3,4]/matrix"))
            .Concat(Cases("nll/f64/mean/weight=none/ignore_index=1/shape=[4,5]/batch-some")).ToList();
        var section = new TorchSharpSection(TorchSharpWitness.Run(cases, seed: 0), TimeSpan.Zero);
        var composed = Runner.Run(cases, seed: 0);
        var report = new RunReport(new RunOptions { Filters = new[] { "x" } }, composed, SuiteCatalog.Discover(), TimeSpan.Zero) { TorchSharp = section };

        var markdown = MarkdownReport.Render(report, figure: null);
        StringAssert.Contains(markdown, "## TorchSharp 0.107.0's own losses");
        StringAssert.Contains(markdown, "[TorchSharp 0.107.0's own losses](#torchsharp-01070s-own-losses)", "the link to the section, by GitHub's anchor");
        StringAssert.Contains(markdown, "| smooth_l1 | factory | module | functional |");
        // At β = 0 TorchSharp calls the smooth-L1 kernel, whose gradient at the ties (d = 0) is −1 for input and target; PyTorch calls l1_loss (0).
        StringAssert.Contains(markdown, "| β = 0 (L1) | 0 of 3, **3 disagree** | 0 of 3, **3 disagree** | 0 of 3, **3 disagree** |");
        StringAssert.Contains(markdown, "disagree (factory, functional: 1 each) — log_target defaults to true (PyTorch: false) (1). E.g. `kl_div/f64/sum/log_target=False/");
        StringAssert.Contains(markdown, "not expressible (factory, functional: 1 each) — TorchSharp's NLL has no ignore_index (libtorch's −100 applies) (1).");
        Assert.IsFalse(MarkdownReport.Render(new RunReport(report.Options, composed, report.Suites, TimeSpan.Zero), null).Contains("own losses"));

        var path = Path.Combine(Path.GetTempPath(), $"parity-{Guid.NewGuid():N}.json");
        try
        {
            JsonReport.Write(report, path);
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            var torchSharp = json.RootElement.GetProperty("torchsharp");
            Assert.AreEqual(section.Results.Count, torchSharp.GetProperty("runs").GetInt32());
            Assert.AreEqual(section.Results.Count(r => r.Outcome == WitnessOutcome.Disagrees), torchSharp.GetProperty("disagreements").GetArrayLength());
            var kl = torchSharp.GetProperty("losses").EnumerateArray().Single(l => l.GetProperty("loss").GetString() == "kl_div");
            var functional = kl.GetProperty("routes").EnumerateArray().Single(r => r.GetProperty("route").GetString() == "functional");
            Assert.AreEqual(1, functional.GetProperty("disagrees").GetInt32());
            Assert.AreEqual(1, functional.GetProperty("agrees").GetInt32());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
