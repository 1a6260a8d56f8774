using L = TorchLosses.nn.functional;

namespace TorchLosses.Parity.Suites;

/// <summary>
/// The contrastive family: contrastive (margin), info_nce (temperature), nt_xent (temperature), supcon (temperature). No
/// runnable reference implementation exists on this machine, so the reference side is an independent float64 composition of
/// the textbook formula (square roots of sums of squares for the norms, exp and a plain sum for the softmax denominators, no
/// log-sum-exp guard, masks by multiplication), differentiated by autograd. ArcFace and CosFace own random weights and are
/// tested in ContrastiveLossTests against scalar loops.
/// </summary>
public sealed class ContrastiveSuite : ParitySuite
{
    private static readonly double[] Temperatures = { 0.07, 0.5 };

    private sealed record Loss(string Name, string ParameterName, double[] Parameters, Func<InputFactory, ScalarType, Tensor[]> Inputs,
        Func<Tensor[], torch.nn.Reduction, double, Tensor> Composed, Func<Tensor[], double, Tensor> Reference);

    private static readonly Loss[] Losses_ =
    {
        new("contrastive", "margin", new[] { 1.0, 3.0 },
            (f, d) => new[] { f.Normal(d, new long[] { 6, 4 }), f.Normal(d, new long[] { 6, 4 }), tensor(new long[] { 1, 0, 0, 1, 0, 1 }) },
            (t, r, m) => L.contrastive_loss(t[0], t[1], t[2], m, r),
            (t, m) =>
            {
                var distance = (t[0] - t[1]).pow(Scalars.Two).sum(1).sqrt();
                var y = t[2].to(ScalarType.Float64);
                return (y * distance.pow(Scalars.Two)).Plus((One() - y) * (Const(m) - distance).relu().pow(Scalars.Two));
            }),
        new("info_nce", "temperature", Temperatures,
            (f, d) => new[] { f.Normal(d, new long[] { 5, 3 }), f.Normal(d, new long[] { 5, 3 }), f.Normal(d, new long[] { 4, 3 }) },
            (t, r, tau) => L.info_nce_loss(t[0], t[1], t[2], tau, r),
            (t, tau) =>
            {
                var q = Unit(t[0]);
                var positive = ((q * Unit(t[1])).sum(1) / Const(tau)).exp();
                var negatives = (q.matmul(Unit(t[2]).t()) / Const(tau)).exp().sum(1);
                return -(positive / (positive.Plus(negatives))).log();
            }),
        new("nt_xent", "temperature", Temperatures,
            (f, d) => new[] { f.Normal(d, new long[] { 4, 3 }), f.Normal(d, new long[] { 4, 3 }) },
            (t, r, tau) => L.nt_xent_loss(t[0], t[1], tau, r),
            (t, tau) =>
            {
                var z = Unit(torch.cat(new[] { t[0], t[1] }, 0));
                long n = t[0].shape[0];
                var e = (z.matmul(z.t()) / Const(tau)).exp() * (One() - torch.eye(2 * n, dtype: ScalarType.Float64));
                using var nScalar = n.ToScalar();
                using var nTerm = (2 * n).ToScalar();
                var partner = torch.cat(new[] { torch.arange(nScalar, nTerm, Scalars.One), torch.arange(Scalars.Zero, nScalar, Scalars.One) });
                return -(e.gather(1, partner.unsqueeze(1)).squeeze(1) / e.sum(1)).log();
            }),
        new("supcon", "temperature", Temperatures,
            (f, d) => new[] { f.Normal(d, new long[] { 6, 3 }), tensor(new long[] { 0, 1, 0, 2, 1, 2 }) },
            (t, r, tau) => L.supcon_loss(t[0], t[1], tau, r),
            (t, tau) =>
            {
                var z = Unit(t[0]);
                long n = t[0].shape[0];
                var others = One() - torch.eye(n, dtype: ScalarType.Float64);
                var e = (z.matmul(z.t()) / Const(tau)).exp() * others;
                var logRatio = ((e / e.sum(1, keepdim: true)).Plus((One() - others))).log();   // the diagonal's ratio set to 1 (log 0) before the mask
                var positives = t[1].unsqueeze(0).eq(t[1].unsqueeze(1)).to(ScalarType.Float64) * others;
                return -(logRatio * positives).sum(1) / positives.sum(1);   // every anchor of this case has a positive
            }),
    };

    /// <summary>
    /// float32 at τ = 0.07: the logits are the cosines times 1/τ ≈ 14, so the float32 rounding of a cosine (6e-8) is ≈ 1e-6 in a
    /// logit, and a gradient entry of 0.04 can differ from the float64 reference by more than float32's tolerance
    /// (1e-6 + 1e-5·|expected|) whichever way it is computed: the inputs' conditioning, not the loss's error. Such cases run in
    /// float64 only.
    /// </summary>
    private static bool Float32IllConditioned(Loss loss, double parameter) => loss.ParameterName == "temperature" && parameter < 0.1;

    // Owned 0-d constants instead of implicit Scalars (TorchSharp's Scalar lifetime trap under parallel tests).
    private static Tensor Const(double value) => tensor(value);

    private static Tensor One() => tensor(1.0);

    private static Tensor Unit(Tensor x) => x / x.pow(Scalars.Two).sum(1, keepdim: true).sqrt();

    /// <inheritdoc/>
    public override IReadOnlyList<string> Losses => Losses_.Select(l => l.Name).ToList();

    /// <inheritdoc/>
    public override IEnumerable<GridAxis> Grid
    {
        get
        {
            foreach (var loss in Losses_)
            {
                yield return new(loss.Name, "witness", "independent float64 textbook composition (no log-sum-exp guard), autograd gradients");
                yield return new(loss.Name, "dtype", loss.ParameterName == "temperature" ? "f64; f32 at τ = 0.5 (τ = 0.07 magnifies float32's rounding of the cosines 14×)" : "f64, f32");
                yield return new(loss.Name, "reduction", "none, mean, sum");
                yield return new(loss.Name, loss.ParameterName, string.Join(", ", loss.Parameters.Select(P)));
                yield return new(loss.Name, "gradcheck", "float64");
            }
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<ParityCase> Cases()
    {
        foreach (var loss in Losses_)
            foreach (var dtype in FloatDouble)
                foreach (var (reduction, label) in Reductions)
                    foreach (var parameter in loss.Parameters.Where(p => dtype == ScalarType.Float64 || !Float32IllConditioned(loss, p)))
                        yield return new ParityCase
                        {
                            Name = $"{loss.Name}/{Tolerances.Label(dtype)}/{label}/{loss.ParameterName}={P(parameter)}",
                            Loss = loss.Name,
                            DType = dtype,
                            Reduction = label,
                            Inputs = f => loss.Inputs(f, dtype),
                            Composed = t => loss.Composed(t, reduction, parameter),
                            Native = t => Reduce(loss.Reference(t.Select(x => x.is_floating_point() ? x.to(ScalarType.Float64) : x).ToArray(), parameter), reduction).to(t[0].dtype),
                            UseGradcheck = dtype == ScalarType.Float64,
                            Quick = dtype == ScalarType.Float64 && parameter == loss.Parameters[0],
                            Notes = "float64 textbook composition",
                        };
    }

    private static Tensor Reduce(Tensor losses, torch.nn.Reduction reduction) => reduction switch
    {
        torch.nn.Reduction.None => losses,
        torch.nn.Reduction.Sum => losses.sum(),
        _ => losses.mean(),
    };
}
