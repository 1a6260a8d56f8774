using System.Globalization;
using F = TorchSharp.torch.nn.functional;

namespace TorchLosses.Parity;

/// <summary>
/// One call of a loss, with its arguments as PyTorch names them (input, target, weight, beta, ignore_index, ...). A route
/// reads it the way a user porting PyTorch code writes the call: a parameter PyTorch's call leaves at PyTorch's default is
/// left at the route's own default (so a default that differs shows), any other value is passed.
/// </summary>
public sealed class LossCall
{
    private readonly IReadOnlyDictionary<string, Tensor?> tensors;
    private readonly IReadOnlyDictionary<string, object> values;
    private readonly IReadOnlyDictionary<string, object> defaults;

    /// <summary>A call with these tensors and scalar values (a scalar absent from <paramref name="values"/> is PyTorch's default).</summary>
    public LossCall(torch.nn.Reduction reduction, IReadOnlyDictionary<string, Tensor?> tensors, IReadOnlyDictionary<string, object> values,
        IReadOnlyDictionary<string, object> defaults)
    {
        Reduction = reduction;
        this.tensors = tensors;
        this.values = values;
        this.defaults = defaults;
    }

    /// <summary>The reduction (none, mean or sum).</summary>
    public torch.nn.Reduction Reduction { get; }

    /// <summary>The tensor argument <paramref name="name"/>.</summary>
    public Tensor this[string name] => Optional(name) ?? throw new KeyNotFoundException($"the call has no tensor '{name}'");

    /// <summary>The tensor argument <paramref name="name"/>, or null when the call has none (PyTorch's None).</summary>
    public Tensor? Optional(string name) => tensors.TryGetValue(name, out var t) ? t : null;

    /// <summary>The value PyTorch uses for the scalar <paramref name="name"/>: the one passed, or PyTorch's default.</summary>
    public object Value(string name) => values.TryGetValue(name, out var v) ? v : defaults[name];

    /// <summary>Whether the call passes <paramref name="name"/> a value other than PyTorch's default.</summary>
    public bool Given(string name) => values.TryGetValue(name, out var v) && !Equals(v, defaults[name]);

    /// <summary>The value of <paramref name="name"/> where <see cref="Given"/>, else <paramref name="otherwise"/> (the route's own default).</summary>
    public double Double(string name, double otherwise) => Given(name) ? Convert.ToDouble(Value(name), CultureInfo.InvariantCulture) : otherwise;

    /// <inheritdoc cref="Double"/>
    public long Long(string name, long otherwise) => Given(name) ? checked((long)Convert.ToDouble(Value(name), CultureInfo.InvariantCulture)) : otherwise;

    /// <inheritdoc cref="Double"/>
    public bool Bool(string name, bool otherwise) => Given(name) ? (bool)Value(name) : otherwise;

    /// <inheritdoc cref="Double"/>
    public string String(string name, string otherwise) => Given(name) ? (string)Value(name) : otherwise;
}

/// <summary>One way TorchSharp offers a loss: its factory, its module's constructor, or its functional.</summary>
/// <param name="Name">"factory", "module" or "functional".</param>
/// <param name="Api">The call as a user writes it, for the report.</param>
/// <param name="Call">TorchSharp's loss on the call's arguments.</param>
/// <param name="Unexpressible">Why the API cannot express the call (null when it can).</param>
public sealed record TorchSharpRoute(string Name, string Api, Func<LossCall, Tensor> Call, Func<LossCall, string?>? Unexpressible = null);

/// <summary>
/// A known cause of disagreement between TorchSharp's loss and the reference (a defect torchsharp-0.107.md lists, a check PyTorch
/// makes in Python, a kernel's precision), and the disagreements it explains: those of the kind it produces, on the calls where it
/// is at work.
/// </summary>
/// <param name="Cause">One line, for the report.</param>
/// <param name="Explains">(case, call, route name) → whether the defect is at work in this call.</param>
/// <param name="Shows">Whether a disagreement (the runner's text) is of the kind the defect produces: a value or gradient that
/// differs, a throw where the reference returned a value, or another message (see the predicates below).</param>
public sealed record KnownDefect(string Cause, Func<ParityCase, LossCall, string, bool> Explains, Func<string, bool> Shows)
{
    /// <summary>A disagreement in the value (not only in a gradient).</summary>
    public static bool InValue(string failure) => failure.StartsWith("value", StringComparison.Ordinal);

    /// <summary>A disagreement in the gradient of input <paramref name="k"/>.</summary>
    public static Func<string, bool> InGradient(int k) => failure => failure.StartsWith($"gradient of input {k} ", StringComparison.Ordinal) ||
                                                                      failure.StartsWith($"gradient of input {k}:", StringComparison.Ordinal);

    /// <summary>A disagreement in the value or in any gradient.</summary>
    public static bool InValueOrGradient(string failure) => InValue(failure) || failure.StartsWith("gradient of input ", StringComparison.Ordinal);

    /// <summary>A disagreement in the value or in the gradient of any input but <paramref name="k"/>.</summary>
    public static Func<string, bool> InValueOrGradientExcept(int k) => failure => InValueOrGradient(failure) && !InGradient(k)(failure);

    /// <summary>The loss threw where the reference returned a value.</summary>
    public static bool Threw(string failure) => failure.StartsWith("composed threw", StringComparison.Ordinal);

    /// <summary>An error the reference raises: the loss raised another message, or none.</summary>
    public static bool InMessage(string failure) =>
        failure.StartsWith("message differs", StringComparison.Ordinal) || failure.StartsWith("the composed loss accepted", StringComparison.Ordinal);
}

/// <summary>A loss's TorchSharp routes, and what the witness needs to call them on a parity case.</summary>
/// <param name="Loss">The loss as the suites name it (smooth_l1, cross_entropy, ...).</param>
/// <param name="Functional">PyTorch's functional (the vector file's name).</param>
/// <param name="AtenOp">The function of <see cref="Aten"/> the suites call as the native reference (null: PyTorch composes the loss in Python).</param>
/// <param name="Inputs">The suite's input order (a trailing '?': optional), read when a case's arguments come from its name.</param>
/// <param name="Defaults">PyTorch's default of each scalar parameter (double, bool or string).</param>
/// <param name="Routes">TorchSharp's routes.</param>
public sealed record TorchSharpLoss(string Loss, string Functional, string? AtenOp, string[] Inputs, IReadOnlyDictionary<string, object> Defaults,
    IReadOnlyList<TorchSharpRoute> Routes)
{
    /// <summary>Known causes of disagreement, most specific first (the first that is at work and shows explains a disagreement).</summary>
    public IReadOnlyList<KnownDefect> Defects { get; init; } = Array.Empty<KnownDefect>();

    /// <summary>Set where the suite's native reference is TorchSharp's own function: why such cases are not compared.</summary>
    public string? NativeIsTorchSharp { get; init; }
}

/// <summary>
/// TorchSharp 0.107's own losses: for each of the 21 losses, its routes (the <c>torch.nn</c> factory, the module's constructor
/// where it differs from the factory, the <c>torch.nn.functional</c> function), each called as a user porting PyTorch code
/// would call it, and what the API cannot express.
/// </summary>
public static class TorchSharpRoutes
{
    private static readonly IReadOnlyDictionary<string, object> None = new Dictionary<string, object>();

    private static Dictionary<string, object> D(params (string Name, object Value)[] defaults) => defaults.ToDictionary(d => d.Name, d => d.Value);

    private static TorchSharpRoute Factory(string api, Func<LossCall, Tensor> call, Func<LossCall, string?>? unexpressible = null) =>
        new("factory", "torch.nn." + api, call, unexpressible);

    private static TorchSharpRoute Module(string api, Func<LossCall, Tensor> call, Func<LossCall, string?>? unexpressible = null) =>
        new("module", "new Modules." + api, call, unexpressible);

    private static TorchSharpRoute Functional(string api, Func<LossCall, Tensor> call, Func<LossCall, string?>? unexpressible = null) =>
        new("functional", "torch.nn.functional." + api, call, unexpressible);

    // A loss module is made for one call and disposed.
    private static Tensor Once(torch.nn.Module<Tensor, Tensor, Tensor> m, Tensor a, Tensor b)
    {
        using (m) return m.call(a, b);
    }

    private static Tensor Once(torch.nn.Module<Tensor, Tensor, Tensor, Tensor> m, Tensor a, Tensor b, Tensor c)
    {
        using (m) return m.call(a, b, c);
    }

    private static Tensor Once(torch.nn.Module<Tensor, Tensor, Tensor, Tensor, Tensor> m, Tensor a, Tensor b, Tensor c, Tensor d)
    {
        using (m) return m.call(a, b, c, d);
    }

    private static string? NoIgnoreIndex(LossCall a) =>
        a.Given("ignore_index") ? $"ignore_index={a.Value("ignore_index")}: TorchSharp's NLL has no ignore_index (libtorch's −100 applies)" : null;

    private static string? IntegerP(LossCall a)
    {
        double p = Convert.ToDouble(a.Value("p"), CultureInfo.InvariantCulture);
        return p == Math.Floor(p) && Math.Abs(p) < 1e15 ? null : $"p={Comparison.Number(p)}: TorchSharp's p is an integer (long)";
    }

    /// <summary>The distance function a triplet_margin_with_distance call names ("pairwise" is PyTorch's default, null).</summary>
    private static Func<Tensor, Tensor, Tensor>? Distance(LossCall a) => a.String("distance_function", "pairwise") switch
    {
        "cosine" => Suites.EmbeddingSuite.CosineDistance,
        _ => null,
    };

    private static string? KnownDistance(LossCall a) => a.Value("distance_function") is "pairwise" or "cosine"
        ? null
        : $"distance_function={a.Value("distance_function")}: not a distance the witness knows";

    /// <summary>
    /// TorchSharp runs a distance function as a callback from native code, where an exception ends the process: the pairs
    /// it will see are evaluated here first, so an error surfaces as the call's error.
    /// </summary>
    private static Func<Tensor, Tensor, Tensor>? Checked(Func<Tensor, Tensor, Tensor>? distance, LossCall a)
    {
        if (distance is null) return null;
        using (torch.no_grad())
        {
            distance(a["anchor"], a["positive"]).Dispose();
            distance(a["anchor"], a["negative"]).Dispose();
            distance(a["positive"], a["negative"]).Dispose();
        }
        return distance;
    }

    /// <summary>Every loss, by the suites' name.</summary>
    public static IReadOnlyList<TorchSharpLoss> All { get; } = new TorchSharpLoss[]
    {
        new("l1", "l1_loss", "l1_loss", new[] { "input", "target" }, None, new[]
        {
            Factory("L1Loss(reduction)", a => Once(torch.nn.L1Loss(a.Reduction), a["input"], a["target"])),
            Functional("l1_loss(input, target, reduction)", a => F.l1_loss(a["input"], a["target"], a.Reduction)),
        }),
        new("mse", "mse_loss", "mse_loss", new[] { "input", "target" }, None, new[]
        {
            Factory("MSELoss(reduction)", a => Once(torch.nn.MSELoss(a.Reduction), a["input"], a["target"])),
            Functional("mse_loss(input, target, reduction)", a => F.mse_loss(a["input"], a["target"], a.Reduction)),
        }),
        // The headline comparison: all three routes, although the constructor equals the factory.
        new("smooth_l1", "smooth_l1_loss", "smooth_l1_loss", new[] { "input", "target" }, D(("beta", 1.0)), new[]
        {
            Factory("SmoothL1Loss(reduction, beta)", a => Once(torch.nn.SmoothL1Loss(a.Reduction, a.Double("beta", 1.0)), a["input"], a["target"])),
            Module("SmoothL1Loss(reduction, beta)", a => Once(new TorchSharp.Modules.SmoothL1Loss(a.Reduction, a.Double("beta", 1.0)), a["input"], a["target"])),
            Functional("smooth_l1_loss(input, target, reduction, beta)",
                a => F.smooth_l1_loss(a["input"], a["target"], a.Reduction, a.Double("beta", 1.0))),
        })
        {
            Defects = new KnownDefect[]
            {
                new("at β = 0 it calls the smooth-L1 kernel, whose subgradient at a tie is −1 for input and target and NaN at a NaN " +
                    "difference (PyTorch's F.smooth_l1_loss calls l1_loss at β = 0: 0 and 0)",
                    (_, a, _) => a.Double("beta", 1.0) == 0, KnownDefect.InValueOrGradient),
            },
        },
        new("huber", "huber_loss", "huber_loss", new[] { "input", "target" }, D(("delta", 1.0)), new[]
        {
            Factory("HuberLoss(delta, reduction)", a => Once(torch.nn.HuberLoss(a.Double("delta", 1.0), a.Reduction), a["input"], a["target"])),
            Module("HuberLoss(delta, reduction)", a => Once(new TorchSharp.Modules.HuberLoss(a.Double("delta", 1.0), a.Reduction), a["input"], a["target"])),
            Functional("huber_loss(input, target, delta, reduction)", a => F.huber_loss(a["input"], a["target"], a.Double("delta", 1.0), a.Reduction)),
        }),
        new("cross_entropy", "cross_entropy", "cross_entropy", new[] { "input", "target", "weight?" },
            D(("ignore_index", -100.0), ("label_smoothing", 0.0)), new[]
        {
            Factory("CrossEntropyLoss(weight, ignore_index, reduction)",
                a => Once(torch.nn.CrossEntropyLoss(a.Optional("weight"), a.Given("ignore_index") ? a.Long("ignore_index", -100) : (long?)null, a.Reduction),
                    a["input"], a["target"]),
                a => a.Given("label_smoothing") ? $"label_smoothing={a.Value("label_smoothing")}: the factory has no label_smoothing (the constructor has)" : null),
            Module("CrossEntropyLoss(weight, ignore_index, reduction, label_smoothing)",
                a => Once(new TorchSharp.Modules.CrossEntropyLoss(a.Optional("weight"), a.Given("ignore_index") ? a.Long("ignore_index", -100) : (long?)null, a.Reduction,
                    a.Double("label_smoothing", 0.0)), a["input"], a["target"])),
            Functional("cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)",
                a => F.cross_entropy(a["input"], a["target"], a.Optional("weight"), a.Long("ignore_index", -100), a.Reduction, a.Double("label_smoothing", 0.0))),
        }),
        new("nll", "nll_loss", "nll_loss", new[] { "input", "target", "weight?" }, D(("ignore_index", -100.0)), new[]
        {
            Factory("NLLLoss(weight, reduction)", a => Once(torch.nn.NLLLoss(a.Optional("weight"), a.Reduction), a["input"], a["target"]), NoIgnoreIndex),
            Functional("nll_loss(input, target, weight, reduction)", a => F.nll_loss(a["input"], a["target"], a.Optional("weight"), a.Reduction), NoIgnoreIndex),
        })
        {
            Defects = new KnownDefect[] { new("rejects inputs of fewer than 2 dimensions (PyTorch takes an unbatched 1-D input)", (_, a, _) => a["input"].dim() < 2,
                failure => KnownDefect.Threw(failure) || KnownDefect.InMessage(failure)) },
        },
        new("kl_div", "kl_div", "kl_div", new[] { "input", "target" }, D(("log_target", false)), new[]
        {
            Factory("KLDivLoss(log_target, reduction)", a => Once(torch.nn.KLDivLoss(a.Bool("log_target", true), a.Reduction), a["input"], a["target"])),
            Functional("kl_div(input, target, log_target, reduction)", a => F.kl_div(a["input"], a["target"], a.Bool("log_target", true), a.Reduction)),
        })
        {
            Defects = new KnownDefect[] { new("log_target defaults to true (PyTorch: false)", (_, a, _) => !a.Given("log_target"), KnownDefect.InValueOrGradient) },
        },
        new("binary_cross_entropy", "binary_cross_entropy", "binary_cross_entropy", new[] { "input", "target", "weight?" }, None, new[]
        {
            Factory("BCELoss(weight, reduction)", a => Once(torch.nn.BCELoss(a.Optional("weight"), a.Reduction), a["input"], a["target"])),
            Functional("binary_cross_entropy(input, target, weight, reduction)",
                a => F.binary_cross_entropy(a["input"], a["target"], a.Optional("weight"), a.Reduction)),
        }),
        new("binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits",
            new[] { "input", "target", "weight?", "pos_weight?" }, None, new[]
        {
            Factory("BCEWithLogitsLoss(weight, reduction, pos_weights)",
                a => Once(torch.nn.BCEWithLogitsLoss(a.Optional("weight"), a.Reduction, a.Optional("pos_weight")), a["input"], a["target"])),
            Functional("binary_cross_entropy_with_logits(input, target, weight, reduction, pos_weights)",
                a => F.binary_cross_entropy_with_logits(a["input"], a["target"], a.Optional("weight"), a.Reduction, a.Optional("pos_weight"))),
        }),
        new("margin_ranking", "margin_ranking_loss", "margin_ranking_loss", new[] { "input1", "input2", "target" }, D(("margin", 0.0)), new[]
        {
            Factory("MarginRankingLoss(margin, reduction)",
                a => Once(torch.nn.MarginRankingLoss(a.Double("margin", 0.0), a.Reduction), a["input1"], a["input2"], a["target"])),
            Functional("margin_ranking_loss(input1, input2, target, margin, reduction)",
                a => F.margin_ranking_loss(a["input1"], a["input2"], a["target"], a.Double("margin", 0.0), a.Reduction)),
        }),
        new("hinge_embedding", "hinge_embedding_loss", "hinge_embedding_loss", new[] { "input", "target" }, D(("margin", 1.0)), new[]
        {
            Factory("HingeEmbeddingLoss(margin, reduction)",
                a => Once(torch.nn.HingeEmbeddingLoss(a.Double("margin", 1.0), a.Reduction), a["input"], a["target"])),
            Module("HingeEmbeddingLoss(margin, reduction)",
                a => Once(new TorchSharp.Modules.HingeEmbeddingLoss(a.Double("margin", 0.0), a.Reduction), a["input"], a["target"])),
            Functional("hinge_embedding_loss(input, target, margin, reduction)",
                a => F.hinge_embedding_loss(a["input"], a["target"], a.Double("margin", 0.0), a.Reduction)),
        })
        {
            Defects = new KnownDefect[]
            {
                new("margin defaults to 0 in the constructor and the functional (PyTorch and the factory: 1)",
                    (_, a, route) => route != "factory" && !a.Given("margin"), KnownDefect.InValueOrGradient),
            },
        },
        new("multilabel_margin", "multilabel_margin_loss", "multilabel_margin_loss", new[] { "input", "target" }, None, new[]
        {
            Factory("MultiLabelMarginLoss(reduction)", a => Once(torch.nn.MultiLabelMarginLoss(a.Reduction), a["input"], a["target"])),
            Functional("multi_label_margin_loss(input, target, reduction)", a => F.multi_label_margin_loss(a["input"], a["target"], a.Reduction)),
        }),
        new("soft_margin", "soft_margin_loss", "soft_margin_loss", new[] { "input", "target" }, None, new[]
        {
            Factory("SoftMarginLoss(reduction)", a => Once(torch.nn.SoftMarginLoss(a.Reduction), a["input"], a["target"])),
            Functional("soft_margin_loss(input, target, reduction)", a => F.soft_margin_loss(a["input"], a["target"], a.Reduction)),
        }),
        new("multilabel_soft_margin", "multilabel_soft_margin_loss", null, new[] { "input", "target", "weight?" }, None, new[]
        {
            Factory("MultiLabelSoftMarginLoss(weight, reduction)",
                a => Once(torch.nn.MultiLabelSoftMarginLoss(a.Optional("weight"), a.Reduction), a["input"], a["target"])),
            Functional("multilabel_soft_margin_loss(input, target, weight, reduction)",
                a => F.multilabel_soft_margin_loss(a["input"], a["target"], a.Optional("weight"), a.Reduction)),
        })
        {
            NativeIsTorchSharp = "the suite's native reference is libtorch's C++ frontend function, which is TorchSharp's functional itself " +
                                 "(ATen has no op: PyTorch composes this loss in Python); the PyTorch vectors are its independent witness",
        },
        new("cosine_embedding", "cosine_embedding_loss", "cosine_embedding_loss", new[] { "input1", "input2", "target" }, D(("margin", 0.0)), new[]
        {
            Factory("CosineEmbeddingLoss(margin, reduction)",
                a => Once(torch.nn.CosineEmbeddingLoss(a.Double("margin", 0.0), a.Reduction), a["input1"], a["input2"], a["target"])),
            Functional("cosine_embedding_loss(input1, input2, target, margin, reduction)",
                a => F.cosine_embedding_loss(a["input1"], a["input2"], a["target"], a.Double("margin", 0.0), a.Reduction)),
        }),
        new("multi_margin", "multi_margin_loss", "multi_margin_loss", new[] { "input", "target", "weight?" }, D(("p", 1.0), ("margin", 1.0)), new[]
        {
            Factory("MultiMarginLoss(p, margin, weight, reduction)",
                a => Once(torch.nn.MultiMarginLoss(checked((int)a.Long("p", 1)), a.Double("margin", 1.0), a.Optional("weight"), a.Reduction), a["input"], a["target"])),
            Functional("multi_margin_loss(input, target, p, margin, weight, reduction)",
                a => F.multi_margin_loss(a["input"], a["target"], checked((int)a.Long("p", 1)), a.Double("margin", 1.0), a.Optional("weight"), a.Reduction)),
        }),
        new("triplet_margin", "triplet_margin_loss", "triplet_margin_loss", new[] { "anchor", "positive", "negative" },
            D(("margin", 1.0), ("p", 2.0), ("eps", 1e-6), ("swap", false)), new[]
        {
            Factory("TripletMarginLoss(margin, p, eps, swap, reduction)",
                a => Once(torch.nn.TripletMarginLoss(a.Double("margin", 1.0), a.Long("p", 2), a.Double("eps", 1e-6), a.Bool("swap", false), a.Reduction),
                    a["anchor"], a["positive"], a["negative"]), IntegerP),
            Functional("triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction)",
                a => F.triplet_margin_loss(a["anchor"], a["positive"], a["negative"], a.Double("margin", 1.0), a.Long("p", 2), a.Double("eps", 1e-6),
                    a.Bool("swap", false), a.Reduction), IntegerP),
        }),
        new("triplet_margin_with_distance", "triplet_margin_with_distance_loss", null, new[] { "anchor", "positive", "negative" },
            D(("distance_function", "pairwise"), ("margin", 1.0), ("swap", false)), new[]
        {
            Factory("TripletMarginWithDistanceLoss(distance, margin, swap, reduction)",
                a => Once(torch.nn.TripletMarginWithDistanceLoss(Checked(Distance(a), a), a.Double("margin", 1.0), a.Bool("swap", false), a.Reduction),
                    a["anchor"], a["positive"], a["negative"]), KnownDistance),
            Functional("triplet_margin_with_distance_loss(anchor, positive, negative, distance, margin, swap, reduction)",
                a => F.triplet_margin_with_distance_loss(a["anchor"], a["positive"], a["negative"], Checked(Distance(a), a), a.Double("margin", 1.0),
                    a.Bool("swap", false), a.Reduction), KnownDistance),
        }),
        new("poisson_nll", "poisson_nll_loss", "poisson_nll_loss", new[] { "input", "target" },
            D(("log_input", true), ("full", false), ("eps", 1e-8)), new[]
        {
            Factory("PoissonNLLLoss(log_input, full, eps, reduction)",
                a => Once(torch.nn.PoissonNLLLoss(a.Bool("log_input", true), a.Bool("full", false), (float)a.Double("eps", 1e-8f), a.Reduction),
                    a["input"], a["target"])),
            Functional("poisson_nll_loss(input, target, log_input, full, eps, reduction)",
                a => F.poisson_nll_loss(a["input"], a["target"], a.Bool("log_input", true), a.Bool("full", false), (float)a.Double("eps", 1e-8f), a.Reduction)),
        })
        {
            Defects = new KnownDefect[]
            {
                new("eps reaches libtorch as a float read as a double: the effective eps is about 4e-315 whatever is passed",
                    (_, a, _) => !(bool)a.Value("log_input"), KnownDefect.InValueOrGradient),
            },
        },
        new("gaussian_nll", "gaussian_nll_loss", null, new[] { "input", "target", "var" }, D(("full", false), ("eps", 1e-6)), new[]
        {
            Factory("GaussianNLLLoss(full, eps, reduction)",
                a => Once(torch.nn.GaussianNLLLoss(a.Bool("full", false), (float)a.Double("eps", 1e-8f), a.Reduction), a["input"], a["target"], a["var"])),
            Functional("gaussian_nll_loss(input, target, variance, full, eps, reduction)",
                a => F.gaussian_nll_loss(a["input"], a["target"], a["var"], a.Bool("full", false), (float)a.Double("eps", 1e-6f), a.Reduction)),
        })
        {
            // TorchSharp composes this loss in C# (GaussianNLLLoss.forward): input.view(N, −1), per-sample sums, then the reduction.
            Defects = new KnownDefect[]
            {
                new("reads input.shape[0]: a 0-d input throws", (_, a, _) => a["input"].dim() == 0, KnownDefect.Threw),
                new("views input, target and var as (N, −1): no broadcasting between them, and an empty batch fails",
                    (_, a, _) => a["input"].numel() == 0 || !a["target"].shape.SequenceEqual(a["input"].shape) || !a["var"].shape.SequenceEqual(a["input"].shape),
                    KnownDefect.Threw),
                new("its own checks and messages (the shape check never fires)", (c, _, _) => c.Kind == CaseKind.Error || c.Recorded?.Error is not null,
                    KnownDefect.InMessage),
                new("sums each sample's elements before the reduction (none gives one value per sample, mean divides by the batch size)",
                    (_, a, _) => a.Reduction != torch.nn.Reduction.Sum && a["input"].dim() >= 2 && a["input"].shape.Skip(1).Any(d => d != 1),
                    KnownDefect.InValueOrGradientExcept(2)),
                new("with full, adds 0.5·D·log 2π once per sample (PyTorch: 0.5·log 2π per element)", (_, a, _) => (bool)a.Value("full"), KnownDefect.InValue),
                new("the factory's eps defaults to 1e-8 (PyTorch: 1e-6)", (_, a, route) => route == "factory" && !a.Given("eps"), KnownDefect.InValueOrGradientExcept(2)),
                new("eps is a float: 1e-6 becomes 9.99999997e-7 (visible where var is clamped to eps)",
                    (_, a, _) => (double)(float)Convert.ToDouble(a.Value("eps"), CultureInfo.InvariantCulture) != Convert.ToDouble(a.Value("eps"), CultureInfo.InvariantCulture),
                    KnownDefect.InValueOrGradientExcept(2)),
                new("var gets no gradient (clamped under no_grad)", (_, a, _) => a["var"].requires_grad, KnownDefect.InGradient(2)),
            },
        },
        new("ctc", "ctc_loss", "ctc_loss", new[] { "log_probs", "targets", "input_lengths", "target_lengths" },
            D(("blank", 0.0), ("zero_infinity", false)), new[]
        {
            Factory("CTCLoss(blank, zero_infinity, reduction)",
                a => Once(torch.nn.CTCLoss(a.Long("blank", 0), a.Bool("zero_infinity", false), a.Reduction),
                    a["log_probs"], a["targets"], a["input_lengths"], a["target_lengths"])),
            Functional("ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, zero_infinity, reduction)",
                a => F.ctc_loss(a["log_probs"], a["targets"], a["input_lengths"], a["target_lengths"], a.Long("blank", 0), a.Bool("zero_infinity", false),
                    a.Reduction)),
        })
        {
            // The witness runs TorchSharp's loss on the case's dtype, while the float32 cases' reference is libtorch's float64 kernel
            // (SequenceSuite says why): the float32 kernel's own rounding shows.
            Defects = new KnownDefect[]
            {
                new("float32: libtorch's CTC kernel, which TorchSharp calls, forms the gradient exp(log_probs) − posterior from log-space sums " +
                    "of the size of the loss, with absolute errors of order 1e-6 (the reference: libtorch's float64 kernel, rounded to float32)",
                    (c, _, _) => c.DType == ScalarType.Float32, KnownDefect.InGradient(0)),
            },
        },
        // TorchSharp's TorchVision 0.107 (NuGet TorchVision): the detection losses it ports from torchvision, compared with the
        // torchvision 0.14 recordings. softmax_focal has no TorchSharp counterpart; its suite runs it at γ = 0, where it is cross entropy.
        new("sigmoid_focal", "sigmoid_focal_loss", null, new[] { "inputs", "targets" }, D(("alpha", 0.25), ("gamma", 2.0)), new[]
        {
            VisionFunctional("sigmoid_focal_loss(inputs, targets, alpha, gamma, reduction)",
                a => torchvision.ops.sigmoid_focal_loss(a["inputs"], a["targets"], a.Double("alpha", 0.25), a.Double("gamma", 2.0), a.Reduction)),
        }),
        BoxLoss("generalized_box_iou", torchvision.ops.generalized_box_iou_loss, epsInDiou: false),
        BoxLoss("distance_box_iou", torchvision.ops.distance_box_iou_loss, epsInDiou: true),
        BoxLoss("complete_box_iou", torchvision.ops.complete_box_iou_loss, epsInDiou: true),
        new("softmax_focal", "softmax_focal_loss", "cross_entropy", new[] { "input", "target", "weight?" },
            D(("ignore_index", -100.0), ("label_smoothing", 0.0)), new[]
        {
            Functional("cross_entropy(input, target, weight, ignore_index, reduction) (γ = 0)",
                a => F.cross_entropy(a["input"], a["target"], a.Optional("weight"), a.Long("ignore_index", -100), a.Reduction)),
        }),
    };

    /// <summary>
    /// Where PyTorch raises an error from Python with its own words (an error case's expected message; a recorded error that the
    /// suite declares a Python check, or any recorded error of a loss whose suite gives no native call to tell), TorchSharp
    /// reaches libtorch directly: a different message, or no check at all. Explains any loss's disagreement in the message on
    /// such a case.
    /// </summary>
    public static readonly KnownDefect PythonCheck = new(
        "PyTorch checks this in Python with its own message; TorchSharp calls libtorch directly (another message, or no check)",
        (c, _, _) => c.Kind == CaseKind.Error && c.ExpectedMessage is not null ||
                     c.Kind == CaseKind.Vector && c.Recorded?.Error is not null && (c.Native is null || c.ExpectedMessage is not null),
        KnownDefect.InMessage);

    private static TorchSharpRoute VisionFunctional(string api, Func<LossCall, Tensor> call) => new("functional", "torchvision.ops." + api, call);

    /// <summary>
    /// One of TorchVision's box losses, with the defects measured on the torchvision recordings: the mean of an empty batch is a
    /// plain mean (NaN, and NaN gradients of nothing), and the distance part of DIoU and CIoU never gets the eps passed.
    /// </summary>
    private static TorchSharpLoss BoxLoss(string loss, Func<Tensor, Tensor, torch.nn.Reduction, double, Tensor> function, bool epsInDiou)
    {
        var defects = new List<KnownDefect>
        {
            new("the mean of an empty batch is a plain mean: NaN (torchvision: 0·sum = 0 with a defined zero gradient)",
                (_, a, _) => a.Reduction == torch.nn.Reduction.Mean && a["boxes1"].numel() == 0, KnownDefect.InValueOrGradient),
        };
        if (epsInDiou)
            defects.Add(new("eps is not passed to the DIoU part (its union and enclosing diagonal use 1e-7 whatever eps is; torchvision passes it)",
                (_, a, _) => a.Given("eps"), KnownDefect.InValueOrGradient));
        return new(loss, loss + "_loss", null, new[] { "boxes1", "boxes2" }, D(("eps", 1e-7)), new[]
        {
            VisionFunctional($"{loss}_loss(boxes1, boxes2, reduction, eps)", a => function(a["boxes1"], a["boxes2"], a.Reduction, a.Double("eps", 1e-7))),
        })
        {
            Defects = defects,
        };
    }

    /// <summary>The loss named <paramref name="loss"/> as the suites name it, or null.</summary>
    public static TorchSharpLoss? Find(string loss) => All.FirstOrDefault(l => l.Loss == loss);
}
