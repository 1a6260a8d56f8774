namespace TorchLossesTests.Support;

/// <summary>
/// The pairwise losses with the analytic path of PairwiseGradientFunction, by name, with β = δ = 0.7 (so that the kernels'
/// scale is not 1), for the tests that hold that path to libtorch: TorchLosses' loss and libtorch's own.
/// </summary>
internal static class PairwiseLosses
{
    /// <summary>The four losses, as test data rows.</summary>
    internal static IEnumerable<object[]> Names => new[] { "l1", "mse", "smooth_l1", "huber" }.Select(n => new object[] { n });

    /// <summary>TorchLosses' loss; "huber_huge_delta" is Huber with δ beyond float32 (its saved slope is float64).</summary>
    internal static Tensor Ours(string name, Tensor x, Tensor y, torch.nn.Reduction reduction) => name switch
    {
        "l1" => L.l1_loss(x, y, reduction),
        "mse" => L.mse_loss(x, y, reduction),
        "smooth_l1" => L.smooth_l1_loss(x, y, reduction, 0.7),
        "huber" => L.huber_loss(x, y, reduction, 0.7),
        "huber_huge_delta" => L.huber_loss(x, y, reduction, 1e39),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a pairwise loss of these tests"),
    };

    /// <summary>libtorch's own ATen loss op with PyTorch's parameters, through TorchScript (the parity suite's witness).</summary>
    internal static Tensor Native(string name, Tensor x, Tensor y, torch.nn.Reduction reduction) => name switch
    {
        "l1" => N.l1_loss(x, y, reduction),
        "mse" => N.mse_loss(x, y, reduction),
        "smooth_l1" => N.smooth_l1_loss(x, y, reduction, 0.7),
        "huber" => N.huber_loss(x, y, 0.7, reduction),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a pairwise loss of these tests"),
    };
}
