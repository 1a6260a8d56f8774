using F = TorchLosses.nn.functional;
using M = TorchLosses.nn;

namespace TorchLosses.Parity.Sweep;

public static partial class SweepLosses
{
    private const long Pixels = 3;

    /// <summary>Valid boxes (n, 4) as (x1, y1, x2, y2): corners in [0, 1), sides in [0.5, 1.5).</summary>
    private static Tensor Boxes(InputFactory f, ScalarType dtype, long n)
    {
        var values = new double[n * 4];
        for (long i = 0; i < n; i++)
        {
            double x = f.NextUniform(0, 1), y = f.NextUniform(0, 1);
            values[i * 4] = x;
            values[i * 4 + 1] = y;
            values[i * 4 + 2] = x + f.NextUniform(0.5, 1.5);
            values[i * 4 + 3] = y + f.NextUniform(0.5, 1.5);
        }
        return InputFactory.Values(values, dtype, new[] { n, 4L });
    }

    /// <summary>0/1 labels in the dtype, not differentiable.</summary>
    private static Tensor Binary(InputFactory f, ScalarType dtype, long[] shape) =>
        InputFactory.Values(Comparison.Read(f.Classes(2, shape)), dtype, shape, grad: false);

    private static string[] WithReduction(params string[] names) => names.Concat(new[] { "reduction" }).ToArray();

    /// <summary>
    /// The losses beyond PyTorch's: detection (focal, box IoU family, balanced L1), segmentation (soft overlaps), robust regression
    /// and contrastive/metric losses. libtorch has no op for any of them, so their calls have no witness: each must end in a clear
    /// error naming its argument or in a value (<see cref="Verdict.ValueWithoutWitness"/>); their values are checked against their
    /// float64 references in their own tests.
    /// </summary>
    private static IEnumerable<SweepLoss> BeyondPyTorch()
    {
        var input = new SweepArgument("input", ArgumentKind.Floating, Differentiable: true);
        var target = new SweepArgument("target", ArgumentKind.Floating, Differentiable: true);
        var constantTarget = new SweepArgument("target", ArgumentKind.Floating);
        var indexTarget = new SweepArgument("target", ArgumentKind.Index);
        var weight = new SweepArgument("weight", ArgumentKind.Floating, Optional: true);
        Tensor?[] Floating(InputFactory f, ScalarType dt, long n) => new Tensor?[] { f.Normal(dt, Rows(n)), f.Normal(dt, Rows(n)) };

        // Detection.
        yield return new()
        {
            Name = "sigmoid_focal",
            Arguments = new[] { new SweepArgument("inputs", ArgumentKind.Floating, Differentiable: true), new SweepArgument("targets", ArgumentKind.Floating, Differentiable: true) },
            Parameters = new[] { new SweepParameter("alpha", 0.25), new SweepParameter("gamma", 2.0) },
            Make = (f, dt, n) => new Tensor?[] { f.Normal(dt, Rows(n)), f.Uniform(dt, Rows(n), 0, 1) },
            Functional = (a, p) => F.sigmoid_focal_loss(T(a[0]), T(a[1]), p[0], p[1]),
            Module = (a, p) => M.SigmoidFocalLoss(p[0], p[1]).forward(T(a[0]), T(a[1])),
            Names = WithReduction("inputs", "targets", "alpha", "gamma"),
        };
        yield return new()
        {
            Name = "softmax_focal",
            Arguments = new[] { input, indexTarget, weight },
            Parameters = new[] { new SweepParameter("gamma", 2.0) },
            Make = (f, dt, n) => new Tensor?[] { f.Normal(dt, Rows(n)), f.Classes(Classes, new[] { n }), f.Uniform(dt, new[] { Classes }, 0.5, 1.5, grad: false) },
            Functional = (a, p) => F.softmax_focal_loss(T(a[0]), T(a[1]), a[2], p[0]),
            Module = (a, p) => M.SoftmaxFocalLoss(a[2], p[0]).forward(T(a[0]), T(a[1])),
            Names = WithReduction("input", "target", "weight", "gamma", "ignore_index"),
        };
        foreach (var (name, functional, module) in new (string, Func<Tensor, Tensor, double, Tensor>, Func<double, Modules.BoxIouLoss>)[]
                 {
                     ("box_iou", (x, y, e) => F.box_iou_loss(x, y, eps: e), e => M.BoxIouLoss(eps: e)),
                     ("generalized_box_iou", (x, y, e) => F.generalized_box_iou_loss(x, y, eps: e), e => M.GeneralizedBoxIouLoss(eps: e)),
                     ("distance_box_iou", (x, y, e) => F.distance_box_iou_loss(x, y, eps: e), e => M.DistanceBoxIouLoss(eps: e)),
                     ("complete_box_iou", (x, y, e) => F.complete_box_iou_loss(x, y, eps: e), e => M.CompleteBoxIouLoss(eps: e)),
                 })
            yield return new()
            {
                Name = name,
                Arguments = new[] { new SweepArgument("boxes1", ArgumentKind.Floating, Differentiable: true), new SweepArgument("boxes2", ArgumentKind.Floating, Differentiable: true) },
                Parameters = new[] { new SweepParameter("eps", 1e-7) },
                Make = (f, dt, n) => new Tensor?[] { Boxes(f, dt, n), Boxes(f, dt, n) },
                Functional = (a, p) => functional(T(a[0]), T(a[1]), p[0]),
                Module = (a, p) => module(p[0]).forward(T(a[0]), T(a[1])),
                Names = WithReduction("boxes1", "boxes2", "eps"),
            };
        yield return Pair("balanced_l1", (x, y, p) => F.balanced_l1_loss(x, y, p[0], p[1], p[2]), (x, y, p) => M.BalancedL1Loss(p[0], p[1], p[2]).forward(x, y), null,
            new SweepParameter("alpha", 0.5), new SweepParameter("gamma", 1.5), new SweepParameter("beta", 1.0));

        // Segmentation: multiclass logits (N, C, P) against class indices (N, P).
        var overlapNames = WithReduction("input", "target", "mode", "classes", "log_loss", "from_logits", "smooth", "ignore_index", "eps", "alpha", "beta", "gamma");
        Tensor?[] Segments(InputFactory f, ScalarType dt, long n) => new Tensor?[] { f.Normal(dt, new[] { n, Classes, Pixels }), f.Classes(Classes, new[] { n, Pixels }) };
        var smooth = new SweepParameter("smooth", 0.0);
        var eps = new SweepParameter("eps", 1e-7);
        yield return new()
        {
            Name = "dice", Arguments = new[] { input, indexTarget }, Parameters = new[] { smooth, eps }, Make = Segments, Names = overlapNames,
            Functional = (a, p) => F.dice_loss(T(a[0]), T(a[1]), smooth: p[0], eps: p[1]),
            Module = (a, p) => M.DiceLoss(smooth: p[0], eps: p[1]).forward(T(a[0]), T(a[1])),
        };
        yield return new()
        {
            Name = "jaccard", Arguments = new[] { input, indexTarget }, Parameters = new[] { smooth, eps }, Make = Segments, Names = overlapNames,
            Functional = (a, p) => F.jaccard_loss(T(a[0]), T(a[1]), smooth: p[0], eps: p[1]),
            Module = (a, p) => M.JaccardLoss(smooth: p[0], eps: p[1]).forward(T(a[0]), T(a[1])),
        };
        yield return new()
        {
            Name = "tversky", Arguments = new[] { input, indexTarget }, Make = Segments, Names = overlapNames,
            Parameters = new[] { smooth, eps, new SweepParameter("alpha", 0.5), new SweepParameter("beta", 0.5), new SweepParameter("gamma", 1.0) },
            Functional = (a, p) => F.tversky_loss(T(a[0]), T(a[1]), smooth: p[0], eps: p[1], alpha: p[2], beta: p[3], gamma: p[4]),
            Module = (a, p) => M.TverskyLoss(smooth: p[0], eps: p[1], alpha: p[2], beta: p[3], gamma: p[4]).forward(T(a[0]), T(a[1])),
        };
        yield return new()
        {
            Name = "focal_tversky", Arguments = new[] { input, indexTarget }, Make = Segments, Names = overlapNames,
            Parameters = new[] { smooth, eps, new SweepParameter("alpha", 0.7), new SweepParameter("beta", 0.3), new SweepParameter("gamma", 0.75) },
            Functional = (a, p) => F.focal_tversky_loss(T(a[0]), T(a[1]), smooth: p[0], eps: p[1], alpha: p[2], beta: p[3], gamma: p[4]),
            Module = (a, p) => M.FocalTverskyLoss(smooth: p[0], eps: p[1], alpha: p[2], beta: p[3], gamma: p[4]).forward(T(a[0]), T(a[1])),
        };

        // Robust regression.
        yield return Pair("barron", (x, y, p) => F.barron_loss(x, y, p[0], p[1]), (x, y, p) => M.BarronLoss(p[0], p[1]).forward(x, y), null,
            new SweepParameter("alpha", 1.0), new SweepParameter("scale", 1.0));
        var alphaTensor = new SweepArgument("alpha", ArgumentKind.Floating, Differentiable: true);
        var scaleTensor = new SweepArgument("scale", ArgumentKind.Floating, Differentiable: true);
        Tensor?[] WithShape(InputFactory f, ScalarType dt, long n) => new Tensor?[]
        {
            f.Normal(dt, Rows(n)), f.Normal(dt, Rows(n)), f.Uniform(dt, new[] { Classes }, 0.2, 1.8), f.Uniform(dt, new[] { Classes }, 0.5, 1.5),
        };
        yield return new()
        {
            Name = "barron(tensor alpha, scale)", Arguments = new[] { input, target, alphaTensor, scaleTensor }, Make = WithShape,
            Functional = (a, _) => F.barron_loss(T(a[0]), T(a[1]), T(a[2]), T(a[3])),
            Names = WithReduction("input", "target", "alpha", "scale"),
        };
        yield return new()
        {
            Name = "barron_nll", Arguments = new[] { input, target, alphaTensor, scaleTensor }, Make = WithShape,
            Functional = (a, _) => F.barron_nll_loss(T(a[0]), T(a[1]), T(a[2]), T(a[3])),
            Names = WithReduction("input", "target", "alpha", "scale"),
        };
        yield return new()
        {
            Name = "AdaptiveRobustLoss", Arguments = new[] { input, target }, Make = Floating,
            Module = (a, _) => M.AdaptiveRobustLoss().forward(T(a[0]), T(a[1])),
            Names = WithReduction("input", "target", "num_dims", "alpha_lo", "alpha_hi", "alpha_init", "scale_lo", "scale_init", "dtype", "device"),
        };
        yield return Pair("log_cosh", (x, y, _) => F.log_cosh_loss(x, y), (x, y, _) => M.LogCoshLoss().forward(x, y), null);
        yield return Pair("pseudo_huber", (x, y, p) => F.pseudo_huber_loss(x, y, delta: p[0]), (x, y, p) => M.PseudoHuberLoss(delta: p[0]).forward(x, y), null,
            new SweepParameter("delta", 1.0));
        yield return Pair("charbonnier", (x, y, p) => F.charbonnier_loss(x, y, epsilon: p[0]), (x, y, p) => M.CharbonnierLoss(epsilon: p[0]).forward(x, y), null,
            new SweepParameter("epsilon", 1e-3));
        yield return Pair("wing", (x, y, p) => F.wing_loss(x, y, omega: p[0], epsilon: p[1]), (x, y, p) => M.WingLoss(omega: p[0], epsilon: p[1]).forward(x, y), null,
            new SweepParameter("omega", 10), new SweepParameter("epsilon", 2));
        yield return Pair("adaptive_wing",
            (x, y, p) => F.adaptive_wing_loss(x, y, alpha: p[0], omega: p[1], epsilon: p[2], theta: p[3]),
            (x, y, p) => M.AdaptiveWingLoss(alpha: p[0], omega: p[1], epsilon: p[2], theta: p[3]).forward(x, y), null,
            new SweepParameter("alpha", 2.1), new SweepParameter("omega", 14), new SweepParameter("epsilon", 1), new SweepParameter("theta", 0.5));
        yield return Pair("quantile", (x, y, p) => F.quantile_loss(x, y, quantile: p[0]), (x, y, p) => M.QuantileLoss(quantile: p[0]).forward(x, y), null,
            new SweepParameter("quantile", 0.5));
        yield return new()
        {
            Name = "quantile(tensor quantiles)",
            Arguments = new[] { input, target, new SweepArgument("quantiles", ArgumentKind.Floating) },
            Make = (f, dt, n) => new Tensor?[] { f.Normal(dt, Rows(n)), f.Normal(dt, Rows(n)), f.Uniform(dt, new[] { Classes }, 0.1, 0.9, grad: false) },
            Functional = (a, _) => F.quantile_loss(T(a[0]), T(a[1]), T(a[2])),
            Module = (a, _) => M.QuantileLoss(T(a[2])).forward(T(a[0]), T(a[1])),
            Names = WithReduction("input", "target", "quantiles"),
        };

        // Contrastive and metric learning: embeddings (N, D).
        var temperature = new SweepParameter("temperature", 0.07);
        long[] Embeddings(long n) => new[] { n, Features };
        yield return new()
        {
            Name = "contrastive",
            Arguments = new[] { new SweepArgument("input1", ArgumentKind.Floating, Differentiable: true), new SweepArgument("input2", ArgumentKind.Floating, Differentiable: true), constantTarget },
            Parameters = new[] { new SweepParameter("margin", 1.0) },
            Make = (f, dt, n) => new Tensor?[] { f.Normal(dt, Embeddings(n)), f.Normal(dt, Embeddings(n)), Binary(f, dt, new[] { n }) },
            Functional = (a, p) => F.contrastive_loss(T(a[0]), T(a[1]), T(a[2]), p[0]),
            Module = (a, p) => M.ContrastiveLoss(p[0]).forward(T(a[0]), T(a[1]), T(a[2])),
            Names = WithReduction("input1", "input2", "target", "margin"),
        };
        yield return new()
        {
            Name = "supcon",
            Arguments = new[] { new SweepArgument("features", ArgumentKind.Floating, Differentiable: true), new SweepArgument("labels", ArgumentKind.Index) },
            Parameters = new[] { temperature },
            Make = (f, dt, n) => new Tensor?[] { f.Normal(dt, Embeddings(n)), f.Classes(2, new[] { n }) },
            Functional = (a, p) => F.supcon_loss(T(a[0]), T(a[1]), p[0]),
            Module = (a, p) => M.SupConLoss(p[0]).forward(T(a[0]), T(a[1])),
            Names = WithReduction("features", "labels", "temperature"),
        };
        yield return new()
        {
            Name = "info_nce",
            Arguments = new[]
            {
                new SweepArgument("query", ArgumentKind.Floating, Differentiable: true), new SweepArgument("positive_key", ArgumentKind.Floating, Differentiable: true),
                new SweepArgument("negative_keys", ArgumentKind.Floating, Optional: true, Differentiable: true),
            },
            Parameters = new[] { temperature },
            Make = (f, dt, n) => new Tensor?[] { f.Normal(dt, Embeddings(n)), f.Normal(dt, Embeddings(n)), f.Normal(dt, new[] { 2L, Features }) },
            Functional = (a, p) => F.info_nce_loss(T(a[0]), T(a[1]), a[2], p[0]),
            Module = (a, p) => a[2] is null ? M.InfoNCELoss(p[0]).forward(T(a[0]), T(a[1])) : M.InfoNCELoss(p[0]).forward(T(a[0]), T(a[1]), a[2]!),
            Names = WithReduction("query", "positive_key", "negative_keys", "temperature"),
        };
        yield return new()
        {
            Name = "nt_xent",
            Arguments = new[] { new SweepArgument("z1", ArgumentKind.Floating, Differentiable: true), new SweepArgument("z2", ArgumentKind.Floating, Differentiable: true) },
            Parameters = new[] { temperature },
            Make = (f, dt, n) => new Tensor?[] { f.Normal(dt, Embeddings(n)), f.Normal(dt, Embeddings(n)) },
            Functional = (a, p) => F.nt_xent_loss(T(a[0]), T(a[1]), p[0]),
            Module = (a, p) => M.NTXentLoss(p[0]).forward(T(a[0]), T(a[1])),
            Names = WithReduction("z1", "z2", "temperature"),
        };
        foreach (var (name, margin, module) in new (string, double, Func<double, double, Modules.MarginSoftmaxLoss>)[]
                 {
                     ("ArcFaceLoss", 0.5, (m, s) => M.ArcFaceLoss(Classes, Features, m, s)),
                     ("CosFaceLoss", 0.35, (m, s) => M.CosFaceLoss(Classes, Features, m, s)),
                 })
            yield return new()
            {
                Name = name,
                Arguments = new[] { new SweepArgument("embeddings", ArgumentKind.Floating, Differentiable: true), new SweepArgument("labels", ArgumentKind.Index) },
                Parameters = new[] { new SweepParameter("margin", margin), new SweepParameter("scale", 64) },
                Make = (f, dt, n) => new Tensor?[] { f.Normal(dt, Embeddings(n)), f.Classes(Classes, new[] { n }) },
                Module = (a, p) =>
                {
                    using var head = module(p[0], p[1]);
                    return head.forward(T(a[0]), T(a[1]));
                },
                Names = WithReduction("embeddings", "labels", "num_classes", "embedding_size", "margin", "scale", "dtype", "device"),
            };
    }
}
