namespace TorchLossesTests.Binding;

/// <summary>torch.promote_types: libtorch's type promotion, the rule the losses' dtype checks name.</summary>
[TestClass]
public sealed class ScalarTypeTests
{
    [TestMethod]
    [DataRow(ScalarType.Float32, ScalarType.Float32, ScalarType.Float32)]
    [DataRow(ScalarType.Float32, ScalarType.Float64, ScalarType.Float64)]
    [DataRow(ScalarType.Int64, ScalarType.Float16, ScalarType.Float16)]
    [DataRow(ScalarType.Float16, ScalarType.BFloat16, ScalarType.Float32)]
    [DataRow(ScalarType.Byte, ScalarType.Int8, ScalarType.Int16)]
    [DataRow(ScalarType.Bool, ScalarType.Byte, ScalarType.Byte)]
    [DataRow(ScalarType.Int32, ScalarType.Int64, ScalarType.Int64)]
    [DataRow(ScalarType.Float64, ScalarType.ComplexFloat32, ScalarType.ComplexFloat64)]
    public void PromotesAsLibtorchDoes(ScalarType a, ScalarType b, ScalarType expected)
    {
        Assert.AreEqual(expected, promote_types(a, b));
        Assert.AreEqual(expected, promote_types(b, a));
    }

    [TestMethod]
    public void AgreesWithTheResultTypeOfAnOperation()
    {
        var types = new[] { ScalarType.Bool, ScalarType.Byte, ScalarType.Int8, ScalarType.Int16, ScalarType.Int32, ScalarType.Int64,
            ScalarType.Float16, ScalarType.BFloat16, ScalarType.Float32, ScalarType.Float64 };
        using var scope = NewDisposeScope();
        foreach (var a in types)
        foreach (var b in types)
            Assert.AreEqual((ones(2, dtype: a) + ones(2, dtype: b)).dtype, promote_types(a, b), $"{a} with {b}");
    }

    [TestMethod]
    public void AnUnknownCodeIsAnError()
    {
        var error = Assert.ThrowsExactly<System.Runtime.InteropServices.ExternalException>(() => promote_types((ScalarType)99, ScalarType.Float32));
        StringAssert.Contains(error.Message, "invalid dtype 99: not one of libtorch's scalar types");
    }
}
