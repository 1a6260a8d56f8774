using System.Diagnostics;
using System.Text.RegularExpressions;

namespace TorchLosses.Parity;

/// <summary>Which cases to run.</summary>
public sealed record RunOptions
{
    /// <summary>
    /// Name filters; a case runs when any matches. A filter with <c>*</c> or <c>?</c> is a glob over the
    /// whole name; a filter equal to a case's name selects exactly that case; any other filter selects
    /// the names that contain it. Empty: every case.
    /// </summary>
    public IReadOnlyList<string> Filters { get; init; } = Array.Empty<string>();

    /// <summary>Only cases of these dtypes (empty: all).</summary>
    public IReadOnlyList<ScalarType> DTypes { get; init; } = Array.Empty<ScalarType>();

    /// <summary>Only the cases marked for the quick (CI) subset.</summary>
    public bool Quick { get; init; }

    /// <summary>Seeds every case's inputs (together with the case's name).</summary>
    public int Seed { get; init; }

    /// <summary>Whether the selection is the whole sweep (no filter, no dtype restriction, not quick).</summary>
    public bool IsFullSweep => Filters.Count == 0 && DTypes.Count == 0 && !Quick;
}

/// <summary>The outcome of one case.</summary>
public sealed class CaseResult
{
    /// <summary>The case's name (what <c>--filter</c> takes to rerun it alone).</summary>
    public required string Name { get; init; }

    /// <summary>The loss (functional name without <c>_loss</c>).</summary>
    public required string Loss { get; init; }

    /// <summary>What was compared.</summary>
    public required CaseKind Kind { get; init; }

    /// <summary>The dtype of the case.</summary>
    public required ScalarType DType { get; init; }

    /// <summary>The reduction label.</summary>
    public string Reduction { get; init; } = "";

    /// <summary>Whether everything compared agreed.</summary>
    public bool Passed => Failure is null;

    /// <summary>What differed (null when the case passed).</summary>
    public string? Failure { get; set; }

    /// <summary>The errors over every compared element (values and gradients).</summary>
    public ErrorMetrics Metrics { get; } = new();

    /// <summary>"passed", "failed", "skipped: ..." or null when gradcheck does not apply.</summary>
    public string? Gradcheck { get; set; }

    /// <summary>Wall time of the case, including gradcheck.</summary>
    public double Milliseconds { get; set; }
}

/// <summary>Runs parity cases: selection, evaluation of both sides, comparison, gradcheck, error parity.</summary>
public static class Runner
{
    /// <summary>The cases of <paramref name="all"/> that <paramref name="options"/> select, in order.</summary>
    public static IReadOnlyList<ParityCase> Select(IEnumerable<ParityCase> all, RunOptions options)
    {
        var cases = all.ToList();
        var names = new HashSet<string>(cases.Select(c => c.Name), StringComparer.Ordinal);
        var matchers = options.Filters.Where(f => !string.IsNullOrWhiteSpace(f)).Select(f => Matcher(f.Trim(), names)).ToList();
        return cases.Where(c =>
                (matchers.Count == 0 || matchers.Any(m => m(c.Name))) &&
                (options.DTypes.Count == 0 || options.DTypes.Contains(c.DType)) &&
                (!options.Quick || c.Quick))
            .ToList();
    }

    private static Func<string, bool> Matcher(string filter, HashSet<string> names)
    {
        if (filter.IndexOfAny(new[] { '*', '?' }) >= 0)
        {
            var regex = new Regex("^" + Regex.Escape(filter).Replace("\\*", ".*").Replace("\\?", ".") + "$", RegexOptions.CultureInvariant);
            return regex.IsMatch;
        }
        if (names.Contains(filter)) return name => name == filter;
        return name => name.Contains(filter, StringComparison.Ordinal);
    }

    /// <summary>Runs <paramref name="cases"/> one after the other, reporting each result to <paramref name="progress"/>.</summary>
    public static IReadOnlyList<CaseResult> Run(IReadOnlyList<ParityCase> cases, int seed, Action<CaseResult>? progress = null)
    {
        var results = new List<CaseResult>(cases.Count);
        foreach (var c in cases)
        {
            var result = Run(c, seed);
            results.Add(result);
            progress?.Invoke(result);
        }
        return results;
    }

    /// <summary>Runs one case. Never throws: anything unexpected is the case's failure.</summary>
    public static CaseResult Run(ParityCase c, int seed)
    {
        var result = new CaseResult { Name = c.Name, Loss = c.Loss, Kind = c.Kind, DType = c.DType, Reduction = c.Reduction };
        var clock = Stopwatch.StartNew();
        try
        {
            using var scope = NewDisposeScope();
            var factory = new InputFactory(seed, c.Name);
            var inputs = c.Inputs(factory);
            result.Failure = c.Kind switch
            {
                CaseKind.Native => RunNative(c, inputs, factory, result),
                CaseKind.Error => RunError(c, inputs),
                CaseKind.Vector => RunVector(c, inputs, result),
                _ => $"unknown case kind {c.Kind}",
            };
        }
        catch (Exception e)
        {
            result.Failure = $"the case itself failed: {e.GetType().Name}: {ErrorMessages.Text(e)}";
        }
        result.Milliseconds = clock.Elapsed.TotalMilliseconds;
        return result;
    }

    private static string? RunNative(ParityCase c, Tensor[] inputs, InputFactory factory, CaseResult result)
    {
        if (c.Native is null) return "the case has no native reference";
        // The declared term magnitude applies to the loss value; gradients are compared normwise (low precision) as they are.
        var tolerance = Tolerances.For(c.DType, c.Magnitude?.Invoke(inputs) ?? 0);
        var gradientTolerance = Tolerances.For(c.DType);
        var theirs = Side.Forward(c.Native, inputs);
        var ours = Side.Forward(c.Composed, inputs);
        if (theirs.Error is not null && ours.Error is not null)
            return $"both sides threw (make it an error case): native «{theirs.Error}», composed «{ours.Error}»";
        if (theirs.Error is not null) return $"native threw «{theirs.Error}» but the composed loss returned a value";
        if (ours.Error is not null) return $"composed threw «{ours.Error}» but native returned a value";

        var failure = Comparison.Compare("value", theirs.Value!, ours.Value!, tolerance, result.Metrics);
        if (failure is not null) return failure;

        var upstream = Upstream(theirs.Value!, factory);
        var theirGrads = theirs.Backward(upstream, out var theirError);
        var ourGrads = ours.Backward(upstream, out var ourError);
        if (theirError is not null || ourError is not null)
        {
            if (theirError is not null && ourError is not null && ErrorMessages.Same(theirError, ourError)) return null;
            return $"backward: native {(theirError is null ? "succeeded" : $"threw «{theirError}»")}, composed {(ourError is null ? "succeeded" : $"threw «{ourError}»")}";
        }
        for (int k = 0; k < inputs.Length; k++)
        {
            if (!inputs[k].requires_grad) continue;
            failure = CompareGradient($"gradient of input {k} ", theirGrads[k], ourGrads[k], gradientTolerance, result.Metrics);
            if (failure is not null) return failure;
        }

        return Gradcheck(c, inputs, theirs.Value!, result);
    }

    /// <summary>Runs gradcheck on the composed loss where the case asks for it and the point allows it.</summary>
    private static string? Gradcheck(ParityCase c, Tensor[] inputs, Tensor value, CaseResult result)
    {
        if (!c.UseGradcheck) return null;
        double distance = c.KinkDistance?.Invoke(inputs) ?? double.PositiveInfinity;
        if (distance < 100 * c.GradcheckEps)
            result.Gradcheck = $"skipped: inputs {Comparison.Number(distance)} from a kink";
        else if (!Comparison.Read(value).All(double.IsFinite))
            result.Gradcheck = "skipped: the loss is not finite here";   // e.g. a mean over targets that are all ignored
        else
        {
            var check = TorchLosses.GradCheck.gradcheck(c.Composed, inputs, eps: c.GradcheckEps, raise_exception: false);
            result.Gradcheck = check.Passed ? "passed" : "failed";
            if (!check.Passed) return check.ToString();
        }
        return null;
    }

    /// <summary>A missing gradient (None) equals a zero one, as PyTorch's optimisers treat it.</summary>
    private static string? CompareGradient(string what, Tensor? expected, Tensor? actual, Tolerance tolerance, ErrorMetrics metrics)
    {
        if (expected is null && actual is null) return null;
        expected ??= zeros_like(actual!);
        actual ??= zeros_like(expected);
        return Comparison.Compare(what, expected, actual, tolerance, metrics);
    }

    private static string? RunError(ParityCase c, Tensor[] inputs)
    {
        var ours = Side.Forward(c.Composed, inputs);
        string? expected = c.ExpectedMessage;
        if (c.Native is not null)
        {
            var theirs = Side.Forward(c.Native, inputs);
            if (theirs.Error is null) return "native accepted these inputs: the case expects libtorch to reject them";
            expected ??= theirs.Error;
        }
        if (expected is null) return "the error case has neither a native reference nor an expected message";
        // The expected message is PyTorch's own (raised in Python) where the case gives one, else libtorch's.
        string rejecter = c.ExpectedMessage is not null ? "PyTorch" : "libtorch";
        if (ours.Error is null) return $"the composed loss accepted inputs that {rejecter} rejects with «{expected}»";
        return ErrorMessages.Same(expected, ours.Error) ? null : $"message differs: expected «{expected}», got «{ours.Error}»";
    }

    private static string? RunVector(ParityCase c, Tensor[] inputs, CaseResult result)
    {
        var recorded = c.Recorded ?? throw new InvalidOperationException("a vector case without a recorded result");
        var ours = Side.Forward(c.Composed, inputs);
        if (recorded.Error is not null)
        {
            if (ours.Error is null) return $"the composed loss accepted inputs that PyTorch rejects with «{recorded.Error}»";
            return ErrorMessages.Same(recorded.Error, ours.Error) ? null : $"message differs: expected «{recorded.Error}», got «{ours.Error}»";
        }
        if (ours.Error is not null) return $"composed threw «{ours.Error}» where PyTorch returned a value";
        var tolerance = Tolerances.For(c.DType);
        var output = recorded.Output!;
        var failure = Comparison.Compare("value", output.Shape, output.Values, null, ours.Value!, tolerance, result.Metrics);
        if (failure is not null) return failure;
        if (recorded.GradOutput is null) return null;

        using var upstream = recorded.GradOutput.ToTensor().to(ours.Value!.dtype);
        var grads = ours.Backward(upstream, out var error);
        if (error is not null) return $"backward threw «{error}»";
        for (int k = 0; k < inputs.Length && k < recorded.Grads.Length; k++)
        {
            if (!inputs[k].requires_grad) continue;
            var expected = recorded.Grads[k];
            var actual = grads[k];
            if (expected is null)
            {
                if (actual is not null && Comparison.Read(actual).Any(v => v != 0))
                    return $"gradient of input {k}: PyTorch gives none, the composed loss a non-zero one";
                continue;
            }
            using var got = actual ?? zeros(expected.Shape, ScalarType.Float64);
            failure = Comparison.Compare($"gradient of input {k} ", expected.Shape, expected.Values, null, got, tolerance, result.Metrics);
            if (failure is not null) return failure;
        }
        return Gradcheck(c, inputs, ours.Value!, result);
    }

    /// <summary>
    /// A fixed upstream gradient shaped like the loss: multiples of 1/4 in ±[0.5, 1.5], exact in every
    /// floating dtype, different per element so a gradient routed to the wrong element shows.
    /// </summary>
    private static Tensor Upstream(Tensor value, InputFactory factory)
    {
        var values = new double[value.numel()];
        for (int i = 0; i < values.Length; i++)
            values[i] = factory.NextInteger(2, 7) / 4.0 * (factory.NextInteger(0, 2) == 0 ? -1 : 1);
        return tensor(values, value.shape).to(value.dtype);
    }

    /// <summary>One side (composed or native) of a case: a forward on fresh leaves, then one backward.</summary>
    private sealed class Side
    {
        private Tensor[] leaves = Array.Empty<Tensor>();

        public Tensor? Value { get; private set; }

        public string? Error { get; private set; }

        public static Side Forward(Func<Tensor[], Tensor> loss, Tensor[] inputs)
        {
            var side = new Side
            {
                leaves = inputs.Select(t =>
                {
                    var copy = t.detach().clone();
                    if (t.requires_grad) copy.requires_grad = true;
                    return copy;
                }).ToArray(),
            };
            try
            {
                side.Value = loss(side.leaves);
            }
            catch (Exception e)
            {
                side.Error = ErrorMessages.Text(e);
            }
            return side;
        }

        public Tensor?[] Backward(Tensor upstream, out string? error)
        {
            error = null;
            var grads = new Tensor?[leaves.Length];
            var differentiable = Enumerable.Range(0, leaves.Length).Where(k => leaves[k].requires_grad).ToArray();
            if (differentiable.Length == 0 || Value is null || !Value.requires_grad) return grads;
            try
            {
                var computed = torch.autograd.grad(new[] { Value }, differentiable.Select(k => leaves[k]).ToArray(), new[] { upstream },
                    allow_unused: true);
                // TorchSharp returns an invalid (empty-handle) tensor, not null, for an input the loss does not use.
                for (int j = 0; j < differentiable.Length; j++) grads[differentiable[j]] = computed[j] is { IsInvalid: false } g ? g : null;
            }
            catch (Exception e)
            {
                error = ErrorMessages.Text(e);
            }
            return grads;
        }
    }
}
