using TorchLosses.Parity;
using L = TorchLosses.nn.functional;
using N = TorchSharp.torch.nn.functional;

namespace TorchLosses.Benchmarks;

/// <summary>Which implementation a benchmark case runs.</summary>
public enum PathKind
{
    /// <summary>
    /// libtorch 2.10's own loss op, called through TorchSharp's functional (<c>TorchSharp.torch.nn.functional.*</c>), the
    /// cheapest call that reaches it; <see cref="NativeCheck"/> holds it to the ATen op reached through TorchScript.
    /// </summary>
    Native,

    /// <summary>The composed loss with <see cref="GradientMode.Autograd"/>: autograd through every primitive op.</summary>
    Autograd,

    /// <summary>The composed loss with <see cref="GradientMode.Analytic"/> (the default): a custom function with a derived backward.</summary>
    Analytic,
}

/// <summary>What a benchmark case measures.</summary>
public enum ModeKind
{
    /// <summary>The loss with reduction mean on tensors that do not require grad.</summary>
    Forward,

    /// <summary>The loss on an input that requires grad, then <c>torch.autograd.grad(loss, input)</c>.</summary>
    ForwardBackward,
}

/// <summary>
/// One loss under benchmark: how to make its operands for N elements, the native and the composed
/// call (both with reduction mean and default parameters), and the forward target ratio at N ≥ 1e6.
/// </summary>
/// <param name="Name">The benchmark parameter: the functional's name without "_loss", shortened for the BCE pair.</param>
/// <param name="Native">libtorch's loss op through TorchSharp's functional: one call into TorchSharp's native library.</param>
/// <param name="Composed">TorchLosses' composition (its gradient path follows <see cref="LossGradients.Current"/>).</param>
/// <param name="Aten">The same ATen op with PyTorch's parameters, through TorchScript (the parity suite's native witness,
/// <see cref="TorchLosses.Parity.Aten"/>): what <see cref="Native"/> must equal. Slower per call (the TorchScript
/// interpreter), so it is the check, not the benchmarked side.</param>
/// <param name="WhyFaithful">Why TorchSharp's functional passes PyTorch's parameters for this configuration (for the report).</param>
/// <param name="ForwardTarget">The forward-only target (analytic / native) at N ≥ 1e6; null for the losses the issue sets no
/// time targets for (their ratios are reported without a verdict). Forward+backward at N ≥ 1e6 is ≤ 1.0× for every loss with
/// a target.</param>
/// <param name="SmallTarget">The target (analytic / native) at N = 1e2, forward and forward+backward alike (1.5× for the
/// pointwise losses, 2.5× for cross entropy and NLL).</param>
/// <param name="Operands">Makes (input, target) with N elements in total; null means two standard-normal vectors.</param>
public sealed record LossSpec(
    string Name,
    Func<Tensor, Tensor, Tensor> Native,
    Func<Tensor, Tensor, Tensor> Composed,
    Func<Tensor, Tensor, Tensor> Aten,
    string WhyFaithful,
    double? ForwardTarget,
    double? SmallTarget,
    Func<long, ScalarType, bool, (Tensor input, Tensor target)>? Operands = null)
{
    /// <summary>The name of the functional in PyTorch and TorchSharp.</summary>
    public string Functional { get; init; } = Name + "_loss";

    /// <summary>Makes the operands: the input requires grad when <paramref name="requiresGrad"/>.</summary>
    public (Tensor input, Tensor target) MakeOperands(long n, ScalarType dtype, bool requiresGrad) =>
        (Operands ?? PairOfNormals)(n, dtype, requiresGrad);

    private static (Tensor, Tensor) PairOfNormals(long n, ScalarType dtype, bool requiresGrad) =>
        NormalInput(n, dtype, requiresGrad, (count, type) => torch.randn(count, dtype: type));

    /// <summary>A standard-normal input (drawn first, from a fixed seed) and a target from <paramref name="target"/>.</summary>
    internal static (Tensor input, Tensor target) NormalInput(long n, ScalarType dtype, bool requiresGrad,
        Func<long, ScalarType, Tensor> target)
    {
        torch.manual_seed(20261122);
        var input = torch.randn(n, dtype: dtype);
        var second = target(n, dtype);
        if (requiresGrad) input.requires_grad_(true);
        return (input, second);
    }
}

/// <summary>
/// The losses under benchmark. Adding a loss is one entry here (with an <see cref="LossSpec.Operands"/>
/// factory when its operands are not two standard-normal vectors).
/// </summary>
public static class LossTable
{
    public static IReadOnlyList<LossSpec> All { get; } = new LossSpec[]
    {
        new("smooth_l1", (x, y) => N.smooth_l1_loss(x, y), (x, y) => L.smooth_l1_loss(x, y), (x, y) => Aten.smooth_l1_loss(x, y),
            "β = 1 and reduction mean, PyTorch's defaults", ForwardTarget: 2.0, SmallTarget: 1.5),
        new("huber", (x, y) => N.huber_loss(x, y), (x, y) => L.huber_loss(x, y), (x, y) => Aten.huber_loss(x, y),
            "δ = 1 and reduction mean, PyTorch's defaults", ForwardTarget: 2.0, SmallTarget: 1.5),
        new("mse", (x, y) => N.mse_loss(x, y), (x, y) => L.mse_loss(x, y), (x, y) => Aten.mse_loss(x, y),
            "reduction mean", ForwardTarget: 1.2, SmallTarget: 1.5),
        new("l1", (x, y) => N.l1_loss(x, y), (x, y) => L.l1_loss(x, y), (x, y) => Aten.l1_loss(x, y),
            "reduction mean (TorchSharp before 0.102.8 computed MSE here)", ForwardTarget: 1.2, SmallTarget: 1.5),
        new("bce_with_logits", (x, y) => N.binary_cross_entropy_with_logits(x, y), (x, y) => L.binary_cross_entropy_with_logits(x, y),
            (x, y) => Aten.binary_cross_entropy_with_logits(x, y),
            "no weight and no pos_weight (TorchSharp's `pos_weights`), reduction mean", ForwardTarget: 1.2, SmallTarget: 1.5, Operands: LogitsAndProbabilities)
        {
            Functional = "binary_cross_entropy_with_logits",
        },
        new("bce", (x, y) => N.binary_cross_entropy(x, y), (x, y) => L.binary_cross_entropy(x, y), (x, y) => Aten.binary_cross_entropy(x, y),
            "no weight, reduction mean", ForwardTarget: null, SmallTarget: null,
            Operands: (n, dtype, grad) =>
            {
                var (logits, y) = LogitsAndProbabilities(n, dtype, false);
                using (logits) return (logits.sigmoid().requires_grad_(grad), y);
            })
        {
            Functional = "binary_cross_entropy",
        },
        new("poisson_nll", (x, y) => N.poisson_nll_loss(x, y), (x, y) => L.poisson_nll_loss(x, y), (x, y) => Aten.poisson_nll_loss(x, y),
            "log_input = true, full = false, reduction mean. TorchSharp passes eps as a float where libtorch reads a double " +
            "(an effective eps of about 4e-315), but with log_input = true ATen's poisson_nll_loss never reads eps " +
            "(ℓ = exp(x) − y·x)", ForwardTarget: null, SmallTarget: null),
        new("cross_entropy", (x, y) => N.cross_entropy(x, y), (x, y) => L.cross_entropy(x, y), (x, y) => Aten.cross_entropy(x, y),
            "class-index targets, no weight, ignore_index −100, no label smoothing, reduction mean", ForwardTarget: 1.2, SmallTarget: 2.5,
            Operands: LogitsAndClasses)
        {
            Functional = "cross_entropy",
        },
        new("nll", (x, y) => N.nll_loss(x, y), (x, y) => L.nll_loss(x, y), (x, y) => Aten.nll_loss(x, y),
            "class-index targets, no weight, reduction mean. TorchSharp's nll_loss has no ignore_index parameter; its native side " +
            "(THSNN_nll_loss) builds libtorch's NLLLossFuncOptions with only weight and reduction, so libtorch's default −100, " +
            "PyTorch's default too, applies (and no target of these operands is −100)",
            ForwardTarget: 1.2, SmallTarget: 2.5, Operands: LogProbabilitiesAndClasses),
    };

    /// <summary>
    /// Cross entropy's operands, as the anchors measure it: N elements in total as N/1000 rows of 1000 classes
    /// (one row of N classes below 1000), standard-normal logits and uniform class-index targets.
    /// </summary>
    private static (Tensor, Tensor) LogitsAndClasses(long n, ScalarType dtype, bool requiresGrad)
    {
        long classes = Math.Min(1000, n), rows = n / classes;
        var (flat, empty) = LossSpec.NormalInput(n, dtype, false, (count, type) => torch.empty(0, dtype: type));
        empty.Dispose();
        var logits = flat.reshape(rows, classes).clone();   // its own storage, so disposing the input frees it
        flat.Dispose();
        if (requiresGrad) logits.requires_grad_(true);
        return (logits, torch.randint(0, classes, new[] { rows }));
    }

    /// <summary>
    /// NLL's operands: cross entropy's rows (<see cref="LogitsAndClasses"/>) turned into log-probabilities (log_softmax over the
    /// classes, in a storage of their own) and the same class-index targets.
    /// </summary>
    private static (Tensor, Tensor) LogProbabilitiesAndClasses(long n, ScalarType dtype, bool requiresGrad)
    {
        var (logits, classes) = LogitsAndClasses(n, dtype, false);
        using (logits) return (logits.log_softmax(1).requires_grad_(requiresGrad), classes);
    }

    /// <summary>Standard-normal logits and uniform probability targets.</summary>
    private static (Tensor, Tensor) LogitsAndProbabilities(long n, ScalarType dtype, bool requiresGrad) =>
        LossSpec.NormalInput(n, dtype, requiresGrad, (count, type) => torch.rand(count, dtype: type));

    public static LossSpec Get(string name) =>
        All.FirstOrDefault(spec => spec.Name == name) ?? throw new ArgumentException($"unknown loss '{name}'", nameof(name));

    /// <summary>The function a case runs: native, or composed with the case's gradient mode.</summary>
    public static Func<Tensor, Tensor, Tensor> Function(LossSpec spec, PathKind path) => path switch
    {
        PathKind.Native => spec.Native,
        PathKind.Autograd => (x, y) => WithMode(GradientMode.Autograd, spec.Composed, x, y),
        _ => (x, y) => WithMode(GradientMode.Analytic, spec.Composed, x, y),
    };

    private static Tensor WithMode(GradientMode mode, Func<Tensor, Tensor, Tensor> loss, Tensor x, Tensor y)
    {
        using (LossGradients.Use(mode)) return loss(x, y);
    }

    /// <summary>One step of a case: the loss, and for forward+backward its gradient w.r.t. the input.</summary>
    public static Action Step(Func<Tensor, Tensor, Tensor> loss, ModeKind mode, Tensor input, Tensor target) => mode switch
    {
        ModeKind.Forward => () => loss(input, target),
        _ => () => torch.autograd.grad(new[] { loss(input, target) }, new[] { input }),
    };

    /// <summary>
    /// Every (loss, mode, dtype, N, path) of the selection at <paramref name="sizes"/>, each with fresh operands and its step;
    /// the operands are disposed when the caller moves on (or stops).
    /// </summary>
    public static IEnumerable<(StepCase cell, Action step)> Steps(Selection selection, long[] sizes)
    {
        foreach (var loss in selection.Losses)
        foreach (var mode in selection.Modes)
        foreach (var dtype in selection.DTypes)
        foreach (var n in sizes)
        foreach (var path in selection.Paths)
        {
            var spec = Get(loss);
            var type = Selection.ToScalarType(dtype);
            var (input, target) = spec.MakeOperands(n, type, mode == ModeKind.ForwardBackward);
            try
            {
                yield return (new StepCase(loss, path, mode, dtype, n, type), Step(Function(spec, path), mode, input, target));
            }
            finally
            {
                input.Dispose();
                target.Dispose();
            }
        }
    }
}

/// <summary>One case of <see cref="LossTable.Steps"/>: which loss, path, mode, dtype and size.</summary>
public sealed record StepCase(string Loss, PathKind Path, ModeKind Mode, string DType, long N, ScalarType Type);
