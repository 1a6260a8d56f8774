using System.Runtime.InteropServices;

namespace TorchLosses.Parity.Sweep;

/// <summary>What became of one sweep call.</summary>
public enum Verdict
{
    /// <summary>A value and gradients equal to libtorch's (within the dtype's tolerance).</summary>
    SameValue,

    /// <summary>A value where no libtorch op exists to compare with (Gaussian NLL, the losses beyond PyTorch's): only errors are
    /// judged there, and the values are checked against float64 references in the losses' own tests.</summary>
    ValueWithoutWitness,

    /// <summary>A clear .NET exception (its type fits, it names an argument) where no libtorch op exists to compare with.</summary>
    ErrorWithoutWitness,

    /// <summary>A clear .NET exception (its type fits, it names an argument) where libtorch raises too.</summary>
    SameError,

    /// <summary>A clear .NET exception where libtorch's op returns a value: a check PyTorch makes in Python, or a stricter one.</summary>
    ErrorWhereLibtorchReturns,

    /// <summary>An exception of a type that does not fit (NullReferenceException, IndexOutOfRangeException, a raw libtorch
    /// error from inside the composition) or that names no argument.</summary>
    UnclearError,

    /// <summary>A value where libtorch raises: a silent answer to a call PyTorch refuses.</summary>
    ValueWhereLibtorchRaises,

    /// <summary>A value or a gradient that differs from libtorch's.</summary>
    WrongValue,
}

/// <summary>One call of the sweep: a loss in one form, with one argument or hyperparameter changed one way.</summary>
public sealed record SweepCall(SweepLoss Loss, string Form, string Argument, string Change, ScalarType DType, int Position,
    Func<Tensor?, Tensor?>? Perturb, double[] Parameters, long Batch = 3)
{
    /// <summary>"loss/form/argument/change/dtype": what a filter or an expected deviation matches.</summary>
    public string Name => $"{Loss.Name}/{Form}/{Argument}/{Change}/{Tolerances.Label(DType)}";

    /// <summary>Whether the call passes a null or a disposed tensor, which only TorchLosses is given.</summary>
    public bool OursOnly => Change is "null" or "disposed" && Position >= 0 && !(Change == "null" && Loss.Arguments[Position].Optional);
}

/// <summary>The outcome of one call.</summary>
public sealed record SweepResult(SweepCall Call, Verdict Verdict, string Detail, string? ErrorType = null, bool NamesArgument = false,
    bool? SameMessage = null)
{
    /// <summary>Whether the verdict is one the sweep accepts.</summary>
    public bool Passed => Verdict is Verdict.SameValue or Verdict.ValueWithoutWitness or Verdict.ErrorWithoutWitness or Verdict.SameError
        or Verdict.ErrorWhereLibtorchReturns;

    /// <summary>Whether TorchLosses raised.</summary>
    public bool IsError => ErrorType is not null;
}

/// <summary>A deviation the sweep knows and shows, with why it is still there: a glob over <see cref="SweepCall.Name"/>.</summary>
public sealed record ExpectedDeviation(string Pattern, string Reason)
{
    /// <summary>Whether the call's name matches.</summary>
    public bool Matches(string name) =>
        System.Text.RegularExpressions.Regex.IsMatch(name,
            "^" + System.Text.RegularExpressions.Regex.Escape(Pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$");
}

/// <summary>
/// The generated bad-input sweep (issue 12, items 3 and 6): every loss × form × tensor argument × kind of bad value, plus
/// every double hyperparameter across the double range, each on every floating dtype, judged against libtorch's own op.
/// </summary>
/// <remarks>
/// <para>A verdict per call (<see cref="Verdict"/>): a clear .NET exception (a type that fits, an
/// <see cref="ArgumentException.ParamName"/> or <see cref="ObjectDisposedException.ObjectName"/> that is an argument of the
/// loss; for null and disposed tensors exactly the argument given), or a value and gradients equal to the witness.</para>
/// <para>Gradients are compared only where both forwards returned, every floating argument has one dtype, and only with
/// respect to the arguments PyTorch differentiates: on TorchSharp 0.107 a libtorch error inside autograd.grad (mixed dtypes
/// in mse's backward, a derivative that is not implemented) ends the process.</para>
/// </remarks>
public static class BadInputSweep
{
    /// <summary>The floating dtypes every call is made in.</summary>
    public static readonly ScalarType[] DTypes = { ScalarType.Float64, ScalarType.Float32, ScalarType.BFloat16, ScalarType.Float16 };

    /// <summary>The dtypes an argument is converted to (each floating one, and the integral and bool ones).</summary>
    public static readonly ScalarType[] ArgumentDTypes =
    {
        ScalarType.Float64, ScalarType.Float32, ScalarType.BFloat16, ScalarType.Float16, ScalarType.Int64, ScalarType.Int32, ScalarType.Bool,
    };

    /// <summary>The hyperparameter values: 0, ±tiny, ±huge, ±∞, NaN (the typical value is added per parameter).</summary>
    public static readonly double[] ParameterValues =
    {
        0.0, -0.0, 5e-324, -5e-324, 1e-300, -1e-300, 1e-40, -1e-40, 3.4e38, -3.4e38, 3.5e38, -3.5e38, 1e300, -1e300,
        double.MaxValue, -double.MaxValue, double.PositiveInfinity, double.NegativeInfinity, double.NaN,
    };

    /// <summary>
    /// The calls. <paramref name="modules"/>: also every change through the module form (otherwise the module form gets the
    /// null and disposed tensors only: it hands its arguments to the functional). <paramref name="dtypes"/>: the dtypes of
    /// the argument changes (the hyperparameter sweep always runs all four).
    /// </summary>
    public static IReadOnlyList<SweepCall> Calls(bool modules = false, IReadOnlyList<ScalarType>? dtypes = null)
    {
        dtypes ??= DTypes;
        var calls = new List<SweepCall>();
        foreach (var loss in SweepLosses.All)
        {
            var typical = loss.TypicalParameters;
            foreach (var form in loss.Forms)
            {
                bool full = form == loss.MainForm || modules;
                foreach (var dtype in dtypes)
                {
                    if (full)
                    {
                        calls.Add(new SweepCall(loss, form, "(all)", "valid", dtype, -1, null, typical));
                        calls.Add(new SweepCall(loss, form, "(all)", "empty batch", dtype, -1, null, typical, Batch: 0));
                    }
                    for (int k = 0; k < loss.Arguments.Length; k++)
                    {
                        var argument = loss.Arguments[k];
                        foreach (var (change, perturb) in Changes(argument))
                        {
                            if (!full && change is not ("null" or "disposed")) continue;
                            if (!full && change == "null" && argument.Optional) continue;
                            if (dtype != dtypes[0] && change is "null" or "disposed") continue;   // dtype-independent
                            calls.Add(new SweepCall(loss, form, argument.Name, change, dtype, k, perturb, typical));
                        }
                    }
                }
            }
            int first = Array.FindIndex(loss.Arguments, a => a.Differentiable);
            for (int q = 0; q < loss.Parameters.Length; q++)
            {
                foreach (var value in ParameterValues.Append(loss.Parameters[q].Typical))
                foreach (var dtype in DTypes)
                {
                    var parameters = (double[])typical.Clone();
                    parameters[q] = value;
                    string change = $"={Comparison.Number(value)}";
                    calls.Add(new SweepCall(loss, loss.MainForm, loss.Parameters[q].Name, change, dtype, -1, null, parameters));
                    calls.Add(new SweepCall(loss, loss.MainForm, loss.Parameters[q].Name, change + " edge", dtype, first,
                        t => EdgeValues(t!, loss.Arguments[first]), parameters));
                }
            }
        }
        return calls;
    }

    /// <summary>The changes of one tensor argument, each a function of the valid tensor.</summary>
    public static IEnumerable<(string Change, Func<Tensor?, Tensor?> Perturb)> Changes(SweepArgument argument)
    {
        yield return ("null", _ => null);
        yield return ("disposed", t =>
        {
            var copy = t!.detach().clone();
            copy.Dispose();
            return copy;
        });
        foreach (var type in ArgumentDTypes)
            yield return ($"dtype {Tolerances.Label(type)}", t =>
            {
                var converted = t!.detach().to(type);
                if (argument.Differentiable && torch.is_floating_point(converted)) converted.requires_grad = true;
                return converted;
            });
        yield return ("0-d", t => Leaf(t!.detach().flatten()[0], argument));
        yield return ("rank+1", t => t!.unsqueeze(0));
        yield return ("rank-1", t => t!.dim() == 0 ? t.flatten() : t.select(0, 0));
        yield return ("non-broadcastable", t => t!.dim() == 0 ? t.expand(2) : torch.cat(new[] { t, t.narrow(-1, 0, 1) }, -1));
        yield return ("non-contiguous", t => torch.stack(new[] { t!, t! }, -1).select(-1, 0));
        yield return ("stride-0", t => t!.dim() == 0 ? t : t.flatten()[0].expand(t.shape));
        if (argument.Kind == ArgumentKind.Floating)
        {
            foreach (var (label, value) in new[] { ("NaN", double.NaN), ("+inf", double.PositiveInfinity), ("-inf", double.NegativeInfinity) })
                yield return (label, t =>
                {
                    var copy = t!.detach().clone();
                    if (copy.numel() > 0) copy.view(-1)[0] = torch.tensor(value, copy.dtype);
                    return Leaf(copy, argument);
                });
            if (!argument.Differentiable)
                yield return ("requires_grad", t =>
                {
                    var copy = t!.detach().clone();
                    copy.requires_grad = true;
                    return copy;
                });
        }
    }

    /// <summary>
    /// The hyperparameter sweep's second point: the first elements of the first differentiable argument set to 0, 1e-20, −2, 7e4
    /// (∞ in float16) and −∞, where a parameter rounded to the tensor's type meets an element at 0, at a tiny or a huge distance,
    /// or at infinity.
    /// </summary>
    public static readonly double[] Edges = { 0, 1e-20, -2, 7e4, double.NegativeInfinity };

    private static Tensor EdgeValues(Tensor t, SweepArgument argument)
    {
        var copy = t.detach().clone();
        var flat = copy.view(-1);
        for (int i = 0; i < Math.Min(Edges.Length, (int)flat.numel()); i++) flat[i] = torch.tensor(Edges[i], copy.dtype);
        return Leaf(copy, argument);
    }

    private static Tensor Leaf(Tensor t, SweepArgument argument)
    {
        var leaf = t.detach().clone();
        if (argument.Differentiable && torch.is_floating_point(leaf)) leaf.requires_grad = true;
        return leaf;
    }

    /// <summary>Runs every call, in order.</summary>
    public static IReadOnlyList<SweepResult> Run(IReadOnlyList<SweepCall> calls, int seed = 0, Action<SweepResult>? progress = null)
    {
        var results = new List<SweepResult>(calls.Count);
        foreach (var call in calls)
        {
            var result = Run(call, seed);
            results.Add(result);
            progress?.Invoke(result);
        }
        return results;
    }

    /// <summary>Runs one call on both sides and judges it. Never throws.</summary>
    public static SweepResult Run(SweepCall call, int seed = 0)
    {
        using var scope = NewDisposeScope();
        try
        {
            return Judge(call, seed);
        }
        catch (Exception e)
        {
            return new SweepResult(call, Verdict.UnclearError, $"the sweep itself failed: {e.GetType().Name}: {ErrorMessages.Text(e)}");
        }
    }

    private static Tensor?[] Arguments(SweepCall call, int seed)
    {
        var factory = new InputFactory(seed, $"{call.Loss.Name}/{Tolerances.Label(call.DType)}/{call.Batch}");
        var arguments = call.Loss.Make(factory, call.DType, call.Batch);
        if (call.Perturb is not null) arguments[call.Position] = call.Perturb(arguments[call.Position]);
        return arguments;
    }

    private static SweepResult Judge(SweepCall call, int seed)
    {
        var loss = call.Loss;
        var ourArguments = Arguments(call, seed);
        var ours = Attempt(() => loss.Form(call.Form)(ourArguments, call.Parameters));
        if (call.OursOnly)
        {
            var name = call.Loss.Arguments[call.Position].Name;
            if (ours.Error is null) return new SweepResult(call, Verdict.ValueWhereLibtorchRaises, $"a {call.Change} '{name}' was accepted");
            bool fits = call.Change == "null" ? ours.Error is ArgumentNullException : ours.Error is ObjectDisposedException or ArgumentException;
            bool names = Named(ours.Error) == name;
            return new SweepResult(call, fits && names ? Verdict.SameError : Verdict.UnclearError, Describe(ours.Error), ours.Error.GetType().Name, names);
        }

        Tensor?[]? nativeArguments = null;
        (Tensor? Value, Exception? Error)? native = null;
        if (loss.Native is not null)
        {
            nativeArguments = Arguments(call, seed);
            native = Attempt(() => loss.Native(nativeArguments, call.Parameters));
        }

        if (ours.Error is not null)
        {
            bool names = Named(ours.Error) is { } named && loss.Names.Contains(named);
            bool fits = ours.Error is ArgumentException or NotSupportedException or ObjectDisposedException;
            bool? sameMessage = native?.Error is { } theirs ? ErrorMessages.Same(ErrorMessages.Text(theirs), ErrorMessages.Text(ours.Error)) : null;
            var verdict = !(fits && names) ? Verdict.UnclearError
                : native is null ? Verdict.ErrorWithoutWitness
                : native is { Error: null } ? Verdict.ErrorWhereLibtorchReturns : Verdict.SameError;
            var detail = Describe(ours.Error) + (native?.Error is { } n ? $" | libtorch: {Short(ErrorMessages.Text(n))}" : native is null ? "" : " | libtorch returns a value");
            return new SweepResult(call, verdict, detail, ours.Error.GetType().Name, names, sameMessage);
        }
        if (native is null) return new SweepResult(call, Verdict.ValueWithoutWitness, "no libtorch op to compare with");
        if (native.Value.Error is { } error)
            return new SweepResult(call, Verdict.ValueWhereLibtorchRaises, $"libtorch raises «{Short(ErrorMessages.Text(error))}»");

        var metrics = new ErrorMetrics();
        var theirValue = native.Value.Value!;
        var ourValue = ours.Value!;
        var failure = Comparison.Compare("value", theirValue, ourValue, Tolerances.For(theirValue.dtype), metrics);
        if (failure is not null) return new SweepResult(call, Verdict.WrongValue, failure);

        var differentiable = Enumerable.Range(0, loss.Arguments.Length)
            .Where(k => loss.Arguments[k].Differentiable && ourArguments[k] is { requires_grad: true } && nativeArguments![k] is { requires_grad: true })
            .ToArray();
        bool oneType = Enumerable.Range(0, loss.Arguments.Length)
            .All(k => loss.Arguments[k].Kind != ArgumentKind.Floating || nativeArguments![k] is null || nativeArguments[k]!.dtype == call.DType);
        if (differentiable.Length == 0 || !oneType || !theirValue.requires_grad || !ourValue.requires_grad)
            return new SweepResult(call, Verdict.SameValue, differentiable.Length == 0 ? "value" : "value (gradients not compared: mixed dtypes)");
        var theirGrads = Gradients(theirValue, differentiable.Select(k => nativeArguments![k]!).ToArray());
        var ourGrads = Gradients(ourValue, differentiable.Select(k => ourArguments[k]!).ToArray());
        for (int j = 0; j < differentiable.Length; j++)
        {
            var expected = theirGrads[j] ?? zeros_like(ourGrads[j] ?? nativeArguments![differentiable[j]]!);
            var actual = ourGrads[j] ?? zeros_like(expected);
            failure = Comparison.Compare($"gradient of {loss.Arguments[differentiable[j]].Name}", expected, actual, Tolerances.For(expected.dtype), metrics);
            if (failure is not null) return new SweepResult(call, Verdict.WrongValue, failure);
        }
        return new SweepResult(call, Verdict.SameValue, "value and gradients");
    }

    private static Tensor?[] Gradients(Tensor value, Tensor[] inputs)
    {
        var upstream = ones_like(value);
        var grads = torch.autograd.grad(new[] { value }, inputs, new[] { upstream }, allow_unused: true);
        return grads.Select(g => g is { IsInvalid: false } ? g : null).ToArray();
    }

    private static (Tensor? Value, Exception? Error) Attempt(Func<Tensor> call)
    {
        try
        {
            return (call(), null);
        }
        catch (Exception e)
        {
            return (null, e);
        }
    }

    /// <summary>The argument an exception names: its ParamName, or the ObjectName of a disposed-object error.</summary>
    public static string? Named(Exception e) => e switch
    {
        ArgumentException a => a.ParamName,
        ObjectDisposedException o => o.ObjectName,
        _ => null,
    };

    private static string Describe(Exception e) =>
        $"{e.GetType().Name}{(Named(e) is { } n ? $"('{n}')" : "")}: {Short(ErrorMessages.Text(e))}";

    private static string Short(string text)
    {
        var line = text.Split('\n')[0].Trim();
        return line.Length > 160 ? line[..157] + "…" : line;
    }
}
