namespace TorchLosses.Parity;

/// <summary>What a case compares.</summary>
public enum CaseKind
{
    /// <summary>Composed loss against libtorch's native function: values, gradients of every input that
    /// requires grad (and, where <see cref="ParityCase.UseGradcheck"/> is set, finite differences too).</summary>
    Native,

    /// <summary>Inputs that libtorch rejects: the composed loss must reject them too, with the same message.</summary>
    Error,

    /// <summary>Composed loss against values and gradients (or an error message) recorded from real PyTorch.</summary>
    Vector,
}

/// <summary>
/// One parity case: a name that <c>--filter</c> matches, the inputs, the composed call and its reference.
/// Cases are plain data; the <see cref="Runner"/> gives them life.
/// </summary>
public sealed record ParityCase
{
    /// <summary>Unique path-like name, e.g. <c>smooth_l1/f64/mean/beta=0.5/shape=[3,4]/edge</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The loss's functional name without the <c>_loss</c> suffix: <c>smooth_l1</c>, <c>cross_entropy</c>, ...</summary>
    public required string Loss { get; init; }

    /// <summary>What the case compares.</summary>
    public CaseKind Kind { get; init; } = CaseKind.Native;

    /// <summary>The dtype whose tolerance applies (that of the loss's result).</summary>
    public ScalarType DType { get; init; } = ScalarType.Float64;

    /// <summary>The reduction the case uses, as a label ("none", "mean", "sum", or a legacy pair).</summary>
    public string Reduction { get; init; } = "";

    /// <summary>
    /// Builds fresh inputs (those that require grad are differentiated on both sides). Called once per
    /// case with a factory seeded from the run's seed and the case's name.
    /// </summary>
    public required Func<InputFactory, Tensor[]> Inputs { get; init; }

    /// <summary>The composed loss under test.</summary>
    public required Func<Tensor[], Tensor> Composed { get; init; }

    /// <summary>
    /// libtorch's native function (<see cref="CaseKind.Native"/> and <see cref="CaseKind.Error"/> cases). On a
    /// <see cref="CaseKind.Vector"/> case, where the suite gives one, libtorch 2.10's op on the recorded arguments: the runner
    /// compares with the recording, and a test checks that this call reproduces it (see <see cref="VectorWitness.Cases"/>).
    /// </summary>
    public Func<Tensor[], Tensor>? Native { get; init; }

    /// <summary>The PyTorch-recorded result (<see cref="CaseKind.Vector"/> cases).</summary>
    public RecordedResult? Recorded { get; init; }

    /// <summary>
    /// For error cases: the message to expect instead of libtorch's, when PyTorch raises from Python with
    /// other words than the ATen check behind it (the composed losses carry PyTorch's text). On a
    /// <see cref="CaseKind.Vector"/> case: the recorded error, where the suite declares it one PyTorch raises in Python (so
    /// <see cref="Native"/>, the op, is not expected to raise it).
    /// </summary>
    public string? ExpectedMessage { get; init; }

    /// <summary>
    /// Whether to also run <see cref="TorchLosses.GradCheck.gradcheck"/> on the composed loss (float64 inputs, every input
    /// at least a few eps away from a kink). The runner skips it when <see cref="KinkDistance"/> says the
    /// generated point is too close to one.
    /// </summary>
    public bool UseGradcheck { get; init; }

    /// <summary>Optional: the distance of the generated inputs from the nearest kink; gradcheck needs ≥ 100·<see cref="GradcheckEps"/>.</summary>
    public Func<Tensor[], double>? KinkDistance { get; init; }

    /// <summary>The finite-difference step for gradcheck: PyTorch's 1e-6 for inputs of order 1, scaled with the
    /// inputs otherwise (a step of 1e-6 on a loss of 1e12 leaves only the rounding noise of its value; on inputs
    /// of order 1e-6 it would straddle every kink).</summary>
    public double GradcheckEps { get; init; } = 1e-6;

    /// <summary>
    /// For bfloat16/float16 cases: the magnitude of the largest term that enters one result element
    /// (computed from the inputs). The relative tolerance is taken of max(|expected|, magnitude), because
    /// the composed form rounds each term to 8 or 11 bits before terms cancel. Null: 0.
    /// </summary>
    public Func<Tensor[], double>? Magnitude { get; init; }

    /// <summary>Whether the case belongs to the <c>--quick</c> subset.</summary>
    public bool Quick { get; init; }

    /// <summary>
    /// For a PyTorch vector where libtorch 2.10 behaves differently from the PyTorch 1.13 that recorded it: the entry of
    /// <c>parity/vector-differences.json</c> (why, and 2.10's error where it raises one). Such a case is checked against libtorch 2.10 (its <see cref="Native"/> call or
    /// <see cref="ExpectedMessage"/>), and <see cref="Recorded"/> keeps 1.13's result, so a test can show the difference is real.
    /// </summary>
    public VectorWitness.Difference? DiffersFromRecording { get; init; }

    /// <summary>Free-form labels (regime, parameters) for the report.</summary>
    public string Notes { get; init; } = "";
}

/// <summary>A result recorded from real PyTorch: an output with the gradients it produced, or an error.</summary>
public sealed class RecordedResult
{
    /// <summary>The loss value (null when PyTorch raised).</summary>
    public RecordedTensor? Output { get; init; }

    /// <summary>The upstream gradient PyTorch backpropagated (shaped like the output).</summary>
    public RecordedTensor? GradOutput { get; init; }

    /// <summary>The gradient of each input, by position (null where the input does not require grad).</summary>
    public RecordedTensor?[] Grads { get; init; } = Array.Empty<RecordedTensor?>();

    /// <summary>PyTorch's error message, when it raised.</summary>
    public string? Error { get; init; }
}

/// <summary>A tensor as the generator stored it: shape, dtype name and values in row-major order.</summary>
public sealed record RecordedTensor(long[] Shape, string DType, double[] Values)
{
    /// <summary>The tensor itself (float64 or int64, as recorded).</summary>
    public Tensor ToTensor(bool requiresGrad = false)
    {
        var t = DType switch
        {
            "int64" => tensor(Values.Select(v => (long)v).ToArray(), Shape),
            "uint8" => tensor(Values.Select(v => (byte)v).ToArray(), Shape),
            "bool" => tensor(Values.Select(v => v != 0).ToArray(), Shape),
            "float32" => tensor(Values, Shape).to(ScalarType.Float32),
            _ => tensor(Values, Shape),
        };
        if (requiresGrad) t.requires_grad = true;
        return t;
    }
}
