using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace TorchLosses.Parity;

/// <summary>How one TorchSharp route fared on one case.</summary>
public enum WitnessOutcome
{
    /// <summary>Values, gradients or the error message equal the case's reference, within the runner's tolerances.</summary>
    Agrees,

    /// <summary>Something differs from the reference (<see cref="WitnessResult.Detail"/> says what).</summary>
    Disagrees,

    /// <summary>The route's API cannot express the case's call (<see cref="WitnessResult.Detail"/> says why).</summary>
    NotExpressible,

    /// <summary>No independent reference to compare with, or the case's reference itself failed (<see cref="WitnessResult.Detail"/>).</summary>
    NotCompared,
}

/// <summary>One TorchSharp route on one parity case.</summary>
public sealed record WitnessResult(string Case, string Loss, CaseKind Kind, string Reduction, string Route, WitnessOutcome Outcome)
{
    /// <summary>What differed (<see cref="WitnessOutcome.Disagrees"/>), or why the case was not compared or cannot be expressed.</summary>
    public string? Detail { get; init; }

    /// <summary>The known defect (<see cref="TorchSharpRoutes"/>) that explains a disagreement, if one does.</summary>
    public string? Cause { get; init; }
}

/// <summary>
/// The second, separate witness: TorchSharp 0.107's own losses (<see cref="TorchSharpRoutes"/>) on the parity cases, compared
/// with each case's reference exactly as <see cref="Runner"/> compares the composed loss (the case is run with the route in
/// the composed loss's place: same inputs, same upstream gradient, same tolerances, errors by message). It reports; it never
/// fails a run.
/// </summary>
/// <remarks>
/// <para>A route's arguments are the case's own. For a native or error case whose native call reaches the loss's ATen op,
/// TorchSharp's loss runs in that op's place inside the native call (<see cref="Aten.Replacement"/>): it gets the arguments
/// the op would get (class weights, ignore_index, a log_softmax the call makes first, ...), and whatever the call does around
/// the op applies to both sides; floating arguments the call converted to a wider dtype come back in the case's dtype
/// (<see cref="InCaseDType"/>). Otherwise the arguments are read from the recorded kwargs (PyTorch
/// vectors) or from the case's name (<c>param=value</c> segments, the inputs in the suite's order; parameters the name does
/// not carry are PyTorch's defaults).</para>
/// <para>Gradients are safe from TorchSharp's traps: the runner differentiates only a value that was produced and matched the
/// reference, once per graph. The <c>/autograd</c> copies of cases (TorchLosses' second gradient path) are not run again.</para>
/// </remarks>
public static class TorchSharpWitness
{
    /// <summary>Whether the witness runs <paramref name="c"/>: every case but the <c>/autograd</c> copies, which repeat a case for
    /// TorchLosses' second gradient path (<see cref="ParitySuite"/>); TorchSharp has one path.</summary>
    public static bool Covers(ParityCase c) => !c.Name.EndsWith("/autograd", StringComparison.Ordinal);

    /// <summary>Runs every route on each of <paramref name="cases"/> (those the witness <see cref="Covers"/>), reporting each case to
    /// <paramref name="progress"/>.</summary>
    public static IReadOnlyList<WitnessResult> Run(IReadOnlyList<ParityCase> cases, int seed, Action<ParityCase>? progress = null)
    {
        var results = new List<WitnessResult>();
        foreach (var c in cases)
        {
            results.AddRange(Run(c, seed));
            progress?.Invoke(c);
        }
        return results;
    }

    /// <summary>Runs each route of the case's loss on <paramref name="c"/>. Never throws.</summary>
    public static IReadOnlyList<WitnessResult> Run(ParityCase c, int seed)
    {
        if (TorchSharpRoutes.Find(c.Loss) is not { } loss)
            return new[] { new WitnessResult(c.Name, c.Loss, c.Kind, c.Reduction, "-", WitnessOutcome.NotCompared) { Detail = "the witness knows no TorchSharp route for this loss" } };
        return loss.Routes.Select(route => Run(c, loss, route, seed)).ToList();
    }

    /// <summary>Runs one route on <paramref name="c"/>. Never throws.</summary>
    public static WitnessResult Run(ParityCase c, TorchSharpLoss loss, TorchSharpRoute route, int seed)
    {
        WitnessResult Result(WitnessOutcome outcome, string detail) => new(c.Name, c.Loss, c.Kind, c.Reduction, route.Name, outcome) { Detail = detail };
        if (loss.NativeIsTorchSharp is { } same && (c.Kind == CaseKind.Native || c.Kind == CaseKind.Error && c.ExpectedMessage is null))
            return Result(WitnessOutcome.NotCompared, same);
        if (ReductionProblem(c.Reduction) is { } reduction) return Result(WitnessOutcome.NotExpressible, reduction);

        // A PyTorch vector is compared with its recording, its arguments read from the recorded kwargs (its native call, where the
        // suite gives one, is not the reference).
        if (c.Kind != CaseKind.Vector && c.Native is { } native && loss.AtenOp is { } op)
        {
            var inPlace = new Probe(c, loss, route);
            var result = Runner.Run(c with { Composed = InPlaceOf(c, op, native, inPlace), UseGradcheck = false }, seed);
            if (inPlace.Reached) return inPlace.Outcome(result);
            // The native call never reached the op (e.g. .NET rejected an argument first): read the case's arguments instead.
        }
        var direct = new Probe(c, loss, route);
        return direct.Outcome(Runner.Run(c with { Composed = t => direct.Call(() => Arguments(c, loss, t)), UseGradcheck = false }, seed));
    }

    /// <summary>The case's native call with TorchSharp's loss (through <paramref name="probe"/>) in place of the ATen op <paramref name="op"/>.</summary>
    private static Func<Tensor[], Tensor> InPlaceOf(ParityCase c, string op, Func<Tensor[], Tensor> native, Probe probe) => t =>
    {
        var outer = Aten.Replacement;
        Aten.Replacement = (function, arguments) =>
            function == op ? InCaseDType(c.DType, arguments, own => probe.Call(() => FromAten(probe.Loss, function, own))) : outer?.Invoke(function, arguments);
        try
        {
            return native(t);
        }
        finally
        {
            Aten.Replacement = outer;
        }
    };

    /// <summary>
    /// Runs <paramref name="call"/> on the op's arguments in the case's own dtype. A native call may convert every floating
    /// argument to a wider dtype before the op (CTC's float32 reference is libtorch's float64 kernel, rounded to float32): then
    /// TorchSharp's loss gets them back in <paramref name="dtype"/>, so its own kernel for that dtype is what is compared, and
    /// its result is converted to the op's dtype for the rest of the native call. Arguments of mixed dtypes (a float64 target
    /// beside a float32 input) are the case's own and pass unchanged.
    /// </summary>
    private static Tensor InCaseDType(ScalarType dtype, object?[] arguments, Func<object?[], Tensor> call)
    {
        var floating = arguments.OfType<Tensor>().Where(t => t.is_floating_point()).ToList();
        if (!torch.is_floating_point(dtype) || floating.Count == 0 || floating.Any(t => t.dtype == dtype)) return call(arguments);
        var opDType = floating[0].dtype;
        var own = arguments.Select(a => a is Tensor t && t.is_floating_point() ? (object)t.to(dtype) : a).ToArray();
        return call(own).to(opDType);
    }

    /// <summary>Why TorchSharp cannot express a case's reduction label (null: none, mean, sum or one of their strings).</summary>
    public static string? ReductionProblem(string label)
    {
        string name = ReductionName(label);
        if (name is "" or "none" or "mean" or "sum" or "elementwise_mean") return null;
        if (name.StartsWith("legacy(", StringComparison.Ordinal)) return $"{label}: TorchSharp has no size_average/reduce";
        if (name == "batchmean") return "batchmean: TorchSharp's kl_div has no batchmean";
        return $"reduction='{name}': TorchSharp's reduction is an enum (none, mean, sum)";
    }

    /// <summary>The reduction's name in a case's label ("string=sum" → "sum": a reduction passed as PyTorch's string).</summary>
    private static string ReductionName(string label) => label.StartsWith("string=", StringComparison.Ordinal) ? label["string=".Length..] : label;

    private static torch.nn.Reduction ReductionOf(string label) => VectorCall.ReductionNamed(ReductionName(label));

    // ------------------------------------------------------------------------------------------------
    // Arguments

    /// <summary>The parameter names of each function of <see cref="Aten.Source"/>, in order.</summary>
    private static readonly Lazy<Dictionary<string, string[]>> AtenParameters = new(() =>
        Regex.Matches(Aten.Source, @"def (\w+)\(([^)]*)\)").ToDictionary(
            m => m.Groups[1].Value,
            m => m.Groups[2].Value.Split(',').Select(p => p.Split(':')[0].Trim()).ToArray()));

    /// <summary>The arguments an ATen op of <see cref="Aten"/> was called with, named by its signature.</summary>
    private static LossCall FromAten(TorchSharpLoss loss, string function, object?[] arguments)
    {
        var names = AtenParameters.Value[function];
        var tensors = new Dictionary<string, Tensor?>();
        var values = new Dictionary<string, object>();
        var reduction = torch.nn.Reduction.Mean;
        for (int k = 0; k < names.Length; k++)
        {
            switch (names[k], arguments[k])
            {
                case ("reduction", long code):
                    reduction = (torch.nn.Reduction)code;
                    break;
                case (var name, Tensor t):
                    tensors[name] = t;
                    break;
                case (var name, null):
                    tensors[name] = null;
                    break;
                case (var name, var value) when loss.Defaults.ContainsKey(name):
                    values[name] = value is bool ? value : Convert.ToDouble(value, CultureInfo.InvariantCulture);
                    break;
            }
        }
        return new LossCall(reduction, tensors, values, loss.Defaults);
    }

    /// <summary>The arguments of a case without a native call to take them from: the recorded kwargs, or the case's name.</summary>
    private static LossCall Arguments(ParityCase c, TorchSharpLoss loss, Tensor[] t)
    {
        const string vectors = "/pytorch/";
        int at = c.Name.IndexOf(vectors, StringComparison.Ordinal);
        return at >= 0 ? FromRecording(loss, c.Reduction, c.Name[(at + vectors.Length)..], t) : FromName(c, loss, t);
    }

    /// <summary>The recorded cases of each functional, by reduction and recorded name (VectorWitness names a case by both).</summary>
    private static readonly ConcurrentDictionary<string, IReadOnlyDictionary<(string, string), RecordedCase>> Recordings = new();

    private static string RecordedReduction(RecordedCase r) => r.Kwargs.TryGetValue("reduction", out var v) ? v.GetString() ?? "mean" : "mean";

    /// <summary>A PyTorch vector's arguments: its recorded tensors by name and its kwargs.</summary>
    private static LossCall FromRecording(TorchSharpLoss loss, string reductionLabel, string name, Tensor[] t)
    {
        var recorded = Recordings.GetOrAdd(loss.Functional, f => VectorWitness.Load(f).ToDictionary(r => (RecordedReduction(r), r.Name)))[(reductionLabel, name)];
        var tensors = new Dictionary<string, Tensor?>();
        for (int k = 0; k < recorded.Inputs.Count; k++) tensors[recorded.Inputs[k].Name] = t[k];
        var values = new Dictionary<string, object>();
        string reduction = "mean";
        foreach (var (key, value) in recorded.Kwargs)
        {
            if (key == "reduction") reduction = value.GetString() ?? "mean";
            else if (key is "size_average" or "reduce") throw new NotExpressibleException($"{key}: TorchSharp has no size_average/reduce");
            else if (loss.Defaults.TryGetValue(key, out var d))
                values[key] = d switch
                {
                    bool => value.GetBoolean(),
                    string => value.GetString()!,
                    _ => VectorWitness.ReadDouble(value),
                };
            else throw new NotExpressibleException($"{key}: the witness knows no TorchSharp counterpart");
        }
        return new LossCall(ReductionOf(reduction), tensors, values, loss.Defaults);
    }

    /// <summary>
    /// A case's arguments read from its name: its inputs in the suite's order (BinarySuite's empty int8 placeholder is an absent
    /// tensor) and each <c>param=value</c> segment that names a parameter of the loss (<c>x=default</c>: PyTorch's default).
    /// </summary>
    private static LossCall FromName(ParityCase c, TorchSharpLoss loss, Tensor[] t)
    {
        var tensors = new Dictionary<string, Tensor?>();
        for (int k = 0; k < loss.Inputs.Length; k++)
            tensors[loss.Inputs[k].TrimEnd('?')] = k < t.Length && !(t[k].dtype == ScalarType.Int8 && t[k].numel() == 0) ? t[k] : null;
        var values = new Dictionary<string, object>();
        foreach (var segment in c.Name.Split('/').Skip(3))
        {
            int eq = segment.IndexOf('=');
            if (eq <= 0) continue;
            string key = segment[..eq], text = segment[(eq + 1)..];
            if (key == "reduction") throw new NotExpressibleException($"reduction={text}: TorchSharp's reduction is an enum (none, mean, sum)");
            if (!loss.Defaults.TryGetValue(key, out var d) || text == "default") continue;
            values[key] = d switch
            {
                bool => bool.Parse(text),
                string => text,
                _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
        }
        return new LossCall(ReductionOf(c.Reduction), tensors, values, loss.Defaults);
    }

    private sealed class NotExpressibleException(string reason) : Exception(reason);

    // ------------------------------------------------------------------------------------------------
    // One route on one case

    /// <summary>Calls the route and remembers what the outcome needs: whether it ran, why it could not, which defect applies.</summary>
    private sealed class Probe(ParityCase c, TorchSharpLoss loss, TorchSharpRoute route)
    {
        private int calls;
        private string? notExpressible;
        private IReadOnlyList<KnownDefect> atWork = Array.Empty<KnownDefect>();

        public TorchSharpLoss Loss => loss;

        /// <summary>Whether the route was called, or found the call beyond its API.</summary>
        public bool Reached => calls > 0 || notExpressible is not null;

        public Tensor Call(Func<LossCall> arguments)
        {
            LossCall call;
            try
            {
                call = arguments();
                if (route.Unexpressible?.Invoke(call) is { } reason) throw new NotExpressibleException(reason);
            }
            catch (NotExpressibleException e)
            {
                notExpressible ??= e.Message;
                throw;
            }
            // The defects are looked at while the call's tensors are alive; the outcome picks the one its disagreement shows.
            if (calls++ == 0) atWork = loss.Defects.Append(TorchSharpRoutes.PythonCheck).Where(d => d.Explains(c, call, route.Name)).ToList();
            return route.Call(call);
        }

        public WitnessResult Outcome(CaseResult run)
        {
            WitnessResult Result(WitnessOutcome outcome, string? detail = null) =>
                new(c.Name, c.Loss, c.Kind, c.Reduction, route.Name, outcome) { Detail = detail };
            if (notExpressible is not null) return Result(WitnessOutcome.NotExpressible, notExpressible);
            if (calls == 0) return Result(WitnessOutcome.NotCompared, "TorchSharp's loss was not reached: " + run.Failure);
            if (run.Passed) return Result(WitnessOutcome.Agrees);
            if (ReferenceFailed(run.Failure!)) return Result(WitnessOutcome.NotCompared, "the case's reference failed: " + run.Failure);
            var failure = InTorchSharpsWords(run.Failure!);
            return Result(WitnessOutcome.Disagrees, failure) with { Cause = atWork.FirstOrDefault(d => d.Shows(run.Failure!))?.Cause };
        }
    }

    /// <summary>Runner failures that concern the reference side, not the loss in the composed loss's place.</summary>
    private static bool ReferenceFailed(string failure) =>
        new[] { "native threw", "both sides threw", "native accepted", "the error case has neither", "the case has no native reference", "the case itself failed" }
            .Any(p => failure.StartsWith(p, StringComparison.Ordinal));

    /// <summary>The runner's text names the loss under test "composed"; here it is TorchSharp's.</summary>
    private static string InTorchSharpsWords(string failure) =>
        Regex.Replace(Regex.Replace(failure, @"\bthe composed loss\b", "TorchSharp's loss"), @"\bcomposed\b", "TorchSharp");
}
