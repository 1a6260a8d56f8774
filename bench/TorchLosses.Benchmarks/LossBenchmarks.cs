using BenchmarkDotNet.Attributes;

namespace TorchLosses.Benchmarks;

/// <summary>
/// One loss step per invocation: native op vs composed (autograd / analytic), forward or
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
/// TorchSharp's cost per op on 1-element float32 tensors (a new output each call): <c>x.add(y)</c>, <c>x.add(1)</c> (TorchSharp
/// makes libtorch Scalars of 1 and of the default alpha on every call) and <c>x.add(one)</c> with a Scalar made once, against
/// the same ops called by libtorch itself in a C++ loop.
/// </summary>
/// <remarks>
/// The C++ loop: TorchSharp has no way to run C++ of our own, but ATen's <c>_foreach_add</c> on CPU is a plain C++ loop that
/// calls <c>t.add(other)</c> for each tensor of its list (<c>foreach_tensor_add_*_kernel_slow</c>) and keeps the results; one
/// TorchScript call runs it over <see cref="CppLoop"/> references to x, so the call's own cost (TorchSharp's invoke, the
/// interpreter, building the lists) is spread over that many adds. The loop runs below libtorch's autograd layer (the
/// foreach op's autograd kernel redispatches past it), which a single <c>at::add</c> call from C++ passes through; the
/// ratios therefore slightly overstate TorchSharp's own share.
/// </remarks>
public class OverheadBenchmarks
{
    /// <summary>Adds per call of the C++ loop.</summary>
    public const int CppLoop = 1000;

    /// <summary>Compiled once per process from this fixed text (TorchSharp does not catch a TorchScript compile error).</summary>
    private const string Source = """
        def add_tensor_loop(x: Tensor, y: Tensor, calls: int) -> int:
            return len(torch._foreach_add([x] * calls, [y] * calls))
        def add_scalar_loop(x: Tensor, calls: int) -> int:
            return len(torch._foreach_add([x] * calls, 1))

        """;

    private Tensor? x, y;
    private Scalar? one;
    private torch.jit.CompilationUnit? unit;

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Selection.Current.Threads);
        x = torch.ones(1, dtype: ScalarType.Float32);
        y = torch.ones(1, dtype: ScalarType.Float32);
        one = 1.ToScalar();
        unit = torch.jit.compile(Source);
    }

    [Benchmark(OperationsPerInvoke = CppLoop, Description = "libtorch C++ loop: add(x, y)")]
    public object LibTorchAddTensor() => unit!.invoke("add_tensor_loop", x!, y!, (long)CppLoop);

    [Benchmark(OperationsPerInvoke = CppLoop, Description = "libtorch C++ loop: add(x, 1)")]
    public object LibTorchAddScalar() => unit!.invoke("add_scalar_loop", x!, (long)CppLoop);

    [Benchmark(Description = "TorchSharp x.add(y), disposed")]
    public void TorchSharpAddTensor()
    {
        using var result = x!.add(y!);
    }

    [Benchmark(Description = "TorchSharp x.add(y) in a dispose scope")]
    public void TorchSharpAddTensorInScope()
    {
        using var scope = torch.NewDisposeScope();
        x!.add(y!);
    }

    [Benchmark(Description = "TorchSharp x.add(1), disposed")]
    public void TorchSharpAddScalar()
    {
        using var result = x!.add(1);
    }

    [Benchmark(Description = "TorchSharp x.add(one), Scalar made once, disposed")]
    public void TorchSharpAddCachedScalar()
    {
        using var result = x!.add(one!);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        x?.Dispose();
        y?.Dispose();
        one?.Dispose();
        unit?.Dispose();
        x = y = null;
        one = null;
        unit = null;
    }
}
