using System.Text.Json;

namespace TorchLosses.Benchmarks;

/// <summary>
/// The native bytes one loss step needs above what existed before it (its operands), and how many blocks of at least
/// one N-sized tensor it allocates.
/// </summary>
public sealed record MemoryResult(string Loss, PathKind Path, ModeKind Mode, string DType, long N, int ElementSize,
    long PeakExtraBytes, long RetainedBytes, int NSizedAllocations)
{
    /// <summary>The peak in units of one N-sized tensor of the operands' dtype.</summary>
    public double PeakUnits => PeakExtraBytes / (double)(N * ElementSize);
}

/// <summary>
/// Measures, outside BenchmarkDotNet's timing, the peak native memory of one step of each
/// (loss, path, mode) from libtorch's own CPU allocator accounting (<see cref="AllocatorLog"/>): the
/// operands are made first, the window starts after them, and the step runs once to warm up and
/// once measured, each in a dispose scope. The peak includes the returned gradient, as the
/// anchors' figures do.
/// </summary>
public static class MemoryPass
{
    public static List<MemoryResult> Run(Selection selection)
    {
        torch.set_num_threads(selection.Threads);
        var results = new List<MemoryResult>();
        using var tracking = AllocatorLog.Track();
        foreach (var ((loss, path, mode, dtype, n, scalarType), step) in LossTable.Steps(selection, selection.MemorySizes))
        {
            using (torch.NewDisposeScope()) step();
            var window = AllocatorLog.Measure(() =>
            {
                using (torch.NewDisposeScope()) step();
            });
            int elementSize = scalarType == ScalarType.Float64 ? 8 : 4;
            var result = new MemoryResult(loss, path, mode, dtype, n, elementSize, window.PeakExtraBytes, window.RetainedBytes,
                window.Allocations.Count(bytes => bytes >= n * elementSize));
            results.Add(result);
            Console.WriteLine($"memory {loss,-15} {mode,-15} {dtype} N={n,-9} {path,-8} peak {result.PeakUnits,5:F2} × N-sized, " +
                              $"{result.NSizedAllocations} N-sized of {window.Allocations.Count} allocations" +
                              (window.RetainedBytes != 0 ? $"  (retained {window.RetainedBytes} B)" : ""));
        }
        return results;
    }

    public static void Save(List<MemoryResult> results, string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(results, Json.Options));

    public static List<MemoryResult> Load(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<List<MemoryResult>>(File.ReadAllText(path), Json.Options) ?? new() : new();
}

internal static class Json
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>Writes a pass's results to <paramref name="path"/>.</summary>
    public static void Save<T>(T results, string path) => File.WriteAllText(path, JsonSerializer.Serialize(results, Options));

    /// <summary>A pass's saved results, or null when the pass did not run.</summary>
    public static T? Load<T>(string path) where T : class =>
        File.Exists(path) ? JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options) : null;
}
