using System.Text.Json;

namespace TorchLosses.Benchmarks;

/// <summary>
/// This machine's streaming rates at <see cref="N"/> float32 elements and the memory-bandwidth floor of smooth_l1 from them.
/// </summary>
/// <param name="SumNs">Median time of <c>x.sum()</c>: reads one N-sized tensor (4 bytes per element); ATen's float sum
/// accumulates in a cascade, so on one thread it can be slower than the memory.</param>
/// <param name="DotNs">Median time of <c>x.dot(y)</c>: reads two N-sized tensors (8 bytes per element) and writes nothing, the
/// access pattern of the forward.</param>
/// <param name="AddOutNs">Median time of <c>torch.add(x, y, out = z)</c> into a preallocated z (through TorchScript, as
/// TorchSharp has no out= overload): reads two N-sized tensors and writes a third (12 bytes per element), the access pattern
/// of a one-pass forward+backward that writes a fresh gradient.</param>
/// <param name="AddInPlaceNs">Median time of <c>z.add_(y)</c>: the same 12 bytes per element, but the written tensor is one of
/// the two read (no fresh destination), for comparison.</param>
public sealed record FloorResult(long N, double SumNs, double DotNs, double AddOutNs, double AddInPlaceNs)
{
    /// <summary>Bytes per second read: the faster of the sum and the dot product (a floor takes the best rate seen).</summary>
    public double ReadRate => Math.Max(4.0 * N / (SumNs * 1e-9), 8.0 * N / (DotNs * 1e-9));

    /// <summary>Bytes per second moved (read 8, write 4 per element): the faster of the add into a preallocated output and the
    /// in-place add.</summary>
    public double ReadWriteRate => 12.0 * N / (Math.Min(AddOutNs, AddInPlaceNs) * 1e-9);

    /// <summary>smooth_l1 forward must read x and y: 8 bytes per element at the read rate.</summary>
    public double ForwardFloorNs => 8.0 * N / ReadRate * 1e9;

    /// <summary>smooth_l1 forward+backward in one pass must read x and y and write the gradient: 12 bytes per element at the
    /// read+write rate.</summary>
    public double OnePassFloorNs => 12.0 * N / ReadWriteRate * 1e9;
}

/// <summary>
/// Measures the physical floor in the same run as the timings: how fast this machine streams memory through libtorch's own
/// kernels on one thread, and from that the least time smooth_l1 at N = 1e7 float32 can take (bytes that must move ÷ rate).
/// </summary>
public static class Floor
{
    /// <summary>The N of the floor: smooth_l1's largest benchmarked size.</summary>
    public const long N = 10_000_000;

    private const string Source = """
        def add_out(x: Tensor, y: Tensor, z: Tensor) -> Tensor:
            return torch.add(x, y, out=z)

        """;

    public static FloorResult Run(Selection selection)
    {
        torch.set_num_threads(selection.Threads);
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(20261122);
        var x = torch.randn(N, dtype: ScalarType.Float32);
        var y = torch.randn(N, dtype: ScalarType.Float32);
        var z = torch.zeros(N, dtype: ScalarType.Float32);
        var scratch = x.clone();
        using var unit = torch.jit.compile(Source);
        double sum = OpProfile.MedianNanoseconds(() => x.sum().Dispose());
        double dot = OpProfile.MedianNanoseconds(() => x.dot(y).Dispose());
        double addOut = OpProfile.MedianNanoseconds(() => ((Tensor)unit.invoke("add_out", x, y, z)).Dispose());
        // scratch += y then scratch -= y keeps the values where they started (no growth, no denormals); each is one add_.
        bool up = true;
        double addInPlace = OpProfile.MedianNanoseconds(() =>
        {
            if (up) scratch.add_(y);
            else scratch.sub_(y);
            up = !up;
        });
        var result = new FloorResult(N, sum, dot, addOut, addInPlace);
        Console.WriteLine($"floor N={N}: sum {Report.FormatTime(sum)}, dot {Report.FormatTime(dot)} ({result.ReadRate / 1e9:F1} GB/s read), " +
                          $"add out= {Report.FormatTime(addOut)}, add_ {Report.FormatTime(addInPlace)} ({result.ReadWriteRate / 1e9:F1} GB/s); smooth_l1 floor: forward " +
                          $"{Report.FormatTime(result.ForwardFloorNs)}, forward+backward in one pass {Report.FormatTime(result.OnePassFloorNs)}");
        return result;
    }

    public static void Save(FloorResult result, string path) => File.WriteAllText(path, JsonSerializer.Serialize(result, Json.Options));

    public static FloorResult? Load(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<FloorResult>(File.ReadAllText(path), Json.Options) : null;
}
