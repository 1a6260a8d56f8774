using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace TorchLosses.Parity;

/// <summary>
/// The native witness: libtorch 2.10's own ATen loss ops (the kernels PyTorch's <c>torch.nn.functional</c> calls), with all
/// of PyTorch's parameters and with autograd, reached through TorchSharp's TorchScript compiler.
/// </summary>
/// <remarks>
/// <para>Why TorchScript: TorchSharp's own loss functions do call these kernels, but several pass parameters differently
/// from PyTorch (no <c>ignore_index</c> for NLL, <c>eps</c> of <c>poisson_nll_loss</c> read as a double from a float, an
/// integer <c>p</c> for the triplet loss, other defaults), so they cannot be the reference; they are measured as a
/// witness of their own. A TorchScript function <c>torch.&lt;op&gt;(…)</c> calls the ATen
/// op itself, with every parameter as PyTorch passes it.</para>
/// <para>Signatures: parameter names and defaults are PyTorch's; the order is TorchSharp's where TorchSharp's functional
/// has one (huber's delta before reduction, CTC's blank and zero_infinity before reduction), so calls read like
/// TorchSharp calls. An op's error comes back as an <see cref="ExternalException"/> whose message is ATen's own text
/// (the TorchScript traceback and libtorch's C++ backtrace removed; see <see cref="AtenMessage"/>).</para>
/// <para>Broadcasting: for l1, mse, smooth_l1 and huber, PyTorch's <c>F.*_loss</c> (and libtorch's C++ frontend) expand input
/// and target with <c>broadcast_tensors</c> before calling the op, and so do these. Called on unexpanded operands, libtorch
/// 2.10's mse_loss, smooth_l1_loss and huber_loss backward give a target of fewer elements a mean-reduced gradient scaled by
/// the wrong count (numel of the target, not of the broadcast shape): a gradient no PyTorch user sees.</para>
/// <para>The source below is compiled once per process, and only from this tested text: TorchSharp does not catch a
/// TorchScript compile error, so a mistake here would end the process.</para>
/// </remarks>
public static class Aten
{
    /// <summary>
    /// One TorchScript function per ATen loss op; reduction is ATen's code (0 none, 1 mean, 2 sum). Where PyTorch's Python
    /// functional does tensor work before the op, so does the function here: the four pointwise losses broadcast input and
    /// target first (<c>torch.broadcast_tensors</c>), as <c>F.l1_loss</c> &amp; co. do; the ops themselves would broadcast
    /// in forward, but their backward is only defined for operands of one shape (given a smaller target, libtorch 2.10
    /// returns a target gradient that is not the sum over the broadcast rows). Checks PyTorch makes in Python (its
    /// ValueErrors) are not repeated: the suites expect PyTorch's text there.
    /// </summary>
    /// <remarks>Internal: <see cref="TorchSharpWitness"/> reads the parameter names of each function here.</remarks>
    internal const string Source = """
        def l1_loss(input: Tensor, target: Tensor, reduction: int) -> Tensor:
            both = torch.broadcast_tensors(input, target)
            return torch.l1_loss(both[0], both[1], reduction)
        def mse_loss(input: Tensor, target: Tensor, reduction: int) -> Tensor:
            both = torch.broadcast_tensors(input, target)
            return torch.mse_loss(both[0], both[1], reduction)
        def smooth_l1_loss(input: Tensor, target: Tensor, reduction: int, beta: float) -> Tensor:
            both = torch.broadcast_tensors(input, target)
            if beta == 0.0:
                return torch.l1_loss(both[0], both[1], reduction)
            return torch.smooth_l1_loss(both[0], both[1], reduction, beta)
        def huber_loss(input: Tensor, target: Tensor, reduction: int, delta: float) -> Tensor:
            both = torch.broadcast_tensors(input, target)
            return torch.huber_loss(both[0], both[1], reduction, delta)
        def cross_entropy(input: Tensor, target: Tensor, weight: Optional[Tensor], reduction: int, ignore_index: int, label_smoothing: float) -> Tensor:
            return torch.cross_entropy_loss(input, target, weight, reduction, ignore_index, label_smoothing)
        def nll_loss(input: Tensor, target: Tensor, weight: Optional[Tensor], reduction: int, ignore_index: int) -> Tensor:
            return torch.nll_loss_nd(input, target, weight, reduction, ignore_index)
        def kl_div(input: Tensor, target: Tensor, reduction: int, log_target: bool) -> Tensor:
            return torch.kl_div(input, target, reduction, log_target=log_target)
        def binary_cross_entropy(input: Tensor, target: Tensor, weight: Optional[Tensor], reduction: int) -> Tensor:
            return torch.binary_cross_entropy(input, target, weight, reduction)
        def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Optional[Tensor], pos_weight: Optional[Tensor], reduction: int) -> Tensor:
            return torch.binary_cross_entropy_with_logits(input, target, weight, pos_weight, reduction)
        def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float, reduction: int) -> Tensor:
            return torch.margin_ranking_loss(input1, input2, target, margin, reduction)
        def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float, reduction: int) -> Tensor:
            return torch.hinge_embedding_loss(input, target, margin, reduction)
        def multilabel_margin_loss(input: Tensor, target: Tensor, reduction: int) -> Tensor:
            return torch.multilabel_margin_loss(input, target, reduction)
        def soft_margin_loss(input: Tensor, target: Tensor, reduction: int) -> Tensor:
            return torch.soft_margin_loss(input, target, reduction)
        def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float, reduction: int) -> Tensor:
            return torch.cosine_embedding_loss(input1, input2, target, margin, reduction)
        def multi_margin_loss(input: Tensor, target: Tensor, p: int, margin: float, weight: Optional[Tensor], reduction: int) -> Tensor:
            return torch.multi_margin_loss(input, target, p, margin, weight, reduction)
        def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float, p: float, eps: float, swap: bool, reduction: int) -> Tensor:
            return torch.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction)
        def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool, full: bool, eps: float, reduction: int) -> Tensor:
            return torch.poisson_nll_loss(input, target, log_input, full, eps, reduction)
        def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths: Tensor, target_lengths: Tensor, blank: int, reduction: int, zero_infinity: bool) -> Tensor:
            return torch.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity)

        """;

    private static readonly Lazy<torch.jit.CompilationUnit> Unit = new(() => torch.jit.compile(Source));

    /// <summary>
    /// While set (on this thread), each call of a function of <see cref="Source"/> is offered to it first with the call's
    /// arguments; a non-null result takes the ATen op's place. <see cref="TorchSharpWitness"/> uses it to run TorchSharp's own
    /// loss inside a case's native call, so the case's parameters and any steps around the op stay the case's own.
    /// </summary>
    [ThreadStatic]
    internal static Func<string, object?[], Tensor?>? Replacement;

    /// <summary>Runs one function of <see cref="Source"/> (or its <see cref="Replacement"/>).</summary>
    private static Tensor Invoke(string function, params object?[] arguments) =>
        Replacement?.Invoke(function, arguments) ?? WithAtenMessage(() => InvokeWithOwnScalars(function, arguments));

    /// <summary>
    /// Calls a function of the unit with every long and double argument passed as a <see cref="Scalar"/> this method owns
    /// until the call has returned. TorchSharp 0.107's <c>invoke</c> turns such an argument into a temporary Scalar, keeps only
    /// its native handle, and nothing keeps the Scalar alive while TorchScript runs: a garbage collection meanwhile lets its
    /// finalizer free the native value the function is about to read (seen as "Expected false to be true" from
    /// <c>Scalar::toLong</c>, or a wrong ignore_index, with tests running in parallel).
    /// </summary>
    private static Tensor InvokeWithOwnScalars(string function, object?[] arguments)
    {
        var owned = new List<Scalar>();
        try
        {
            var passed = arguments.Select(argument => argument switch
            {
                long value => Own(value.ToScalar()),     // ScalarOwnership: held by `owned` until invoke has returned
                double value => Own(value.ToScalar()),   // ScalarOwnership: held by `owned` until invoke has returned
                _ => argument,
            }).ToArray();
            // ScalarOwnership: invoke makes Scalars of long, double and float arguments only; the first two are ours by now.
            return (Tensor)Unit.Value.invoke(function, passed!);
        }
        finally
        {
            foreach (var scalar in owned) scalar.Dispose();
        }

        object Own(Scalar scalar)
        {
            owned.Add(scalar);
            return scalar;
        }
    }

    /// <summary>Runs a libtorch call; its error becomes an ExternalException whose message is ATen's own text.</summary>
    private static Tensor WithAtenMessage(Func<Tensor> call)
    {
        try
        {
            return call();
        }
        catch (ExternalException e)
        {
            throw new ExternalException(AtenMessage(e.Message), e);
        }
    }

    /// <summary>The last "SomeError: message" of a TorchScript traceback: the message the ATen op raised.</summary>
    private static readonly Regex RaisedError = new(@"(?:^|\n)[A-Za-z]*Error: (?<message>[^\n]*(?:\n(?![A-Za-z]*Error: )[^\n]*)*)\s*$", RegexOptions.Compiled);

    /// <summary>
    /// ATen's own message in a libtorch error text: the message a TorchScript traceback ends with ("RuntimeError: …"), and
    /// without the C++ backtrace libtorch appends ("Exception raised from …" and the frames after it).
    /// </summary>
    public static string AtenMessage(string text)
    {
        var match = RaisedError.Match(text);
        var message = match.Success && text.StartsWith("The following operation failed in the TorchScript interpreter", StringComparison.Ordinal)
            ? match.Groups["message"].Value
            : text;
        var backtrace = message.IndexOf("\nException raised from ", StringComparison.Ordinal);
        return (backtrace >= 0 ? message[..backtrace] : message).TrimEnd();
    }

    /// <summary>ATen's reduction code, after checking that the enum holds a defined value (ATen would assert).</summary>
    private static long Code(torch.nn.Reduction reduction) =>
        reduction is torch.nn.Reduction.None or torch.nn.Reduction.Mean or torch.nn.Reduction.Sum
            ? (long)reduction
            : throw new ArgumentOutOfRangeException(nameof(reduction), reduction, $"{(long)reduction} is not a valid value for reduction");

    /// <summary>ATen's <c>l1_loss</c>: |input − target|, broadcast first (as <c>F.l1_loss</c> does).</summary>
    public static Tensor l1_loss(Tensor input, Tensor target, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
        Invoke("l1_loss", input, target, Code(reduction));

    /// <summary>ATen's <c>mse_loss</c>: (input − target)², broadcast first.</summary>
    public static Tensor mse_loss(Tensor input, Tensor target, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
        Invoke("mse_loss", input, target, Code(reduction));

    /// <summary>ATen's <c>smooth_l1_loss</c>: 0.5·d²/β where |d| &lt; β, |d| − 0.5·β elsewhere, broadcast first; at β = 0 ATen's
    /// <c>l1_loss</c> instead, as PyTorch 2.10's F.smooth_l1_loss calls it (the smooth-L1 kernel itself would give −1 to input and
    /// target alike at d = 0).</summary>
    public static Tensor smooth_l1_loss(Tensor input, Tensor target, torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double beta = 1.0) =>
        Invoke("smooth_l1_loss", input, target, Code(reduction), beta);

    /// <summary>ATen's <c>huber_loss</c>: 0.5·d² where |d| &lt; δ, δ·(|d| − 0.5·δ) elsewhere, broadcast first.</summary>
    public static Tensor huber_loss(Tensor input, Tensor target, double delta = 1.0, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
        Invoke("huber_loss", input, target, Code(reduction), delta);

    /// <summary>ATen's <c>cross_entropy_loss</c>: class indices or class probabilities, weight, ignore_index, label_smoothing.</summary>
    public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100,
        torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double label_smoothing = 0.0) =>
        Invoke("cross_entropy", input, target, weight, Code(reduction), ignore_index, label_smoothing);

    /// <summary>ATen's <c>nll_loss_nd</c> (inputs (C), (N, C) or (N, C, d1, …)), with PyTorch's <c>ignore_index</c>.</summary>
    public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean,
        long ignore_index = -100) =>
        Invoke("nll_loss", input, target, weight, Code(reduction), ignore_index);

    /// <summary>ATen's <c>kl_div</c> with PyTorch's default <c>log_target = false</c> (PyTorch's "batchmean" is sum / N).</summary>
    public static Tensor kl_div(Tensor input, Tensor target, bool log_target = false, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
        Invoke("kl_div", input, target, Code(reduction), log_target);

    /// <summary>ATen's <c>binary_cross_entropy</c> (each log clamped at −100; targets must lie in [0, 1] since libtorch 2.x).</summary>
    public static Tensor binary_cross_entropy(Tensor input, Tensor target, Tensor? weight = null,
        torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
        Invoke("binary_cross_entropy", input, target, weight, Code(reduction));

    /// <summary>ATen's <c>binary_cross_entropy_with_logits</c>, PyTorch's <c>pos_weight</c>.</summary>
    public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null,
        torch.nn.Reduction reduction = torch.nn.Reduction.Mean, Tensor? pos_weight = null) =>
        Invoke("binary_cross_entropy_with_logits", input, target, weight, pos_weight, Code(reduction));

    /// <summary>ATen's <c>margin_ranking_loss</c>: max(0, −y·(x1 − x2) + margin).</summary>
    public static Tensor margin_ranking_loss(Tensor input1, Tensor input2, Tensor target, double margin = 0.0,
        torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
        Invoke("margin_ranking_loss", input1, input2, target, margin, Code(reduction));

    /// <summary>ATen's <c>hinge_embedding_loss</c> with PyTorch's default margin 1.</summary>
    public static Tensor hinge_embedding_loss(Tensor input, Tensor target, double margin = 1.0,
        torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
        Invoke("hinge_embedding_loss", input, target, margin, Code(reduction));

    /// <summary>ATen's <c>multilabel_margin_loss</c>.</summary>
    public static Tensor multilabel_margin_loss(Tensor input, Tensor target, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
        Invoke("multilabel_margin_loss", input, target, Code(reduction));

    /// <summary>ATen's <c>soft_margin_loss</c>: log(1 + exp(−y·x)).</summary>
    public static Tensor soft_margin_loss(Tensor input, Tensor target, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
        Invoke("soft_margin_loss", input, target, Code(reduction));

    /// <summary>
    /// libtorch's C++ frontend <c>torch::nn::functional::multilabel_soft_margin_loss</c>, through TorchSharp's binding of it:
    /// ATen has no op for this loss (PyTorch composes it in Python), so this is libtorch's own composition, not a kernel.
    /// </summary>
    public static Tensor multilabel_soft_margin_loss(Tensor input, Tensor target, Tensor? weight = null,
        torch.nn.Reduction reduction = torch.nn.Reduction.Mean)
    {
        Code(reduction);
        return WithAtenMessage(() => torch.nn.functional.multilabel_soft_margin_loss(input, target, weight, reduction));
    }

    /// <summary>ATen's <c>cosine_embedding_loss</c>.</summary>
    public static Tensor cosine_embedding_loss(Tensor input1, Tensor input2, Tensor target, double margin = 0.0,
        torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
        Invoke("cosine_embedding_loss", input1, input2, target, margin, Code(reduction));

    /// <summary>ATen's <c>multi_margin_loss</c> (p ∈ {1, 2}).</summary>
    public static Tensor multi_margin_loss(Tensor input, Tensor target, int p = 1, double margin = 1.0, Tensor? weight = null,
        torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
        Invoke("multi_margin_loss", input, target, (long)p, margin, weight, Code(reduction));

    /// <summary>ATen's <c>triplet_margin_loss</c> with a real-valued <paramref name="p"/>, as in PyTorch.</summary>
    public static Tensor triplet_margin_loss(Tensor anchor, Tensor positive, Tensor negative, double margin = 1.0, double p = 2.0,
        double eps = 1e-06, bool swap = false, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
        Invoke("triplet_margin_loss", anchor, positive, negative, margin, p, eps, swap, Code(reduction));

    /// <summary>ATen's <c>poisson_nll_loss</c> with <paramref name="eps"/> passed as the double ATen reads.</summary>
    public static Tensor poisson_nll_loss(Tensor input, Tensor target, bool log_input = true, bool full = false, double eps = 1e-8,
        torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
        Invoke("poisson_nll_loss", input, target, log_input, full, eps, Code(reduction));

    /// <summary>ATen's <c>ctc_loss</c> (the overload with length tensors); mean divides by target lengths, then averages.</summary>
    public static Tensor ctc_loss(Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths, long blank = 0,
        bool zero_infinity = false, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) =>
        Invoke("ctc_loss", log_probs, targets, input_lengths, target_lengths, blank, Code(reduction), zero_infinity);
}
