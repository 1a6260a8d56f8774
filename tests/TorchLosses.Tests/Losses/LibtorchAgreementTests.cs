using System.Runtime.InteropServices;
using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Losses;

/// <summary>
/// Deviations measured against libtorch 2.10 (issue 12, item 4), each held to the ATen witness (<c>N</c>): a weight that
/// requires grad in NLL and cross entropy, cross entropy of a 0-d input, the result dtype of the pointwise losses on mixed
/// floating dtypes, CTC's length arrays given as null, and the tensors a custom triplet distance returns.
/// </summary>
[TestClass]
public sealed class LibtorchAgreementTests
{
    /// <summary>Our exception is <typeparamref name="TException"/> naming <paramref name="parameter"/>, with libtorch's text.</summary>
    private static void SameError<TException>(Func<Tensor> native, Func<Tensor> ours, string parameter, string what)
        where TException : ArgumentException
    {
        var expected = Assert.ThrowsExactly<ExternalException>(() => native(), $"{what}: native").Message;
        var actual = Assert.ThrowsExactly<TException>(() => ours(), $"{what}: ours");
        Assert.AreEqual(parameter, actual.ParamName, $"{what}: parameter");
        StringAssert.StartsWith(actual.Message, expected, $"{what}: message");
    }

    // ---- a weight that requires grad ---------------------------------------------------------------------------------

    /// <summary>
    /// libtorch has no derivative for NLL's weight and rejects one that requires grad ("The function 'nll_loss_forward' is
    /// not differentiable with respect to argument 'weight'. …"; nll_loss2d_forward for input of 3 or more dimensions), before
    /// the kernel's own checks and in every reduction; cross entropy with class indices goes through NLL (also with label
    /// smoothing). Before, both returned a gradient for the weight.
    /// </summary>
    [TestMethod]
    public void ClassIndexWeightThatRequiresGradIsRejectedAsInLibtorch()
    {
        using var scope = NewDisposeScope();
        var cases = new (string what, Tensor input, Tensor target)[]
        {
            ("1-D", Normal(1, ScalarType.Float32, false, 4), tensor(1L)),
            ("2-D", Normal(2, ScalarType.Float32, false, 3, 4), tensor(new long[] { 0, 3, 1 })),
            ("3-D", Normal(3, ScalarType.Float32, false, 2, 4, 3), zeros(2, 3, ScalarType.Int64)),
            ("4-D", Normal(4, ScalarType.Float32, false, 2, 4, 3, 2), zeros(2, 3, 2, ScalarType.Int64)),
            ("2-D, target out of range", Normal(5, ScalarType.Float32, false, 3, 4), tensor(new long[] { 0, 9, 1 })),
            ("2-D, 2-D target", Normal(6, ScalarType.Float32, false, 3, 4), zeros(3, 2, ScalarType.Int64)),
        };
        var weight = tensor(new[] { 0.5f, 2f, 1f, 1.5f }).requires_grad_();
        foreach (var (what, x, y) in cases)
            foreach (var reduction in AllReductions)
            {
                SameError<ArgumentException>(() => N.nll_loss(x, y, weight, reduction), () => L.nll_loss(x, y, weight, reduction: reduction),
                    "weight", $"nll_loss {what} {reduction}");
                SameError<ArgumentException>(() => N.cross_entropy(x, y, weight, reduction: reduction),
                    () => L.cross_entropy(x, y, weight, reduction: reduction), "weight", $"cross_entropy {what} {reduction}");
                SameError<ArgumentException>(() => N.cross_entropy(x, y, weight, reduction: reduction, label_smoothing: 0.2),
                    () => L.cross_entropy(x, y, weight, reduction: reduction, label_smoothing: 0.2), "weight",
                    $"cross_entropy {what} {reduction}, label smoothing");
            }
        // The batch-size check comes first, in libtorch as here.
        var badBatch = (Normal(7, ScalarType.Float32, false, 2, 4), zeros(3, ScalarType.Int64));
        SameError<ArgumentException>(() => N.nll_loss(badBatch.Item1, badBatch.Item2, weight), () => L.nll_loss(badBatch.Item1, badBatch.Item2, weight),
            "target", "batch size");
    }

    /// <summary>Without grad mode libtorch computes with such a weight, and so does this; probability targets differentiate it.</summary>
    [TestMethod]
    public void WeightThatRequiresGradWhereLibtorchAcceptsIt()
    {
        using var scope = NewDisposeScope();
        var x = Normal(8, ScalarType.Float64, false, 3, 4);
        var y = tensor(new long[] { 0, 3, 1 });
        var weight = tensor(new[] { 0.5, 2, 1, 1.5 }).requires_grad_();
        using (no_grad())
        {
            AssertClose(N.nll_loss(x, y, weight), L.nll_loss(x, y, weight), "nll_loss under no_grad");
            AssertClose(N.cross_entropy(x, y, weight), L.cross_entropy(x, y, weight), "cross_entropy under no_grad");
        }
        var probabilities = Normal(9, ScalarType.Float64, false, 3, 4).softmax(1);
        InBothGradientModes(() => AssertSame(
            t => L.cross_entropy(t[0], t[1], t[2]), t => N.cross_entropy(t[0], t[1], t[2]),
            Normal(10, ScalarType.Float64, true, 3, 4), probabilities, weight));
    }

    // ---- cross entropy of a 0-d input --------------------------------------------------------------------------------

    /// <summary>
    /// A 0-d input: with a 0-d floating target (the probability path) libtorch fails reading the class count ("Dimension
    /// specified as 1 but tensor has no dimensions"), with class indices in log_softmax over dimension 1; its earlier checks
    /// (target dtype, ignore_index) keep their order. Before, IndexOutOfRangeException.
    /// </summary>
    [TestMethod]
    public void ZeroDimensionalInputGivesLibtorchsErrors()
    {
        using var scope = NewDisposeScope();
        var x = tensor(1.5f);
        SameError<ArgumentException>(() => N.cross_entropy(x, tensor(1.0f)), () => L.cross_entropy(x, tensor(1.0f)), "input", "0-d probability target");
        SameError<ArgumentException>(() => N.cross_entropy(x, tensor(1.0f), ones(1)), () => L.cross_entropy(x, tensor(1.0f), ones(1)), "input",
            "0-d probability target, weight");
        SameError<ArgumentException>(() => N.cross_entropy(tensor(1L), tensor(1.0f)), () => L.cross_entropy(tensor(1L), tensor(1.0f)), "input",
            "0-d integer input");
        SameError<ArgumentException>(() => N.cross_entropy(x, tensor(1.0f), label_smoothing: 0.1),
            () => L.cross_entropy(x, tensor(1.0f), label_smoothing: 0.1), "input", "0-d probability target, label smoothing");
        SameError<ArgumentException>(() => N.cross_entropy(x, tensor(new long[] { 0 })), () => L.cross_entropy(x, tensor(new long[] { 0 })),
            "input", "0-d input, class index");
        SameError<ArgumentException>(() => N.cross_entropy(x, tensor(new long[] { 0, 1 }), label_smoothing: 0.1),
            () => L.cross_entropy(x, tensor(new long[] { 0, 1 }), label_smoothing: 0.1), "input", "0-d input, class indices, label smoothing");
        SameError<ArgumentException>(() => N.cross_entropy(x, tensor(1L)), () => L.cross_entropy(x, tensor(1L)), "target", "0-d integer target");
    }

    // ---- result dtype on mixed floating dtypes -----------------------------------------------------------------------

    private static readonly ScalarType[] Floating = { ScalarType.Float16, ScalarType.BFloat16, ScalarType.Float32, ScalarType.Float64 };

    /// <summary>
    /// Every pointwise loss on every pair of different floating dtypes, every reduction, same shape and broadcast: the
    /// result's dtype is libtorch's (and ours gives each operand a gradient of its own dtype). Measured: libtorch 2.10's
    /// huber_loss, soft_margin_loss and hinge_embedding_loss return the input's dtype (their output is allocated like the
    /// input: huber_loss(float16, float32) is float16, as TorchSharp's own huber_loss also gives); l1, mse, smooth_l1,
    /// kl_div, poisson_nll, BCE with logits (its target's dtype wins) and the others promote. Only the forward is compared
    /// with the witness: libtorch's backward on mixed dtypes (mse_loss(float16, bfloat16)) fails inside autograd, which ends
    /// a TorchSharp process.
    /// </summary>
    [TestMethod]
    public void MixedDtypeResultsHaveLibtorchsDtype()
    {
        Func<Tensor, Tensor> same = y => y, sign = y => y.sign(), positive = y => y.abs(), probability = y => y.sigmoid(),
            label = y => y.gt(0).to(y.dtype);
        var losses = new (string name, Func<Tensor, Tensor> target, Func<Tensor, Tensor, torch.nn.Reduction, Tensor> native,
            Func<Tensor, Tensor, torch.nn.Reduction, Tensor> ours, bool broadcasts, bool targetGrad)[]
        {
            ("l1_loss", same, (x, y, r) => N.l1_loss(x, y, r), (x, y, r) => L.l1_loss(x, y, r), true, true),
            ("mse_loss", same, (x, y, r) => N.mse_loss(x, y, r), (x, y, r) => L.mse_loss(x, y, r), true, true),
            ("smooth_l1_loss", same, (x, y, r) => N.smooth_l1_loss(x, y, r), (x, y, r) => L.smooth_l1_loss(x, y, r), true, true),
            ("huber_loss", same, (x, y, r) => N.huber_loss(x, y, 1.0, r), (x, y, r) => L.huber_loss(x, y, r), true, true),
            ("soft_margin_loss", sign, (x, y, r) => N.soft_margin_loss(x, y, r), (x, y, r) => L.soft_margin_loss(x, y, r), false, false),
            ("hinge_embedding_loss", sign, (x, y, r) => N.hinge_embedding_loss(x, y, reduction: r), (x, y, r) => L.hinge_embedding_loss(x, y, reduction: r), false, false),
            ("kl_div", same, (x, y, r) => N.kl_div(x, y, reduction: r), (x, y, r) => L.kl_div(x, y, r), true, true),
            ("poisson_nll_loss", positive, (x, y, r) => N.poisson_nll_loss(x, y, reduction: r), (x, y, r) => L.poisson_nll_loss(x, y, reduction: r), true, true),
            ("binary_cross_entropy_with_logits", probability, (x, y, r) => N.binary_cross_entropy_with_logits(x, y, reduction: r),
                (x, y, r) => L.binary_cross_entropy_with_logits(x, y, reduction: r), false, true),
            ("multilabel_soft_margin_loss", label, (x, y, r) => N.multilabel_soft_margin_loss(x, y, reduction: r),
                (x, y, r) => L.multilabel_soft_margin_loss(x, y, reduction: r), false, false),
        };
        int compared = 0;
        foreach (var (name, target, native, ours, broadcasts, targetGrad) in losses)
            foreach (var inputType in Floating)
                foreach (var targetType in Floating.Where(t => t != inputType))
                    foreach (var reduction in AllReductions)
                        foreach (var targetShape in broadcasts ? new[] { new long[] { 2, 3 }, new long[] { 3 } } : new[] { new long[] { 2, 3 } })
                        {
                            using var scope = NewDisposeScope();
                            var x = Normal(11, ScalarType.Float64, false, 2, 3).to(inputType);
                            var y = target(Normal(12, ScalarType.Float64, false, targetShape)).to(targetType);
                            string what = $"{name}({inputType}, {targetType}{(targetShape.Length == 1 ? ", broadcast" : "")}) {reduction}";
                            var expected = native(x, y, reduction);
                            var xg = x.detach().requires_grad_();
                            var yg = y.detach().requires_grad_(targetGrad);
                            var actual = ours(xg, yg, reduction);
                            Assert.AreEqual(expected.dtype, actual.dtype, what);
                            CollectionAssert.AreEqual(expected.shape, actual.shape, what);
                            var grads = autograd.grad(new[] { actual.sum() }, targetGrad ? new[] { xg, yg } : new[] { xg }, allow_unused: true);
                            Assert.AreEqual(inputType, grads[0]!.dtype, $"{what}: input gradient");
                            if (targetGrad) Assert.AreEqual(targetType, grads[1]!.dtype, $"{what}: target gradient");
                            compared++;
                        }
        Assert.AreEqual(6 * 12 * 3 * 2 + 4 * 12 * 3, compared);
    }

    // ---- CTC's length arrays -----------------------------------------------------------------------------------------

    [TestMethod]
    public void CtcNullLengthArraysNameTheParameter()
    {
        using var scope = NewDisposeScope();
        var logProbs = Normal(13, ScalarType.Float32, false, 5, 2, 4).log_softmax(2);
        var targets = tensor(new long[,] { { 1, 2 }, { 3, 1 } });
        Assert.AreEqual("input_lengths",
            Assert.ThrowsExactly<ArgumentNullException>(() => L.ctc_loss(logProbs, targets, null!, new long[] { 2, 2 })).ParamName);
        Assert.AreEqual("target_lengths",
            Assert.ThrowsExactly<ArgumentNullException>(() => L.ctc_loss(logProbs, targets, new long[] { 5, 5 }, null!)).ParamName);
    }

    // ---- the tensors a custom triplet distance returns ---------------------------------------------------------------

    /// <summary>
    /// The distances a user's function returns are the user's: a caller who keeps them (here: in a list, as for logging)
    /// still has them after the loss returns, and they go with the caller's dispose scope. Before, the loss's scope disposed
    /// them. Temporaries made inside the function are still released.
    /// </summary>
    [TestMethod]
    public void TripletDistanceResultsStayTheCallers()
    {
        var kept = new List<Tensor>();
        var temporaries = new List<Tensor>();
        Tensor Distance(Tensor u, Tensor v)
        {
            var difference = u - v;
            temporaries.Add(difference);
            var d = difference.abs().sum(-1);
            kept.Add(d);
            return d;
        }
        Tensor loss;
        using (var caller = NewDisposeScope())
        {
            var a = Normal(14, ScalarType.Float64, true, 4, 3);
            var p = Normal(15, ScalarType.Float64, false, 4, 3);
            var n = Normal(16, ScalarType.Float64, false, 4, 3);
            loss = L.triplet_margin_with_distance_loss(a, p, n, Distance, swap: true);
            Assert.AreEqual(3, kept.Count);
            Assert.IsTrue(kept.All(t => !t.IsInvalid), "the returned distances outlive the loss call");
            Assert.IsTrue(temporaries.All(t => t.IsInvalid), "the function's temporaries are released with the loss's scope");
            var expected = (kept[0] + 1.0 - torch.minimum(kept[1], kept[2])).clamp_min(0).mean();
            AssertClose(expected, loss.detach(), "the loss from the kept distances");
            loss.backward();
            Assert.IsNotNull(a.grad);
        }
        Assert.IsTrue(kept.All(t => t.IsInvalid), "they belong to the caller's scope");
        Assert.IsTrue(loss.IsInvalid);

        var returnsNull = Assert.ThrowsExactly<InvalidOperationException>(() =>
            L.triplet_margin_with_distance_loss(ones(2, 3), ones(2, 3), ones(2, 3), (_, _) => null!));
        StringAssert.Contains(returnsNull.Message, "distance_function returned null");
    }
}
