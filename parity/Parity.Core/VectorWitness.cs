using System.Globalization;
using System.Text.Json;

namespace TorchLosses.Parity;

/// <summary>One case as <c>parity/generate_vectors.py</c> recorded it from real PyTorch.</summary>
public sealed class RecordedCase
{
    /// <summary>The case's name within its loss, e.g. <c>beta=0.5/shape=[3,4]/ties</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The scalar keyword arguments PyTorch was called with (reduction, beta, ignore_index, ...).</summary>
    public required IReadOnlyDictionary<string, JsonElement> Kwargs { get; init; }

    /// <summary>The tensor arguments, in call order, with their names (input, target, weight, ...).</summary>
    public required IReadOnlyList<(string Name, RecordedTensor Tensor, bool RequiresGrad)> Inputs { get; init; }

    /// <summary>What PyTorch returned (or raised).</summary>
    public required RecordedResult Result { get; init; }
}

/// <summary>A recorded case's arguments, handed to the composed call that a suite wires to it.</summary>
public sealed class VectorCall
{
    internal VectorCall(RecordedCase recorded, Tensor[] inputs)
    {
        Case = recorded;
        Inputs = inputs;
    }

    /// <summary>The recorded case.</summary>
    public RecordedCase Case { get; }

    /// <summary>The tensor arguments, in the recorded order.</summary>
    public Tensor[] Inputs { get; }

    /// <summary>The tensor argument called <paramref name="name"/>.</summary>
    public Tensor this[string name] => Optional(name) ?? throw new KeyNotFoundException($"the recorded case {Case.Name} has no tensor '{name}'");

    /// <summary>The tensor argument called <paramref name="name"/>, or null when the case has none.</summary>
    public Tensor? Optional(string name)
    {
        for (int k = 0; k < Case.Inputs.Count; k++)
            if (Case.Inputs[k].Name == name) return Inputs[k];
        return null;
    }

    /// <summary>A floating keyword argument ("nan", "inf" and "-inf" are read as such).</summary>
    public double Double(string key, double fallback) =>
        Case.Kwargs.TryGetValue(key, out var v) ? VectorWitness.ReadDouble(v) : fallback;

    /// <summary>An integer keyword argument.</summary>
    public long Long(string key, long fallback) => Case.Kwargs.TryGetValue(key, out var v) ? v.GetInt64() : fallback;

    /// <summary>A boolean keyword argument.</summary>
    public bool Bool(string key, bool fallback) => Case.Kwargs.TryGetValue(key, out var v) ? v.GetBoolean() : fallback;

    /// <summary>A string keyword argument.</summary>
    public string String(string key, string fallback) => Case.Kwargs.TryGetValue(key, out var v) ? v.GetString() ?? fallback : fallback;

    /// <summary>The reduction keyword ("mean" when absent).</summary>
    public torch.nn.Reduction Reduction => ReductionNamed(String("reduction", "mean"));

    /// <summary>The reduction PyTorch's name stands for: "none", "sum", else mean (also "mean" and "elementwise_mean").</summary>
    public static torch.nn.Reduction ReductionNamed(string name) => name switch
    {
        "none" => torch.nn.Reduction.None,
        "sum" => torch.nn.Reduction.Sum,
        _ => torch.nn.Reduction.Mean,
    };
}

/// <summary>
/// The second witness: values and gradients recorded from real PyTorch (Debian's python3-torch) by
/// <c>parity/generate_vectors.py</c> into <c>parity/vectors/&lt;functional&gt;.json</c>, so the suite runs
/// without Python. A suite wires a loss's file to its composed call with <see cref="Cases"/>.
/// </summary>
public static class VectorWitness
{
    /// <summary>The functional names (e.g. <c>smooth_l1_loss</c>) that have a vector file.</summary>
    public static IReadOnlyList<string> Available() =>
        Directory.Exists(RepoPaths.Vectors)
            ? Directory.GetFiles(RepoPaths.Vectors, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>()
                .OrderBy(n => n, StringComparer.Ordinal).ToList()
            : Array.Empty<string>();

    /// <summary>The PyTorch version recorded in a vector file (null when the file is missing).</summary>
    public static string? TorchVersion(string functional)
    {
        var path = PathOf(functional);
        if (!File.Exists(path)) return null;
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("torch_version").GetString();
    }

    /// <summary>
    /// One <see cref="CaseKind.Vector"/> case per recorded case of <paramref name="functional"/>, named
    /// <c>{loss}/f64/{reduction}/pytorch/{recorded name}</c>, running <paramref name="composed"/>.
    /// A missing file gives no cases.
    /// </summary>
    /// <remarks>
    /// <para><paramref name="native"/> is libtorch 2.10's op called as PyTorch's functional calls it, on a recorded case's
    /// arguments. Every case carries it (<see cref="ParityCase.Native"/>); on a case checked against the recording the runner
    /// does not run it, but a test does (ParityMachineryTests): it must reproduce the recording (values and gradients, or the
    /// error text) wherever <c>parity/vector-differences.json</c> lists no difference, so the list is complete for every loss
    /// whose suite passes it. A recorded error that PyTorch raises in Python, before the op (<paramref name="pythonCheck"/>),
    /// is exempt: the op cannot raise it.</para>
    /// <para>A recorded case that <c>parity/vector-differences.json</c> lists (libtorch 2.10 behaves differently from the PyTorch
    /// 1.13 that recorded it) is checked against libtorch 2.10 instead, on the recorded inputs: against
    /// <paramref name="native"/> (values and gradients, or its error: then the entry's error text is what a test checks
    /// libtorch raises), or, without a native call, against the error message the entry gives. Its name stays the same;
    /// <see cref="ParityCase.DiffersFromRecording"/> carries the entry. An entry is keyed by the recorded name, which
    /// the recorded reductions of a case share: it covers the case under every reduction recorded (the test checks each of them
    /// really differs).</para>
    /// </remarks>
    /// <exception cref="InvalidOperationException">the differences file names a case that is not recorded, or a value
    /// difference of a loss for which no <paramref name="native"/> call is given.</exception>
    public static IEnumerable<ParityCase> Cases(string functional, string loss, Func<VectorCall, Tensor> composed, Func<RecordedCase, bool>? quick = null,
        Func<VectorCall, Tensor>? native = null, Func<RecordedCase, bool>? pythonCheck = null)
    {
        var recordedCases = Load(functional);
        var differences = Differences(functional);
        foreach (var name in differences.Keys.Where(n => recordedCases.All(c => c.Name != n)))
            throw new InvalidOperationException($"{DifferencesPath} lists {functional} case '{name}', which {functional}.json does not record");
        foreach (var recorded in recordedCases)
        {
            string reduction = recorded.Kwargs.TryGetValue("reduction", out var r) ? r.GetString() ?? "mean" : "mean";
            var vector = new ParityCase
            {
                Name = $"{loss}/f64/{reduction}/pytorch/{recorded.Name}",
                Loss = loss,
                Kind = CaseKind.Vector,
                DType = ScalarType.Float64,
                Reduction = reduction,
                Inputs = _ => recorded.Inputs.Select(i => i.Tensor.ToTensor(i.RequiresGrad)).ToArray(),
                Composed = inputs => composed(new VectorCall(recorded, inputs)),
                Native = native is null ? null : inputs => native(new VectorCall(recorded, inputs)),
                Recorded = recorded.Result,
                ExpectedMessage = recorded.Result.Error is not null && (pythonCheck?.Invoke(recorded) ?? false) ? recorded.Result.Error : null,
                Quick = quick?.Invoke(recorded) ?? true,
                Notes = "PyTorch " + (TorchVersion(functional) ?? "?"),
            };
            if (!differences.TryGetValue(recorded.Name, out var difference))
            {
                yield return vector;
                continue;
            }
            if (difference.Error is null && native is null)
                throw new InvalidOperationException($"{DifferencesPath}: {functional} case '{recorded.Name}' differs in value, but the suite gives no native call to check it");
            yield return vector with
            {
                Kind = difference.Error is null ? CaseKind.Native : CaseKind.Error,
                // With a native call, its own message is the reference (the entry's text is checked against it by a test).
                ExpectedMessage = native is null ? difference.Error : null,
                DiffersFromRecording = difference,
                Notes = $"{vector.Notes}; libtorch 2.10 differs: {difference.Reason}",
            };
        }
    }

    /// <summary>Where the cases whose libtorch 2.10 behaviour differs from the recording are listed, with the reason.</summary>
    public static string DifferencesPath => Path.Combine(RepoPaths.Root, "parity", "vector-differences.json");

    /// <summary>One entry of <see cref="DifferencesPath"/>: why 2.10 differs, and its error message when 2.10 raises one.</summary>
    public sealed record Difference(string Reason, string? Error);

    /// <summary>The entries of <see cref="DifferencesPath"/> for one functional, by recorded case name (an entry covers that case under
    /// every reduction recorded).</summary>
    public static IReadOnlyDictionary<string, Difference> Differences(string functional)
    {
        if (!File.Exists(DifferencesPath)) return new Dictionary<string, Difference>();
        using var doc = JsonDocument.Parse(File.ReadAllText(DifferencesPath));
        if (!doc.RootElement.GetProperty("differences").TryGetProperty(functional, out var entries)) return new Dictionary<string, Difference>();
        return entries.EnumerateObject().ToDictionary(e => e.Name, e => new Difference(
            e.Value.GetProperty("reason").GetString()!,
            e.Value.TryGetProperty("error", out var error) ? error.GetString() : null));
    }

    /// <summary>The recorded cases of <paramref name="functional"/> (empty when there is no file).</summary>
    public static IReadOnlyList<RecordedCase> Load(string functional)
    {
        var path = PathOf(functional);
        if (!File.Exists(path)) return Array.Empty<RecordedCase>();
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var cases = new List<RecordedCase>();
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var inputs = c.GetProperty("inputs").EnumerateArray()
                .Select(i => (i.GetProperty("name").GetString()!, ReadTensor(i), i.TryGetProperty("requires_grad", out var g) && g.GetBoolean()))
                .ToList();
            var kwargs = c.GetProperty("kwargs").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
            RecordedResult result;
            if (c.TryGetProperty("error", out var error))
                result = new RecordedResult { Error = error.GetString() };
            else
            {
                var grads = c.GetProperty("grads");
                result = new RecordedResult
                {
                    Output = ReadTensor(c.GetProperty("output")),
                    GradOutput = c.TryGetProperty("grad_output", out var go) && go.ValueKind != JsonValueKind.Null ? ReadTensor(go) : null,
                    Grads = inputs.Select(i => grads.TryGetProperty(i.Item1, out var g) && g.ValueKind != JsonValueKind.Null ? ReadTensor(g) : null).ToArray(),
                };
            }
            cases.Add(new RecordedCase { Name = c.GetProperty("name").GetString()!, Kwargs = kwargs, Inputs = inputs, Result = result });
        }
        return cases;
    }

    private static string PathOf(string functional) => Path.Combine(RepoPaths.Vectors, functional + ".json");

    private static RecordedTensor ReadTensor(JsonElement e) => new(
        e.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()).ToArray(),
        e.GetProperty("dtype").GetString()!,
        e.GetProperty("values").EnumerateArray().Select(ReadDouble).ToArray());

    internal static double ReadDouble(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Number => v.GetDouble(),
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        JsonValueKind.String => v.GetString() switch
        {
            "nan" => double.NaN,
            "inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            var s => double.Parse(s!, CultureInfo.InvariantCulture),
        },
        _ => throw new FormatException($"not a number: {v}"),
    };
}
