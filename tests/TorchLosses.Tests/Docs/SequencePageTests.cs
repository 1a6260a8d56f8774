using TorchLosses;
using TorchLossesDocs;
using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Docs;

/// <summary>Every number and identity of docs/losses/sequence.md, computed by TorchLosses (and, where the page says so, by libtorch).</summary>
[TestClass]
public sealed class SequencePageTests : DocPageTests
{
    protected override string PagePath => "docs/losses/sequence.md";

    private const string Alphabet = "-ab";

    private static readonly double[,] Probabilities = { { 0.5, 0.4, 0.1 }, { 0.5, 0.3, 0.2 }, { 0.4, 0.1, 0.5 } };

    protected override Checks Values() => new()
    {
        { "ctc_alignment_count", () => Paths("ab").Count },
        { "ctc_path_aab", () => PathProbability("aab") },
        { "ctc_path_abb", () => PathProbability("abb") },
        { "ctc_path_blank_ab", () => PathProbability("-ab") },
        { "ctc_path_a_blank_b", () => PathProbability("a-b") },
        { "ctc_path_ab_blank", () => PathProbability("ab-") },
        { "ctc_sum_over_alignments", SumOverAlignments },
        { "ctc_example_loss", () => ModuleCall().loss },
        { "ctc_path_a_blank_a", () => Paths("aa").Single().probability },
        { "ctc_aa_loss", () => Single(new long[] { 1, 1 }, 3) },

        { "ctc_alpha_t1", () => AlphaRow(0) },
        { "ctc_alpha_t2", () => AlphaRow(1) },
        { "ctc_alpha_t3", () => AlphaRow(2) },
        { "ctc_long_alignment_count", () => Math.Exp(400 * Math.Log(10) - LongLoss()) },
        { "ctc_long_loss", LongLoss },
        { "ctc_long_probability", () => Math.Exp(-LongLoss()) },
        { "ctc_impossible_loss", () => Single(new long[] { 1, 1 }, 2) },
        { "ctc_empty_target", () => Single(Array.Empty<long>(), 3) },

        { "ctc_batch_none", () => Batch(R.None) },
        { "ctc_batch_sum", () => Batch(R.Sum) },
        { "ctc_batch_mean", () => Batch(R.Mean) },
        { "ctc_batch_mean_of_losses", () => Batch(R.None).Average() },
        { "ctc_batch_sum_over_labels", () => Batch(R.Sum)[0] / 3 },
        { "ctc_a_probability", () => Math.Exp(-Batch(R.None)[1]) },

        { "ctc_zi_off_loss", () => ZeroInfinity(false).loss[1] },
        { "ctc_zi_off_gradient_frame1", () => ZeroInfinity(false).secondSample[0] },
        { "ctc_zi_off_gradient_frame3", () => ZeroInfinity(false).secondSample[2] },
        { "ctc_zi_on_loss", () => ZeroInfinity(true).loss[1] },
        { "ctc_zi_on_gradient", ZeroInfinityOnGradient },

        { "ctc_paths_a_first", () => Paths("ab").Where(p => p.path[0] == 'a').Sum(p => p.probability) },
        { "ctc_posterior_frame1", () => Partial()[0].Select(g => -g + 0.0).ToArray() },
        { "ctc_partial_frame1", () => Partial()[0] },
        { "ctc_libtorch_frame1", () => ModuleCall().gradient[..3] },
        { "ctc_logits_frame1", LogitsGradientFrame1 },
        { "ctc_by_hand_with_term_frame1", ByHandWithTermFrame1 },
    };

    /// <summary>(T, C) log-probabilities of the example.</summary>
    private static Tensor ExampleLogProbs() => SequenceSnippets.Example().logProbs.squeeze(1);

    private static List<(string path, double probability)> Paths(string target) => SequenceSnippets.Alignments(Probabilities, Alphabet)[target];

    private static double PathProbability(string path) => Paths("ab").Single(p => p.path == path).probability;

    private static double SumOverAlignments()
    {
        double sum = Paths("ab").Sum(p => p.probability);
        Assert.AreEqual(Math.Exp(-ModuleCall().loss), sum, 1e-15, "the loss is −log of the sum");
        return sum;
    }

    /// <summary>The module call of the example, its loss and gradient asserted equal to libtorch's.</summary>
    private static (double loss, double[] gradient) ModuleCall()
    {
        var ours = SequenceSnippets.ModuleCall();
        var (logProbs, target) = SequenceSnippets.Example();
        var input = logProbs.requires_grad_();
        var native = N.ctc_loss(input, target, tensor(new long[] { 3 }), tensor(new long[] { 2 }), reduction: R.Sum);
        var grad = autograd.grad(new[] { native }, new[] { input })[0]!;
        Assert.AreEqual(native.item<double>(), ours.loss, 1e-14, "loss vs libtorch");
        AssertClose(grad.reshape(-1), tensor(ours.gradient), "gradient vs libtorch");
        return ours;
    }

    /// <summary>The loss of one target over the first <paramref name="frames"/> frames of the example (sum), asserted equal to libtorch's.</summary>
    private static double Single(long[] labels, long frames)
    {
        var lp = SequenceSnippets.Example().logProbs;
        var targets = tensor(labels, new long[] { 1, labels.Length });
        var (il, tl) = (tensor(new[] { frames }), tensor(new long[] { labels.Length }));
        double ours = L.ctc_loss(lp, targets, il, tl, reduction: R.Sum).item<double>();
        Assert.AreEqual(N.ctc_loss(lp, targets, il, tl, reduction: R.Sum).item<double>(), ours, 1e-14, "vs libtorch");
        return ours;
    }

    private static double[] AlphaRow(int frame)
    {
        var row = SequenceSnippets.Alpha(ExampleLogProbs(), new long[] { 1, 2 })[frame];
        return row.Select(a => a is null ? 0.0 : Math.Exp(a.item<double>())).ToArray();
    }

    private static double LongLoss()
    {
        var lp = full(new long[] { 400, 1, 10 }, Math.Log(0.1), ScalarType.Float64);
        var (targets, il, tl) = (tensor(new long[,] { { 1 } }), tensor(new long[] { 400 }), tensor(new long[] { 1 }));
        double ours = L.ctc_loss(lp, targets, il, tl, reduction: R.Sum).item<double>();
        Assert.AreEqual(400 * Math.Log(10) - Math.Log(400.0 * 401 / 2), ours, 1e-9, "400·ln 10 − ln(T(T+1)/2)");
        return ours;
    }

    /// <summary>The batch example ("ab" over 3 frames, "a" over 2), asserted equal to libtorch's.</summary>
    private static double[] Batch(R reduction)
    {
        var (targets, lengths) = (tensor(new long[,] { { 1, 2 }, { 1, 0 } }), tensor(new long[] { 2, 1 }));
        var loss = SequenceSnippets.Batch(targets, lengths, reduction, false, out var input);
        var native = N.ctc_loss(input.detach(), targets, tensor(new long[] { 3, 2 }), lengths, reduction: reduction);
        AssertClose(native, loss.detach(), $"{reduction} vs libtorch");
        return loss.detach().reshape(-1).data<double>().ToArray();
    }

    /// <summary>The batch with an impossible second sample ("aa" over 2 frames): losses and the second sample's gradient per frame.</summary>
    private static (double[] loss, double[][] secondSample) ZeroInfinity(bool zeroInfinity)
    {
        var (targets, lengths) = (tensor(new long[,] { { 1, 2 }, { 1, 1 } }), tensor(new long[] { 2, 2 }));
        var loss = SequenceSnippets.Batch(targets, lengths, R.None, zeroInfinity, out var input);
        var grad = autograd.grad(new[] { loss.sum() }, new[] { input })[0]!;
        var nativeInput = input.detach().clone().requires_grad_();
        var native = N.ctc_loss(nativeInput, targets, tensor(new long[] { 3, 2 }), lengths, zero_infinity: zeroInfinity, reduction: R.None);
        var nativeGrad = autograd.grad(new[] { native.sum() }, new[] { nativeInput })[0]!;
        AssertClose(native, loss.detach(), "loss vs libtorch");
        AssertClose(nativeGrad, grad, "gradient vs libtorch");
        var second = grad.select(1, 1).contiguous();
        double[][] frames = Enumerable.Range(0, 3).Select(t => second[t].contiguous().data<double>().ToArray()).ToArray();
        if (!zeroInfinity) Assert.IsTrue(frames[1].All(double.IsNaN), "NaN at frame 2 as well");
        return (loss.detach().data<double>().ToArray(), frames);
    }

    private static double[] ZeroInfinityOnGradient()
    {
        var frames = ZeroInfinity(true).secondSample;
        Assert.IsTrue(frames.All(f => f.All(g => g == 0)), "every frame");
        return frames[0];
    }

    /// <summary>The mathematical partial ∂ℓ/∂log_probs of the example, by autograd through the α recursion (rows per frame).</summary>
    private static double[][] Partial()
    {
        var lp = ExampleLogProbs().requires_grad_();
        var nll = SequenceSnippets.NegativeLogLikelihood(lp, new long[] { 1, 2 });
        return autograd.grad(new[] { nll }, new[] { lp })[0]!.data<double>().ToArray().Chunk(3).ToArray();
    }

    /// <summary>The logits' gradient at frame 1 through log_softmax: ours, libtorch's and the recursion's (the partial) agree.</summary>
    private static double[] LogitsGradientFrame1()
    {
        Tensor Gradient(Func<Tensor, Tensor> loss)
        {
            var logits = ExampleLogProbs().detach().clone().requires_grad_();
            return autograd.grad(new[] { loss(logits.log_softmax(1)) }, new[] { logits })[0]!;
        }
        var (targets, il, tl) = (tensor(new long[,] { { 1, 2 } }), tensor(new long[] { 3 }), tensor(new long[] { 2 }));
        var ours = Gradient(lp => L.ctc_loss(lp.unsqueeze(1), targets, il, tl, reduction: R.Sum));
        AssertClose(Gradient(lp => N.ctc_loss(lp.unsqueeze(1), targets, il, tl, reduction: R.Sum)), ours, "vs libtorch");
        AssertClose(Gradient(lp => SequenceSnippets.NegativeLogLikelihood(lp, new long[] { 1, 2 })), ours, "vs the partial through log_softmax");
        return ours[0].data<double>().ToArray();
    }

    private static double[] ByHandWithTermFrame1()
    {
        var lp = ExampleLogProbs().requires_grad_();
        var loss = SequenceSnippets.WithZeroValuedTerm(SequenceSnippets.NegativeLogLikelihood(lp, new long[] { 1, 2 }), lp);
        return autograd.grad(new[] { loss }, new[] { lp })[0]!.data<double>().ToArray()[..3];
    }

    // ----- identities -----

    /// <summary>A random batch: (T, N, C) log-probabilities, padded targets (with repeats), lengths.</summary>
    private static (Tensor lp, long[][] labels, Tensor targets, long[] il, long[] tl) RandomBatch(int seed)
    {
        var lp = (Normal(seed, ScalarType.Float64, false, 7, 4, 5) * 2).log_softmax(2);
        long[][] labels = { new long[] { 1, 2, 2 }, new long[] { 3 }, Array.Empty<long>(), new long[] { 4, 1, 4, 4 } };
        long[] il = { 7, 5, 4, 7 };
        var padded = new long[4, 4];
        for (int n = 0; n < 4; n++)
            for (int k = 0; k < labels[n].Length; k++) padded[n, k] = labels[n][k];
        return (lp, labels, tensor(padded), il, labels.Select(l => (long)l.Length).ToArray());
    }

    private static Tensor Ours(Tensor lp, Tensor targets, long[] il, long[] tl, R reduction, bool zeroInfinity = false) =>
        L.ctc_loss(lp, targets, tensor(il), tensor(tl), reduction: reduction, zero_infinity: zeroInfinity);

    private static Tensor Native(Tensor lp, Tensor targets, long[] il, long[] tl, R reduction, bool zeroInfinity = false) =>
        N.ctc_loss(lp, targets, tensor(il), tensor(tl), zero_infinity: zeroInfinity, reduction: reduction);

    [TestMethod, DocIdentity("ctc_is_the_sum_over_alignments")]
    public void CtcIsTheSumOverAlignments()
    {
        using var scope = NewDisposeScope();
        const string alphabet = "-abc";
        foreach (var seed in new[] { 1, 2 })
        {
            var lp = (Normal(seed, ScalarType.Float64, false, 5, 4) * 1.5).log_softmax(1);
            var probabilities = new double[5, 4];
            var values = lp.exp().data<double>().ToArray();
            for (int i = 0; i < values.Length; i++) probabilities[i / 4, i % 4] = values[i];
            var byTarget = SequenceSnippets.Alignments(probabilities, alphabet);
            Assert.AreEqual(1.0, byTarget.Values.Sum(list => list.Sum(p => p.probability)), 1e-12, "all paths");
            foreach (var target in new[] { "", "a", "ab", "aa", "abc", "abca", "cc", "bab" })
            {
                long[] labels = target.Select(c => (long)alphabet.IndexOf(c)).ToArray();
                double enumerated = byTarget.TryGetValue(target, out var paths) ? paths.Sum(p => p.probability) : 0.0;
                var targets = tensor(labels, new long[] { 1, labels.Length });
                double ours = Ours(lp.unsqueeze(1), targets, new long[] { 5 }, new long[] { labels.Length }, R.Sum).item<double>();
                Assert.AreEqual(-Math.Log(enumerated), ours, 1e-12, $"'{target}'");
                Assert.AreEqual(Native(lp.unsqueeze(1), targets, new long[] { 5 }, new long[] { labels.Length }, R.Sum).item<double>(), ours, 1e-12, $"'{target}' vs libtorch");
            }
        }
    }

    [TestMethod, DocIdentity("ctc_alpha_recursion_is_the_loss")]
    public void CtcAlphaRecursionIsTheLoss()
    {
        using var scope = NewDisposeScope();
        var (lp, labels, targets, il, tl) = RandomBatch(3);
        var ours = Ours(lp, targets, il, tl, R.None).data<double>().ToArray();
        var native = Native(lp, targets, il, tl, R.None).data<double>().ToArray();
        for (int n = 0; n < labels.Length; n++)
        {
            var frames = lp.select(1, n).narrow(0, 0, il[n]);
            double byHand = SequenceSnippets.NegativeLogLikelihood(frames, labels[n]).item<double>();
            Assert.AreEqual(byHand, ours[n], 1e-12, $"sample {n}: recursion vs ctc_loss");
            Assert.AreEqual(native[n], ours[n], 1e-12, $"sample {n}: vs libtorch");
        }
    }

    [TestMethod, DocIdentity("ctc_repeats_need_a_blank")]
    public void CtcRepeatsNeedABlank()
    {
        using var scope = NewDisposeScope();
        foreach (var labels in new[] { new long[] { 1, 1 }, new long[] { 1, 2, 2 }, new long[] { 2, 2, 2 }, new long[] { 1, 2, 1 }, new long[] { 3, 3, 1, 1 } })
        {
            int repeats = labels.Zip(labels.Skip(1), (a, b) => a == b ? 1 : 0).Sum();
            long needed = labels.Length + repeats;
            var lp = (Normal(4, ScalarType.Float64, false, 8, 1, 4)).log_softmax(2);
            var targets = tensor(labels, new long[] { 1, labels.Length });
            double enough = Ours(lp, targets, new[] { needed }, new long[] { labels.Length }, R.Sum).item<double>();
            double tooFew = Ours(lp, targets, new[] { needed - 1 }, new long[] { labels.Length }, R.Sum).item<double>();
            Assert.IsTrue(double.IsFinite(enough), $"[{string.Join(", ", labels)}] with {needed} frames");
            Assert.AreEqual(double.PositiveInfinity, tooFew, $"[{string.Join(", ", labels)}] with {needed - 1} frames");
            Assert.AreEqual(double.PositiveInfinity, Native(lp, targets, new[] { needed - 1 }, new long[] { labels.Length }, R.Sum).item<double>(), "libtorch");
        }
    }

    [TestMethod, DocIdentity("ctc_mean_divides_by_target_lengths")]
    public void CtcMeanDividesByTargetLengths()
    {
        using var scope = NewDisposeScope();
        var (lp, _, targets, il, tl) = RandomBatch(5);
        var none = Ours(lp, targets, il, tl, R.None).data<double>().ToArray();
        double expected = none.Select((l, n) => l / Math.Max(tl[n], 1)).Average();
        Assert.AreEqual(expected, Ours(lp, targets, il, tl, R.Mean).item<double>(), 1e-14);
        Assert.AreEqual(none.Sum(), Ours(lp, targets, il, tl, R.Sum).item<double>(), 1e-13);
        AssertSame(t => Ours(t[0], targets, il, tl, R.Mean), t => Native(t[0], targets, il, tl, R.Mean), lp.detach().requires_grad_());
    }

    [TestMethod, DocIdentity("ctc_zero_infinity")]
    public void CtcZeroInfinity()
    {
        using var scope = NewDisposeScope();
        var (lp, _, _, _, _) = RandomBatch(6);
        var targets = tensor(new long[,] { { 1, 2 }, { 3, 3 }, { 2, 0 } });
        long[] il = { 5, 2, 4 }, tl = { 2, 2, 1 };   // the second sample is impossible
        var batch = lp.narrow(1, 0, 3).contiguous();
        foreach (var zeroInfinity in new[] { false, true })
            foreach (var reduction in new[] { R.None, R.Mean, R.Sum })
                AssertSame(t => Ours(t[0], targets, il, tl, reduction, zeroInfinity), t => Native(t[0], targets, il, tl, reduction, zeroInfinity),
                    batch.detach().requires_grad_());
        var input = batch.detach().requires_grad_();
        var loss = Ours(input, targets, il, tl, R.None, true);
        Assert.AreEqual(0.0, loss[1].item<double>());
        var grad = autograd.grad(new[] { loss.sum() }, new[] { input })[0]!;
        Assert.AreEqual(0.0, grad.select(1, 1).abs().max().item<double>(), "zeroed gradient");
        var off = batch.detach().requires_grad_();
        var gradOff = autograd.grad(new[] { Ours(off, targets, il, tl, R.None).sum() }, new[] { off })[0]!.select(1, 1);
        Assert.IsTrue(gradOff.narrow(0, 0, 2).isnan().all().item<bool>(), "NaN for t < T_n");
        Assert.AreEqual(0.0, gradOff.narrow(0, 2, 5).abs().max().item<double>(), "0 after");
    }

    [TestMethod, DocIdentity("ctc_gradient_is_exp_minus_posterior")]
    public void CtcGradientIsExpMinusPosterior()
    {
        using var scope = NewDisposeScope();
        var (lp, labels, targets, il, tl) = RandomBatch(7);
        var input = lp.detach().requires_grad_();
        var ours = autograd.grad(new[] { Ours(input, targets, il, tl, R.Sum) }, new[] { input })[0]!;
        var nativeInput = lp.detach().requires_grad_();
        var native = autograd.grad(new[] { Native(nativeInput, targets, il, tl, R.Sum) }, new[] { nativeInput })[0]!;
        AssertClose(native, ours, "vs libtorch");
        for (int n = 0; n < labels.Length; n++)
        {
            var frames = lp.select(1, n).detach().clone().requires_grad_();
            var used = frames.narrow(0, 0, il[n]);
            var partial = autograd.grad(new[] { SequenceSnippets.NegativeLogLikelihood(used, labels[n]) }, new[] { frames })[0]!;
            var posterior = -partial;
            var active = tensor(Enumerable.Range(0, 7).Select(t => t < il[n] ? 1.0 : 0.0).ToArray()).unsqueeze(1);
            AssertClose((frames.detach().exp() - posterior) * active, ours.select(1, n), $"sample {n}: exp(lp) − γ, 0 after T_n");
            var sums = posterior.narrow(0, 0, il[n]).sum(1L);
            AssertClose(ones_like(sums), sums, $"sample {n}: Σ_c γ_t(c) = 1");
        }
    }

    [TestMethod, DocIdentity("ctc_gradients_agree_through_log_softmax")]
    public void CtcGradientsAgreeThroughLogSoftmax()
    {
        using var scope = NewDisposeScope();
        var (_, labels, targets, il, tl) = RandomBatch(8);
        var logits = Normal(9, ScalarType.Float64, false, 7, 4, 5) * 2;
        Tensor Gradient(Func<Tensor, Tensor> loss)
        {
            var z = logits.clone().requires_grad_();
            return autograd.grad(new[] { loss(z.log_softmax(2)) }, new[] { z })[0]!;
        }
        var ours = Gradient(x => Ours(x, targets, il, tl, R.Sum));
        AssertClose(Gradient(x => Native(x, targets, il, tl, R.Sum)), ours, "vs libtorch");
        var partial = Gradient(x => stack(Enumerable.Range(0, labels.Length)
            .Select(n => SequenceSnippets.NegativeLogLikelihood(x.select(1, n).narrow(0, 0, il[n]), labels[n]))).sum());
        AssertClose(partial, ours, "the partial through log_softmax");
        // With respect to log_probs themselves they differ by exp(lp): CtcGradientIsExpMinusPosterior.
    }

    [TestMethod, DocIdentity("ctc_zero_valued_term")]
    public void CtcZeroValuedTerm()
    {
        using var scope = NewDisposeScope();
        var (lp, labels, _, _, _) = RandomBatch(10);
        var frames = lp.select(1, 0).detach().clone().requires_grad_();
        var nll = SequenceSnippets.NegativeLogLikelihood(frames, labels[0]);
        var withTerm = SequenceSnippets.WithZeroValuedTerm(nll, frames);
        Assert.AreEqual(nll.item<double>(), withTerm.item<double>(), "same value");
        var partial = autograd.grad(new[] { nll }, new[] { frames }, retain_graph: true)[0]!;
        var added = autograd.grad(new[] { withTerm }, new[] { frames })[0]!;
        AssertClose(partial + frames.detach().exp(), added, "gradient + exp(lp)");
        var native = frames.detach().unsqueeze(1).requires_grad_();
        var nativeGrad = autograd.grad(new[] { N.ctc_loss(native, tensor(labels[0], new long[] { 1, labels[0].Length }), tensor(new long[] { 7 }),
            tensor(new long[] { labels[0].Length }), reduction: R.Sum) }, new[] { native })[0]!;
        AssertClose(nativeGrad.squeeze(1), added, "libtorch's form");
    }

    [TestMethod, DocIdentity("ctc_one_frame_is_nll")]
    public void CtcOneFrameIsNll()
    {
        using var scope = NewDisposeScope();
        var logits = Normal(11, ScalarType.Float64, false, 1, 6, 5);
        var labels = tensor(new long[] { 1, 4, 2, 3, 1, 2 });
        var ones = Enumerable.Repeat(1L, 6).ToArray();
        var ctc = Ours(logits.log_softmax(2), labels.unsqueeze(1), ones, ones, R.None);
        AssertClose(L.nll_loss(logits[0].log_softmax(1), labels, reduction: R.None), ctc, "values");
        var z = logits.clone().requires_grad_();
        var viaCtc = autograd.grad(new[] { Ours(z.log_softmax(2), labels.unsqueeze(1), ones, ones, R.Sum) }, new[] { z })[0]!;
        var z2 = logits[0].clone().requires_grad_();
        var viaCrossEntropy = autograd.grad(new[] { L.cross_entropy(z2, labels, reduction: R.Sum) }, new[] { z2 })[0]!;
        AssertClose(viaCrossEntropy, viaCtc[0], "logits' gradient: cross entropy's");
    }
    [TestMethod, DocIdentity("ctc_double_backward_fails")]
    public void CtcDoubleBackwardFails()
    {
        using var scope = NewDisposeScope();
        var direction = Normal(12, ScalarType.Float64, false, 3, 3);
        var (targets, il, tl) = (tensor(new long[,] { { 1, 2 } }), tensor(new long[] { 3 }), tensor(new long[] { 2 }));
        var warnings = new List<LossWarningEventArgs>();
        void Record(object? sender, LossWarningEventArgs e)
        {
            if (e.Loss == "ctc_loss") lock (warnings) warnings.Add(e);   // other tests may warn meanwhile, on other threads
        }
        foreach (var native in new[] { true, false })
        {
            var lp = ExampleLogProbs().detach().clone().requires_grad_();
            var input = lp.unsqueeze(1);
            var loss = native ? N.ctc_loss(input, targets, il, tl, reduction: R.Sum) : L.ctc_loss(input, targets, il, tl, reduction: R.Sum);
            LossWarnings.Warned += Record;
            Tensor g;
            try
            {
                g = autograd.grad(new[] { loss }, new[] { lp }, retain_graph: true, create_graph: true)[0]!;
            }
            finally
            {
                LossWarnings.Warned -= Record;
            }
            Assert.IsTrue(g.requires_grad, native ? "libtorch's" : "ours");
            var error = Assert.Throws<System.Runtime.InteropServices.ExternalException>(() => (g * direction).sum().backward());
            if (native) StringAssert.Contains(error.Message, "derivative for aten::_ctc_loss_backward is not implemented");
        }
        Assert.HasCount(1, warnings, "ours warns when its gradient is taken with create_graph");
        StringAssert.Contains(warnings[0].Message, "differentiable only once");
    }
}
