using F = TorchLosses.nn.functional;
using M = TorchLosses.nn;
using N = TorchLosses.Parity.Aten;
using R = TorchSharp.torch.nn.Reduction;

namespace TorchLosses.Parity.Sweep;

/// <summary>What a tensor argument holds, which decides how the sweep perturbs it.</summary>
public enum ArgumentKind
{
    /// <summary>Floating values in the case's dtype (inputs, targets, weights).</summary>
    Floating,

    /// <summary>Integer class indices or labels (int64).</summary>
    Index,

    /// <summary>Integer sequence lengths (int64).</summary>
    Lengths,
}

/// <summary>A tensor argument of a loss: its name as the functional spells it, what it holds, whether it may be omitted
/// (null means "none"), and whether PyTorch differentiates the loss with respect to it.</summary>
public sealed record SweepArgument(string Name, ArgumentKind Kind, bool Optional = false, bool Differentiable = false);

/// <summary>A double hyperparameter of a loss with a typical value.</summary>
public sealed record SweepParameter(string Name, double Typical);

/// <summary>
/// One loss as the sweep calls it: valid arguments for a dtype and batch size, the functional and module forms of
/// TorchLosses, and the libtorch witness (<see cref="Aten"/>) where one exists, each taking the tensor arguments in the order
/// of <see cref="Arguments"/> and the double hyperparameters in the order of <see cref="Parameters"/>.
/// </summary>
public sealed class SweepLoss
{
    /// <summary>The functional's name without <c>_loss</c>, with a variant label where one loss is swept twice.</summary>
    public required string Name { get; init; }

    /// <summary>The tensor arguments, in order.</summary>
    public required SweepArgument[] Arguments { get; init; }

    /// <summary>The double hyperparameters, in order.</summary>
    public SweepParameter[] Parameters { get; init; } = Array.Empty<SweepParameter>();

    /// <summary>Valid arguments: floating ones in the dtype, with a batch of the given size (0 for empty ones).</summary>
    public required Func<InputFactory, ScalarType, long, Tensor?[]> Make { get; init; }

    /// <summary>The functional form, <c>TorchLosses.nn.functional.*</c> (null for a loss that is a module only: ArcFace, CosFace,
    /// the adaptive robust loss, whose parameters the module owns).</summary>
    public Func<Tensor?[], double[], Tensor>? Functional { get; init; }

    /// <summary>The module form: the factory in <c>TorchLosses.nn</c> (weights go to its constructor), then forward (null for a
    /// functional without a module of its signature: Barron's tensor-parameter overload, barron_nll).</summary>
    public Func<Tensor?[], double[], Tensor>? Module { get; init; }

    /// <summary>The forms the loss has, functional first.</summary>
    public string[] Forms => new[] { Functional is null ? null : "functional", Module is null ? null : "module" }.OfType<string>().ToArray();

    /// <summary>The form the full sweep and the hyperparameter sweep go through: the functional, or the module where there is none.</summary>
    public string MainForm => Forms[0];

    /// <summary>The call in the given form.</summary>
    public Func<Tensor?[], double[], Tensor> Form(string form) => (form == "module" ? Module : Functional)
        ?? throw new InvalidOperationException($"{Name} has no {form} form");

    /// <summary>libtorch's own op (null where ATen has none: Gaussian NLL is composed in Python).</summary>
    public Func<Tensor?[], double[], Tensor>? Native { get; init; }

    /// <summary>Every argument name of the loss (tensors, hyperparameters, reduction and the others), for "names its argument".</summary>
    public required string[] Names { get; init; }

    /// <summary>The typical value of each hyperparameter.</summary>
    public double[] TypicalParameters => Parameters.Select(p => p.Typical).ToArray();
}

/// <summary>The losses the sweep covers: all 21 of PyTorch's, Poisson NLL twice (its eps acts only without log input), and the
/// families beyond PyTorch's (detection, segmentation, robust, contrastive; <see cref="BeyondPyTorch"/>).</summary>
public static partial class SweepLosses
{
    private const long Classes = 4;
    private const long Features = 5;

    private static long[] Rows(long n) => new[] { n, Classes };

    private static Tensor Signs(InputFactory f, ScalarType dtype, long[] shape) =>
        InputFactory.Values(Enumerable.Range(0, (int)InputFactory.Count(shape)).Select(_ => f.NextInteger(0, 2) == 0 ? -1.0 : 1.0).ToArray(),
            dtype, shape, grad: false);

    private static Tensor LogProbabilities(InputFactory f, ScalarType dtype, long[] shape, long dim)
    {
        using var scope = NewDisposeScope();
        var p = f.Probabilities(ScalarType.Float64, shape, dim, grad: false);
        return scope.MoveToOuter(InputFactory.Values(Comparison.Read(p.log()), dtype, shape, grad: true));
    }

    private static Tensor MultiLabelTargets(InputFactory f, long n)
    {
        var values = new long[n * Classes];
        for (long i = 0; i < n; i++)
        {
            var order = Enumerable.Range(0, (int)Classes).OrderBy(_ => f.NextUniform(0, 1)).ToArray();
            long labels = f.NextInteger(1, Classes);
            for (long c = 0; c < Classes; c++) values[i * Classes + c] = c < labels ? order[c] : -1;
        }
        return tensor(values, Rows(n));
    }

    private static Tensor T(Tensor? t) => t!;

    /// <summary>The sweep's losses.</summary>
    public static IReadOnlyList<SweepLoss> All { get; } = Build();

    private static SweepLoss Pair(string name, Func<Tensor, Tensor, double[], Tensor> functional, Func<Tensor, Tensor, double[], Tensor> module,
        Func<Tensor, Tensor, double[], Tensor>? native, params SweepParameter[] parameters) => new()
    {
        Name = name,
        Arguments = new[] { new SweepArgument("input", ArgumentKind.Floating, Differentiable: true), new SweepArgument("target", ArgumentKind.Floating, Differentiable: true) },
        Parameters = parameters,
        Make = (f, dt, n) => new Tensor?[] { f.Normal(dt, Rows(n)), f.Normal(dt, Rows(n)) },
        Functional = (a, p) => functional(T(a[0]), T(a[1]), p),
        Module = (a, p) => module(T(a[0]), T(a[1]), p),
        Native = native is null ? null : (a, p) => native(T(a[0]), T(a[1]), p),
        Names = new[] { "input", "target", "reduction" }.Concat(parameters.Select(q => q.Name)).ToArray(),
    };

    private static IReadOnlyList<SweepLoss> Build()
    {
        var input = new SweepArgument("input", ArgumentKind.Floating, Differentiable: true);
        var floatTarget = new SweepArgument("target", ArgumentKind.Floating, Differentiable: true);
        var constantTarget = new SweepArgument("target", ArgumentKind.Floating);
        var indexTarget = new SweepArgument("target", ArgumentKind.Index);
        var weight = new SweepArgument("weight", ArgumentKind.Floating, Optional: true);
        string[] Names(params string[] names) => names.Concat(new[] { "reduction" }).ToArray();

        return new List<SweepLoss>
        {
            Pair("l1", (x, y, _) => F.l1_loss(x, y), (x, y, _) => M.L1Loss().forward(x, y), (x, y, _) => N.l1_loss(x, y)),
            Pair("mse", (x, y, _) => F.mse_loss(x, y), (x, y, _) => M.MSELoss().forward(x, y), (x, y, _) => N.mse_loss(x, y)),
            Pair("smooth_l1", (x, y, p) => F.smooth_l1_loss(x, y, beta: p[0]), (x, y, p) => M.SmoothL1Loss(beta: p[0]).forward(x, y),
                (x, y, p) => N.smooth_l1_loss(x, y, beta: p[0]), new SweepParameter("beta", 1.0)),
            Pair("huber", (x, y, p) => F.huber_loss(x, y, delta: p[0]), (x, y, p) => M.HuberLoss(delta: p[0]).forward(x, y),
                (x, y, p) => N.huber_loss(x, y, delta: p[0]), new SweepParameter("delta", 1.0)),
            CrossEntropy("cross_entropy", indexTarget, (f, dt, n) => f.Classes(Classes, new[] { n })),
            CrossEntropy("cross_entropy(probabilities)", floatTarget, (f, dt, n) => f.Probabilities(dt, Rows(n), 1)),
            new()
            {
                Name = "nll",
                Arguments = new[] { input, indexTarget, weight },
                Make = (f, dt, n) => new Tensor?[] { LogProbabilities(f, dt, Rows(n), 1), f.Classes(Classes, new[] { n }), f.Uniform(dt, new[] { Classes }, 0.5, 1.5, grad: false) },
                Functional = (a, _) => F.nll_loss(T(a[0]), T(a[1]), a[2]),
                Module = (a, _) => M.NLLLoss(a[2]).forward(T(a[0]), T(a[1])),
                Native = (a, _) => N.nll_loss(T(a[0]), T(a[1]), a[2]),
                Names = Names("input", "target", "weight", "ignore_index"),
            },
            new()
            {
                Name = "kl_div",
                Arguments = new[] { input, floatTarget },
                Make = (f, dt, n) => new Tensor?[] { LogProbabilities(f, dt, Rows(n), 1), f.Probabilities(dt, Rows(n), 1) },
                Functional = (a, _) => F.kl_div(T(a[0]), T(a[1]), R.Sum),
                Module = (a, _) => M.KLDivLoss(R.Sum).forward(T(a[0]), T(a[1])),
                Native = (a, _) => N.kl_div(T(a[0]), T(a[1]), reduction: R.Sum),
                Names = Names("input", "target", "log_target"),
            },
            new()
            {
                Name = "binary_cross_entropy",
                Arguments = new[] { input, floatTarget, weight },
                Make = (f, dt, n) => new Tensor?[] { f.Uniform(dt, Rows(n), 0.05, 0.95), f.Uniform(dt, Rows(n), 0, 1), f.Uniform(dt, Rows(n), 0.5, 1.5, grad: false) },
                Functional = (a, _) => F.binary_cross_entropy(T(a[0]), T(a[1]), a[2]),
                Module = (a, _) => M.BCELoss(a[2]).forward(T(a[0]), T(a[1])),
                Native = (a, _) => N.binary_cross_entropy(T(a[0]), T(a[1]), a[2]),
                Names = Names("input", "target", "weight"),
            },
            new()
            {
                Name = "binary_cross_entropy_with_logits",
                Arguments = new[] { input, floatTarget, weight, new SweepArgument("pos_weight", ArgumentKind.Floating, Optional: true) },
                Make = (f, dt, n) => new Tensor?[]
                {
                    f.Normal(dt, Rows(n)), f.Uniform(dt, Rows(n), 0, 1), f.Uniform(dt, new[] { Classes }, 0.5, 1.5, grad: false),
                    f.Uniform(dt, new[] { Classes }, 0.5, 1.5, grad: false),
                },
                Functional = (a, _) => F.binary_cross_entropy_with_logits(T(a[0]), T(a[1]), a[2], pos_weight: a[3]),
                Module = (a, _) => M.BCEWithLogitsLoss(a[2], pos_weight: a[3]).forward(T(a[0]), T(a[1])),
                Native = (a, _) => N.binary_cross_entropy_with_logits(T(a[0]), T(a[1]), a[2], pos_weight: a[3]),
                Names = Names("input", "target", "weight", "pos_weight"),
            },
            new()
            {
                Name = "margin_ranking",
                Arguments = new[] { new SweepArgument("input1", ArgumentKind.Floating, Differentiable: true), new SweepArgument("input2", ArgumentKind.Floating, Differentiable: true), constantTarget },
                Parameters = new[] { new SweepParameter("margin", 0.5) },
                Make = (f, dt, n) => new Tensor?[] { f.Normal(dt, new[] { n }), f.Normal(dt, new[] { n }), Signs(f, dt, new[] { n }) },
                Functional = (a, p) => F.margin_ranking_loss(T(a[0]), T(a[1]), T(a[2]), p[0]),
                Module = (a, p) => M.MarginRankingLoss(p[0]).forward(T(a[0]), T(a[1]), T(a[2])),
                Native = (a, p) => N.margin_ranking_loss(T(a[0]), T(a[1]), T(a[2]), p[0]),
                Names = Names("input1", "input2", "target", "margin"),
            },
            new()
            {
                Name = "hinge_embedding",
                Arguments = new[] { input, constantTarget },
                Parameters = new[] { new SweepParameter("margin", 1.0) },
                Make = (f, dt, n) => new Tensor?[] { f.Normal(dt, Rows(n)), Signs(f, dt, Rows(n)) },
                Functional = (a, p) => F.hinge_embedding_loss(T(a[0]), T(a[1]), p[0]),
                Module = (a, p) => M.HingeEmbeddingLoss(p[0]).forward(T(a[0]), T(a[1])),
                Native = (a, p) => N.hinge_embedding_loss(T(a[0]), T(a[1]), p[0]),
                Names = Names("input", "target", "margin"),
            },
            new()
            {
                Name = "multilabel_margin",
                Arguments = new[] { input, indexTarget },
                Make = (f, dt, n) => new Tensor?[] { f.Normal(dt, Rows(n)), MultiLabelTargets(f, n) },
                Functional = (a, _) => F.multilabel_margin_loss(T(a[0]), T(a[1])),
                Module = (a, _) => M.MultiLabelMarginLoss().forward(T(a[0]), T(a[1])),
                Native = (a, _) => N.multilabel_margin_loss(T(a[0]), T(a[1])),
                Names = Names("input", "target"),
            },
            new()
            {
                Name = "soft_margin",
                Arguments = new[] { input, constantTarget },
                Make = (f, dt, n) => new Tensor?[] { f.Normal(dt, Rows(n)), Signs(f, dt, Rows(n)) },
                Functional = (a, _) => F.soft_margin_loss(T(a[0]), T(a[1])),
                Module = (a, _) => M.SoftMarginLoss().forward(T(a[0]), T(a[1])),
                Native = (a, _) => N.soft_margin_loss(T(a[0]), T(a[1])),
                Names = Names("input", "target"),
            },
            new()
            {
                Name = "cosine_embedding",
                Arguments = new[] { new SweepArgument("input1", ArgumentKind.Floating, Differentiable: true), new SweepArgument("input2", ArgumentKind.Floating, Differentiable: true), constantTarget },
                Parameters = new[] { new SweepParameter("margin", 0.2) },
                Make = (f, dt, n) => new Tensor?[] { f.Normal(dt, new[] { n, Features }), f.Normal(dt, new[] { n, Features }), Signs(f, dt, new[] { n }) },
                Functional = (a, p) => F.cosine_embedding_loss(T(a[0]), T(a[1]), T(a[2]), p[0]),
                Module = (a, p) => M.CosineEmbeddingLoss(p[0]).forward(T(a[0]), T(a[1]), T(a[2])),
                Native = (a, p) => N.cosine_embedding_loss(T(a[0]), T(a[1]), T(a[2]), p[0]),
                Names = Names("input1", "input2", "target", "margin"),
            },
            new()
            {
                Name = "multi_margin",
                Arguments = new[] { input, indexTarget, weight },
                Parameters = new[] { new SweepParameter("margin", 1.0) },
                Make = (f, dt, n) => new Tensor?[] { f.Normal(dt, Rows(n)), f.Classes(Classes, new[] { n }), f.Uniform(dt, new[] { Classes }, 0.5, 1.5, grad: false) },
                Functional = (a, p) => F.multi_margin_loss(T(a[0]), T(a[1]), 1, p[0], a[2]),
                Module = (a, p) => M.MultiMarginLoss(1, p[0], a[2]).forward(T(a[0]), T(a[1])),
                Native = (a, p) => N.multi_margin_loss(T(a[0]), T(a[1]), 1, p[0], a[2]),
                Names = Names("input", "target", "p", "margin", "weight"),
            },
            Triplet("triplet_margin",
                (a, p) => F.triplet_margin_loss(T(a[0]), T(a[1]), T(a[2]), p[0], p[1], p[2]),
                (a, p) => M.TripletMarginLoss(p[0], p[1], p[2]).forward(T(a[0]), T(a[1]), T(a[2])),
                (a, p) => N.triplet_margin_loss(T(a[0]), T(a[1]), T(a[2]), p[0], p[1], p[2]),
                new[] { "margin", "p", "eps", "swap" },
                new SweepParameter("margin", 1.0), new SweepParameter("p", 2.0), new SweepParameter("eps", 1e-6)),
            // PyTorch's default distance is pairwise_distance (p = 2, eps = 1e-6): the triplet margin op with those is its witness.
            Triplet("triplet_margin_with_distance",
                (a, p) => F.triplet_margin_with_distance_loss(T(a[0]), T(a[1]), T(a[2]), margin: p[0]),
                (a, p) => M.TripletMarginWithDistanceLoss(margin: p[0]).forward(T(a[0]), T(a[1]), T(a[2])),
                (a, p) => N.triplet_margin_loss(T(a[0]), T(a[1]), T(a[2]), p[0], 2.0, 1e-6),
                new[] { "distance_function", "margin", "swap" },
                new SweepParameter("margin", 1.0)),
            new()
            {
                Name = "poisson_nll",
                Arguments = new[] { input, floatTarget },
                Parameters = new[] { new SweepParameter("eps", 1e-8) },
                Make = (f, dt, n) => new Tensor?[] { f.Normal(dt, Rows(n)), f.Uniform(dt, Rows(n), 0, 3) },
                Functional = (a, p) => F.poisson_nll_loss(T(a[0]), T(a[1]), eps: p[0]),
                Module = (a, p) => M.PoissonNLLLoss(eps: p[0]).forward(T(a[0]), T(a[1])),
                Native = (a, p) => N.poisson_nll_loss(T(a[0]), T(a[1]), eps: p[0]),
                Names = Names("input", "target", "log_input", "full", "eps"),
            },
            new()
            {
                Name = "poisson_nll(log_input=false,full)",
                Arguments = new[] { input, floatTarget },
                Parameters = new[] { new SweepParameter("eps", 1e-8) },
                Make = (f, dt, n) => new Tensor?[] { f.Uniform(dt, Rows(n), 0.1, 2), f.Uniform(dt, Rows(n), 0.5, 3) },
                Functional = (a, p) => F.poisson_nll_loss(T(a[0]), T(a[1]), log_input: false, full: true, eps: p[0]),
                Module = (a, p) => M.PoissonNLLLoss(log_input: false, full: true, eps: p[0]).forward(T(a[0]), T(a[1])),
                Native = (a, p) => N.poisson_nll_loss(T(a[0]), T(a[1]), log_input: false, full: true, eps: p[0]),
                Names = Names("input", "target", "log_input", "full", "eps"),
            },
            new()
            {
                Name = "gaussian_nll",
                Arguments = new[] { input, floatTarget, new SweepArgument("var", ArgumentKind.Floating, Differentiable: true) },
                Parameters = new[] { new SweepParameter("eps", 1e-6) },
                Make = (f, dt, n) => new Tensor?[] { f.Normal(dt, Rows(n)), f.Normal(dt, Rows(n)), f.Uniform(dt, Rows(n), 0.5, 1.5) },
                Functional = (a, p) => F.gaussian_nll_loss(T(a[0]), T(a[1]), T(a[2]), eps: p[0]),
                Module = (a, p) => M.GaussianNLLLoss(eps: p[0]).forward(T(a[0]), T(a[1]), T(a[2])),
                Names = Names("input", "target", "var", "full", "eps"),
            },
            new()
            {
                Name = "multilabel_soft_margin",
                Arguments = new[] { input, constantTarget, weight },
                Make = (f, dt, n) => new Tensor?[]
                {
                    f.Normal(dt, Rows(n)), InputFactory.Values(Comparison.Read(f.Classes(2, Rows(n))), dt, Rows(n), grad: false),
                    f.Uniform(dt, new[] { Classes }, 0.5, 1.5, grad: false),
                },
                Functional = (a, _) => F.multilabel_soft_margin_loss(T(a[0]), T(a[1]), a[2]),
                Module = (a, _) => M.MultiLabelSoftMarginLoss(a[2]).forward(T(a[0]), T(a[1])),
                Native = (a, _) => N.multilabel_soft_margin_loss(T(a[0]), T(a[1]), a[2]),
                Names = Names("input", "target", "weight"),
            },
            new()
            {
                Name = "ctc",
                Arguments = new[]
                {
                    new SweepArgument("log_probs", ArgumentKind.Floating, Differentiable: true), new SweepArgument("targets", ArgumentKind.Index),
                    new SweepArgument("input_lengths", ArgumentKind.Lengths), new SweepArgument("target_lengths", ArgumentKind.Lengths),
                },
                Make = (f, dt, n) => new Tensor?[]
                {
                    LogProbabilities(f, dt, new[] { 6L, n, Classes }, 2),
                    f.Classes(Classes - 1, new[] { n, 2L }).add_(Scalars.One, Scalars.One),
                    full(new[] { n }, Scalars.Int6, ScalarType.Int64), full(new[] { n }, Scalars.Two, ScalarType.Int64),
                },
                Functional = (a, _) => F.ctc_loss(T(a[0]), T(a[1]), T(a[2]), T(a[3])),
                Module = (a, _) => M.CTCLoss().forward(T(a[0]), T(a[1]), T(a[2]), T(a[3])),
                Native = (a, _) => N.ctc_loss(T(a[0]), T(a[1]), T(a[2]), T(a[3])),
                Names = Names("log_probs", "targets", "input_lengths", "target_lengths", "blank", "zero_infinity"),
            },
        }.Concat(BeyondPyTorch()).ToList();
    }

    private static SweepLoss CrossEntropy(string name, SweepArgument target, Func<InputFactory, ScalarType, long, Tensor> makeTarget) => new()
    {
        Name = name,
        Arguments = new[]
        {
            new SweepArgument("input", ArgumentKind.Floating, Differentiable: true), target, new SweepArgument("weight", ArgumentKind.Floating, Optional: true),
        },
        Parameters = new[] { new SweepParameter("label_smoothing", 0.1) },
        Make = (f, dt, n) => new Tensor?[] { f.Normal(dt, Rows(n)), makeTarget(f, dt, n), f.Uniform(dt, new[] { Classes }, 0.5, 1.5, grad: false) },
        Functional = (a, p) => F.cross_entropy(T(a[0]), T(a[1]), a[2], label_smoothing: p[0]),
        Module = (a, p) => M.CrossEntropyLoss(a[2], label_smoothing: p[0]).forward(T(a[0]), T(a[1])),
        Native = (a, p) => N.cross_entropy(T(a[0]), T(a[1]), a[2], label_smoothing: p[0]),
        Names = new[] { "input", "target", "weight", "ignore_index", "label_smoothing", "reduction" },
    };

    private static SweepLoss Triplet(string name, Func<Tensor?[], double[], Tensor> functional, Func<Tensor?[], double[], Tensor> module,
        Func<Tensor?[], double[], Tensor> native, string[] others, params SweepParameter[] parameters) => new()
    {
        Name = name,
        Arguments = new[] { "anchor", "positive", "negative" }.Select(a => new SweepArgument(a, ArgumentKind.Floating, Differentiable: true)).ToArray(),
        Parameters = parameters,
        Make = (f, dt, n) => new Tensor?[] { f.Normal(dt, new[] { n, Features }), f.Normal(dt, new[] { n, Features }), f.Normal(dt, new[] { n, Features }) },
        Functional = functional,
        Module = module,
        Native = native,
        Names = new[] { "anchor", "positive", "negative", "reduction" }.Concat(others).ToArray(),
    };
}
