using System.Text.RegularExpressions;

namespace TorchLossesTests.Losses;

/// <summary>
/// Every loss makes its tensors on its input's device. A loss's tensors come from its inputs through ops (which keep the
/// device) or from a factory; so the proof is that every factory call in src/TorchLosses names a device taken from a
/// tensor it was given. (libtorch 1.13 let every loss run on the meta device, which showed this by running; libtorch
/// 2.10's C++ build lacks meta kernels for abs, where, isnan, logical_and and logical_not, on which nearly every loss
/// rests, and a CPU-only machine has no second device, so the proof reads the source.) Dtypes are held by the parity
/// suite: every loss runs in float64, float32 and the half types against libtorch, where a constant of the default dtype
/// would show as a wrong dtype or a float32 rounding.
/// </summary>
[TestClass]
public sealed class DeviceAgnosticTests
{
    /// <summary>
    /// Factory calls that make a tensor from nothing (no input tensor to inherit a device from): <c>torch.zeros(…)</c>, or
    /// <c>zeros(…)</c> through the static import of <c>TorchSharp.torch</c> (not a method of a tensor: <c>x.zeros(…)</c>).
    /// </summary>
    private static readonly Regex Factory = new(
        @"(?<![\w.])(torch\.)?(tensor|zeros|ones|full|empty|arange|linspace|logspace|eye|scalar_tensor|rand|randn|randint|normal|from_array)\(",
        RegexOptions.Compiled);

    /// <summary>A device argument taken from a tensor: <c>x.device</c> (or <c>device: x.device</c>).</summary>
    private static readonly Regex DeviceOfATensor = new(@"\b\w+(\.\w+|\(\))*\.device\b", RegexOptions.Compiled);

    /// <summary>A local <c>device</c> set from a tensor's device (<c>var device = lp.device;</c>), and a use of it.</summary>
    private static readonly Regex DeviceLocal = new(@"\bvar\s+device\s*=\s*\w+(\.\w+|\(\))*\.device\s*;", RegexOptions.Compiled);
    private static readonly Regex UsesDeviceLocal = new(@"[(,]\s*(device:\s*)?device\s*[,)]", RegexOptions.Compiled);

    /// <summary>
    /// Factory calls that are on the host on purpose, each with its reason. A new entry needs one that a reader would
    /// accept for a CUDA input.
    /// </summary>
    private static readonly Dictionary<string, string> HostOnPurpose = new()
    {
        ["Sequence/CTCLoss.cs: torch.tensor(input_lengths)"] =
            "lengths given as long[] are read back into .NET arrays; PyTorch too takes CPU length tensors with CUDA log_probs",
        ["Sequence/CTCLoss.cs: torch.tensor(target_lengths)"] = "as input_lengths",
        ["Robust/AdaptiveRobustLoss.cs: torch.tensor(Enumerable.Repeat(Math.Log(fraction / (1 - fraction)), (int)num_dims).ToArray(), dtype, device)"] =
            "a module's parameter, on the device its constructor is given (no input exists yet)",
        ["Robust/AdaptiveRobustLoss.cs: torch.zeros(new[] { num_dims }, dtype, device)"] = "as the α latent",
        ["Contrastive/ArcFaceLoss.cs: torch.rand(new[] { classes, size }, dtype, device)"] = "the class weights, on the device the head's constructor is given",
    };

    /// <summary>The factory calls in <paramref name="source"/> (with their full argument list) that name no tensor's device.</summary>
    internal static IEnumerable<string> CallsWithoutADevice(string source)
    {
        bool deviceLocal = DeviceLocal.IsMatch(source);
        foreach (Match match in Factory.Matches(source))
        {
            int depth = 0, end = match.Index + match.Length - 1;
            for (; end < source.Length; end++)
            {
                if (source[end] == '(') depth++;
                else if (source[end] == ')' && --depth == 0) break;
            }
            var call = Regex.Replace(source[match.Index..Math.Min(end + 1, source.Length)], @"\s+", " ");
            if (!DeviceOfATensor.IsMatch(call) && !(deviceLocal && UsesDeviceLocal.IsMatch(call))) yield return call;
        }
    }

    [TestMethod]
    public void TheScanFlagsAFactoryWithoutAnInputsDevice()
    {
        const string code = """
            var a = torch.zeros(new long[] { 3 }, torch.ScalarType.Float32);
            var b = torch.zeros(shape, grad_output.dtype, grad_output.device);
            var c = torch.arange(classes, torch.ScalarType.Int64,
                                 input.device) != y;
            var d = torch.full(shape, 0.5, input.dtype, device: target.device);
            var e = torch.tensor(values);
            var f = x.zeros_like();
            var g = full(new[] { n }, -1L, ScalarType.Int64);
            var h = zeros(new[] { n }, lp.dtype, device);
            """;
        CollectionAssert.AreEqual(
            new[] { "torch.zeros(new long[] { 3 }, torch.ScalarType.Float32)", "torch.tensor(values)", "full(new[] { n }, -1L, ScalarType.Int64)",
                    "zeros(new[] { n }, lp.dtype, device)" },
            CallsWithoutADevice(code).ToArray(), "a local named device counts only where it is set from a tensor's device");
        CollectionAssert.AreEqual(Array.Empty<string>(),
            CallsWithoutADevice("var device = lp.device;\nvar h = zeros(new[] { n }, lp.dtype, device);").ToArray());
    }

    [TestMethod]
    public void EveryFactoryCallOfALossNamesItsInputsDevice()
    {
        var root = TorchLossesTests.Docs.Repository.PathOf("src/TorchLosses");
        var files = Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") &&
                        !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .ToList();
        Assert.IsGreaterThan(20, files.Count, root);
        var unexplained = new List<string>();
        var explained = new HashSet<string>();
        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            foreach (var call in CallsWithoutADevice(File.ReadAllText(file)))
            {
                var key = $"{relative}: {call}";
                if (HostOnPurpose.ContainsKey(key)) explained.Add(key);
                else unexplained.Add(key);
            }
        }
        Assert.IsEmpty(unexplained, "tensors made without the input's device:\n" + string.Join("\n", unexplained));
        CollectionAssert.AreEquivalent(HostOnPurpose.Keys.ToList(), explained.ToList(), "an entry of HostOnPurpose no longer matches the source");
    }
}
