namespace TorchLossesTests.Build;

/// <summary>
/// No code that runs in the library, the parity suite or the examples creates a <see cref="Scalar"/> it does not own
/// (<see cref="ScalarOwnership"/> says why and how that is found): each test compiles one project's sources with Roslyn
/// and lists every finding as file:line.
/// </summary>
[TestClass]
public sealed class ImplicitScalarTests
{
    [TestMethod]
    [DataRow("src/TorchLosses/TorchLosses.csproj")]
    [DataRow("parity/Parity.Core/Parity.Core.csproj")]
    [DataRow("examples/Examples.Common/Examples.Common.csproj")]
    [DataRow("examples/RobustRegression/RobustRegression.csproj")]
    [DataRow("examples/NonlinearRegression/NonlinearRegression.csproj")]
    [DataRow("examples/BoxRegression/BoxRegression.csproj")]
    [DataRow("examples/Classification/Classification.csproj")]
    [DataRow("examples/Segmentation/Segmentation.csproj")]
    public void CreatesNoScalarItDoesNotOwn(string project)
    {
        var findings = ScalarOwnership.OfProject(project);
        Assert.IsEmpty(findings, $"{findings.Count} Scalar(s) created without an owner in {project} (use Core/Scalars.cs's " +
            "constants or `using var s = value.ToScalar();`):\n" + string.Join("\n", findings));
    }

    /// <summary>The detector itself: what it must find, and what it must leave alone.</summary>
    [TestMethod]
    public void TheDetectorFindsEveryUnownedScalarAndNoOwnedOne()
    {
        const string source = """
            static class Probe
            {
                static readonly Scalar Half = 0.5;                              // owned: a static readonly field
                static Scalar Of(double value) => value.ToScalar();            // a factory: its callers are checked
                static Tensor Owned(Tensor x, double b)
                {
                    using var bound = b.ToScalar();                            // owned: a using local
                    using (var low = (-b).ToScalar())                          // owned: a using statement
                        x = x.clamp(low, bound).mul(Half);
                    using var made = Of(b);                                    // owned: a factory's result in a using local
                    return x.sub(made).sub(x);                                 // tensor − tensor makes no Scalar
                }
                static Tensor Unowned(Tensor x, double b)
                {
                    var y = x * 0.5;                                           // line 15: implicit conversion
                    y = y.add(b.ToScalar());                                   // line 16: ToScalar() passed on (and add's alpha)
                    y = y.masked_fill(y.isnan(), (Scalar)0);                   // line 17: explicit conversion
                    Scalar kept = b;                                           // line 18: a plain local is no owner
                    y = y.add(Of(1));                                          // line 19: a factory's result passed on
                    y = y.sub(Of(2));                                          // ScalarOwnership: too short
                    // ScalarOwnership: reviewed, with a reason long enough to count
                    y = y.sub(Of(3));
                    return y + x;                                              // line 23: add(Tensor) is add(target, 1) in TorchSharp
                }
            }
            """;
        var findings = ScalarOwnership.OfSource(source);
        var lines = findings.Select(f => f.Line - 3).Distinct().ToList();   // the probe's three global usings come first
        CollectionAssert.AreEqual(new[] { 15, 16, 17, 18, 19, 20, 23 }, lines, string.Join("\n", findings));
    }
}
