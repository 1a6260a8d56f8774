namespace TorchLosses.Parity;

/// <summary>One axis of a loss's parameter grid, as the report lists it.</summary>
/// <param name="Loss">The loss (functional name without <c>_loss</c>).</param>
/// <param name="Axis">The parameter or dimension swept (beta, reduction, shape, ...).</param>
/// <param name="Values">The values it takes, as text.</param>
public sealed record GridAxis(string Loss, string Axis, string Values);

/// <summary>
/// The cases of one loss family. Subclass it in a file of <c>parity/Suites/</c> with a public
/// parameterless constructor: <see cref="SuiteCatalog"/> finds it by reflection, so a new suite needs
/// no registration anywhere else.
/// </summary>
public abstract class ParitySuite
{
    /// <summary>The losses this suite covers (functional names without <c>_loss</c>).</summary>
    public abstract IReadOnlyList<string> Losses { get; }

    /// <summary>The parameter grids, for the report.</summary>
    public abstract IEnumerable<GridAxis> Grid { get; }

    /// <summary>Every case of the suite: native comparisons, error parity and the PyTorch vector witness.</summary>
    public abstract IEnumerable<ParityCase> Cases();

    /// <summary>Every floating dtype the sweep knows (<see cref="Tolerances.Known"/>: float64, float32, bfloat16, float16).</summary>
    protected static readonly ScalarType[] AllFloating = Tolerances.Known.Select(k => k.Type).ToArray();

    /// <summary>float64 and float32: the ops whose CPU kernels take no other floating dtype, and the grids kept to these two.</summary>
    protected static readonly ScalarType[] FloatDouble = { ScalarType.Float64, ScalarType.Float32 };

    /// <summary>The quick subset's dtypes: float64, float32 and float16 (whose CPU kernels are new in libtorch 2.10).</summary>
    protected static bool QuickDType(ScalarType dtype) => dtype is ScalarType.Float64 or ScalarType.Float32 or ScalarType.Float16;

    /// <summary>The reductions every loss takes, with their labels.</summary>
    protected static readonly (torch.nn.Reduction Value, string Label)[] Reductions =
    {
        (torch.nn.Reduction.None, "none"), (torch.nn.Reduction.Mean, "mean"), (torch.nn.Reduction.Sum, "sum"),
    };

    /// <summary>
    /// Each case, followed, for the float32/float64 native cases, by a copy that runs the composed loss with
    /// <see cref="GradientMode.Autograd"/> (name + "/autograd"): the losses with an analytic gradient take that path by
    /// default for float32/float64 operands of one shape, so the copy is what compares their autograd path with libtorch.
    /// The copy skips gradcheck (its point is the native comparison) and is quick when the original is and
    /// <paramref name="quick"/> says so. <paramref name="adapt"/> may change a copy (e.g. its inputs).
    /// </summary>
    protected static IEnumerable<ParityCase> AlsoOnAutogradPath(IEnumerable<ParityCase> cases, Func<ParityCase, bool>? quick = null,
        Func<ParityCase, ParityCase>? adapt = null)
    {
        foreach (var c in cases)
        {
            yield return c;
            if (c.Kind != CaseKind.Native || c.DType is not (ScalarType.Float32 or ScalarType.Float64)) continue;
            var composed = c.Composed;
            var copy = c with
            {
                Name = c.Name + "/autograd",
                Composed = t =>
                {
                    using var mode = LossGradients.Use(GradientMode.Autograd);
                    return composed(t);
                },
                UseGradcheck = false,
                Quick = c.Quick && (quick?.Invoke(c) ?? false),
                Notes = c.Notes + (c.Notes.Length > 0 ? ", " : "") + "autograd path",
            };
            yield return adapt is null ? copy : adapt(copy);
        }
    }

    /// <summary>
    /// An error case named <c>loss/dtype/reduction/error/what</c>: the composed loss must reject the inputs with libtorch's
    /// message (<paramref name="native"/>), or with <paramref name="expected"/> where PyTorch raises in Python. Quick.
    /// </summary>
    protected static ParityCase ErrorCase(string loss, ScalarType dtype, string reduction, string what, Func<InputFactory, Tensor[]> inputs,
        Func<Tensor[], Tensor> composed, Func<Tensor[], Tensor>? native, string? expected = null) => new()
    {
        Name = $"{loss}/{Tolerances.Label(dtype)}/{reduction}/error/{what}",
        Loss = loss,
        Kind = CaseKind.Error,
        DType = dtype,
        Reduction = reduction,
        Inputs = inputs,
        Composed = composed,
        Native = native,
        ExpectedMessage = expected,
        Quick = true,
    };

    /// <summary>The 8 explicit legacy size_average/reduce pairs, the reduction PyTorch maps each to, and its case label.</summary>
    protected static IEnumerable<(bool? SizeAverage, bool? Reduce, torch.nn.Reduction Mapped, string Label)> LegacyPairs()
    {
        bool?[] values = { null, true, false };
        foreach (var sizeAverage in values)
            foreach (var reduce in values)
            {
                if (sizeAverage is null && reduce is null) continue;
                var mapped = reduce == false ? torch.nn.Reduction.None : sizeAverage == false ? torch.nn.Reduction.Sum : torch.nn.Reduction.Mean;
                yield return (sizeAverage, reduce, mapped, $"legacy(size_average={PyBool(sizeAverage)},reduce={PyBool(reduce)})");
            }
    }

    /// <summary>A nullable flag as Python prints it: None, True, False.</summary>
    protected static string PyBool(bool? value) => value switch { null => "None", true => "True", false => "False" };

    /// <summary>A parameter value as it appears in case names: shortest round-trip form ("0.5", "1E-06", "NaN").</summary>
    protected static string P(double value) => Comparison.Number(value);

    /// <summary>A shape as it appears in case names: "[3,4]" (no spaces, so a name stays one shell word).</summary>
    protected static string S(long[] shape) => "[" + string.Join(",", shape) + "]";
}

/// <summary>Finds the suites: every concrete <see cref="ParitySuite"/> in this assembly (plus any extra ones given).</summary>
public static class SuiteCatalog
{
    /// <summary>All suites of the parity assembly, ordered by type name.</summary>
    public static IReadOnlyList<ParitySuite> Discover() =>
        typeof(ParitySuite).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(ParitySuite)) && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) is not null)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => (ParitySuite)Activator.CreateInstance(t)!)
            .ToList();

    /// <summary>Every case of <paramref name="suites"/>; throws when two cases share a name.</summary>
    public static IReadOnlyList<ParityCase> Cases(IEnumerable<ParitySuite> suites)
    {
        var cases = suites.SelectMany(s => s.Cases()).ToList();
        var duplicate = cases.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidOperationException($"two parity cases are named {duplicate.Key}");
        return cases;
    }
}

/// <summary>Locates the repository (the folder holding TorchLosses.sln) from the working or the program's folder.</summary>
public static class RepoPaths
{
    /// <summary>The repository root.</summary>
    public static string Root { get; } = Find();

    /// <summary>parity/vectors, where the PyTorch-generated witness lives.</summary>
    public static string Vectors => Path.Combine(Root, "parity", "vectors");

    private static string Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "TorchLosses.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("TorchLosses.sln was not found above the working directory or the program's folder.");
    }
}
