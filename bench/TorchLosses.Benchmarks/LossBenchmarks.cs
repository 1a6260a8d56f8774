using BenchmarkDotNet.Attributes;
using TorchSharp.Diagnostics;

namespace TorchLosses.Benchmarks;

/// <summary>
/// One loss step per invocation: native kernel vs composed (autograd / analytic), forward or
/// forward+backward, per dtype and N. Operands are made once per case; every invocation runs in
/// its own dispose scope, so its tensors are freed before the next one.
/// </summary>
public class LossBenchmarks
{
    [ParamsSource(nameof(LossValues))] public string Loss { get; set; } = "";
    [ParamsSource(nameof(PathValues))] public PathKind Path { get; set; }
    [ParamsSource(nameof(ModeValues))] public ModeKind Mode { get; set; }
    [ParamsSource(nameof(DTypeValues))] public string DType { get; set; } = "";
    [ParamsSource(nameof(SizeValues))] public long N { get; set; }

    public static IEnumerable<string> LossValues => Selection.Current.Losses;
    public static IEnumerable<PathKind> PathValues => Selection.Current.Paths;
    public static IEnumerable<ModeKind> ModeValues => Selection.Current.Modes;
    public static IEnumerable<string> DTypeValues => Selection.Current.DTypes;
    public static IEnumerable<long> SizeValues => Selection.Current.Sizes;

    private Tensor? input, target;
    private Action step = () => { };

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Selection.Current.Threads);
        var spec = LossTable.Get(Loss);
        (input, target) = spec.MakeOperands(N, Selection.ToScalarType(DType), Mode == ModeKind.ForwardBackward);
        step = LossTable.Step(LossTable.Function(spec, Path), Mode, input, target);
    }

    [Benchmark]
    public void Step()
    {
        using var scope = torch.NewDisposeScope();
        step();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        input?.Dispose();
        target?.Dispose();
        input = target = null;
    }
}

/// <summary>
/// The binding's cost per op: a 1-element <c>x.add(1)</c> through P/Invoke (result disposed
/// directly, or through a dispose scope) against the same <c>at::add</c> timed in a C++ loop.
/// </summary>
public class OverheadBenchmarks
{
    /// <summary>Calls per invocation of the C++ loop.</summary>
    public const int CppLoop = 1000;

    private Tensor? x;

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Selection.Current.Threads);
        x = torch.ones(1, dtype: ScalarType.Float32);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = CppLoop, Description = "C++ at::add (loop)")]
    public double CppAdd() => NativeDiagnostics.TimeAddNanoseconds(CppLoop);

    [Benchmark(Description = "binding x.add(1), disposed")]
    public void BindingAdd()
    {
        using var y = x!.add(1);
    }

    [Benchmark(Description = "binding x.add(1) in a dispose scope")]
    public void BindingAddInScope()
    {
        using var scope = torch.NewDisposeScope();
        x!.add(1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        x?.Dispose();
        x = null;
    }
}
