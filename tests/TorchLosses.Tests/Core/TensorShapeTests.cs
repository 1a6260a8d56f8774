using TorchLosses;

namespace TorchLossesTests.Core;

/// <summary>
/// The package reads shapes as the rank and each size (<c>Tensors.Shape</c>; TorchSharp's <c>Tensor.shape</c> is banned in
/// src for its cost): it must give what <c>Tensor.shape</c> gives for every kind of layout a loss meets.
/// </summary>
[TestClass]
public sealed class TensorShapeTests
{
    [TestMethod]
    public void ShapeIsWhatTensorShapeGives()
    {
        using var scope = torch.NewDisposeScope();
        var tensors = new[]
        {
            torch.tensor(1.5),                                // 0-d
            torch.zeros(3),
            torch.zeros(2, 3, 4),
            torch.zeros(2, 3, 4).transpose(0, 2),             // strided
            torch.zeros(1, 5).expand(4, 5),                   // stride 0
            torch.zeros(0, 7),                                // empty
            torch.zeros(new long[] { 2, 1, 3, 1, 2 }, torch.ScalarType.Int64),
            torch.zeros(6, 4)[torch.TensorIndex.Slice(1, 5, 2)],   // a view with an offset
        };
        foreach (var tensor in tensors)
            CollectionAssert.AreEqual(tensor.shape, Tensors.Shape(tensor), $"shape {string.Join("x", tensor.shape)}");
    }

    [TestMethod]
    public void ShapeMessagesPrintTheShape()
    {
        using var scope = torch.NewDisposeScope();
        var tensor = torch.zeros(2, 0, 3);
        Assert.AreEqual("torch.Size([2, 0, 3])", Check.TorchSize(tensor));
        Assert.AreEqual("[2, 0, 3]", Check.Brackets(tensor));
        Assert.AreEqual("torch.Size([])", Check.TorchSize(torch.tensor(1.0)));
    }
}
