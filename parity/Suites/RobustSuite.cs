using L = TorchLosses.nn.functional;
using Ref = TorchLosses.Parity.Suites.RobustReference;

namespace TorchLosses.Parity.Suites;

/// <summary>
/// The robust regression losses: barron (alpha), log_cosh, pseudo_huber (delta), charbonnier (epsilon), wing (omega),
/// adaptive_wing, quantile (tau). No runnable reference implementation exists on this machine (none is in PyTorch), so the
/// reference side of each case is the independent float64 scalar loop of <see cref="RobustReference"/>: its values, and its
/// derivatives as the gradients (a tensor whose value is the loop's and whose gradient with respect to each input is the
/// loop's derivative). Each case runs over every reduction × dtype (float64, float32) × layout × parameter value, with
/// gradcheck on the float64 random layouts away from the kinks. Errors and the identities are tested in RobustLossTests.
/// </summary>
public sealed class RobustSuite : ParitySuite
{
    private sealed record Layout(string Label, long[] Input, long[] Target, bool Quick = false)
    {
        public string Shape => Input.AsSpan().SequenceEqual(Target) ? S(Input) : $"{S(Input)}~{S(Target)}";
    }

    private static readonly Layout[] Layouts =
    {
        new("scalar", new long[0], new long[0]),
        new("vector", new long[] { 7 }, new long[] { 7 }, Quick: true),
        new("matrix", new long[] { 3, 4 }, new long[] { 3, 4 }),
        new("row-broadcast", new long[] { 3, 4 }, new long[] { 4 }, Quick: true),
        new("empty", new long[] { 0 }, new long[] { 0 }, Quick: true),
    };

    /// <summary>
    /// One loss: its name, its parameter and values, the composed call, the reference value and input-derivative of one element
    /// (input, target, parameter), whether the target's gradient is minus the input's, the scale of the residuals, its kinks.
    /// </summary>
    private sealed record Loss(string Name, string? ParameterName, double[] Parameters,
        Func<Tensor, Tensor, torch.nn.Reduction, double, Tensor> Composed,
        Func<double, double, double, double> Value, Func<double, double, double, double> Slope,
        bool HeatmapTarget, Func<double, double[]> Kinks);

    private static readonly Loss[] Losses_ =
    {
        new("barron", "alpha", new[] { double.NegativeInfinity, -2, 0, 0.5, 1, 2, 4 },
            (x, y, r, a) => L.barron_loss(x, y, a, 1.5, r), (x, y, a) => Ref.Barron(x - y, a, 1.5), (x, y, a) => Ref.BarronDx(x - y, a, 1.5),
            false, _ => Array.Empty<double>()),
        new("log_cosh", null, new[] { double.NaN },
            (x, y, r, _) => L.log_cosh_loss(x, y, r), (x, y, _) => Ref.LogCosh(x - y), (x, y, _) => Math.Tanh(x - y),
            false, _ => Array.Empty<double>()),
        new("pseudo_huber", "delta", new[] { 0.5, 1, 3 },
            (x, y, r, d) => L.pseudo_huber_loss(x, y, r, d), (x, y, d) => Ref.PseudoHuber(x - y, d), (x, y, d) => Ref.PseudoHuberDx(x - y, d),
            false, _ => Array.Empty<double>()),
        new("charbonnier", "epsilon", new[] { 1e-3, 1 },
            (x, y, r, e) => L.charbonnier_loss(x, y, r, e), (x, y, e) => Ref.Charbonnier(x - y, e), (x, y, e) => Ref.CharbonnierDx(x - y, e),
            false, _ => Array.Empty<double>()),
        new("wing", "omega", new[] { 10.0, 2.0 },
            (x, y, r, w) => L.wing_loss(x, y, r, w, 2), (x, y, w) => Ref.Wing(x - y, w, 2), (x, y, w) => Ref.WingDx(x - y, w, 2),
            false, w => new[] { 0, w }),
        new("adaptive_wing", null, new[] { double.NaN },
            (x, y, r, _) => L.adaptive_wing_loss(x, y, r), (x, y, _) => Ref.AdaptiveWing(x, y), (x, y, _) => Ref.AdaptiveWingDx(x, y),
            true, _ => Array.Empty<double>()),
        new("quantile", "tau", new[] { 0.1, 0.5, 0.9 },
            (x, y, r, t) => L.quantile_loss(x, y, r, t), (x, y, t) => Ref.Pinball(x, y, t), (x, y, t) => Ref.PinballDx(x, y, t),
            false, _ => new[] { 0.0 }),
    };

    /// <inheritdoc/>
    public override IReadOnlyList<string> Losses => Losses_.Select(l => l.Name).ToList();

    /// <inheritdoc/>
    public override IEnumerable<GridAxis> Grid
    {
        get
        {
            foreach (var loss in Losses_)
            {
                yield return new(loss.Name, "witness", "float64 scalar-loop reference (values and derivatives), no runnable implementation exists here");
                yield return new(loss.Name, "dtype", "f64, f32 (the reference in float64 on the same values)");
                yield return new(loss.Name, "reduction", "none, mean, sum");
                if (loss.ParameterName is not null)
                    yield return new(loss.Name, loss.ParameterName, string.Join(", ", loss.Parameters.Select(P)));
                yield return new(loss.Name, "layout", string.Join(", ", Layouts.Select(l => $"{l.Label} {l.Shape}")));
                yield return new(loss.Name, "gradcheck", "float64 non-empty layouts, inputs ≥ 100·eps from the kinks");
            }
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<ParityCase> Cases()
    {
        foreach (var loss in Losses_)
            foreach (var dtype in FloatDouble)
                foreach (var (reduction, label) in Reductions)
                    foreach (var parameter in loss.Parameters)
                        foreach (var layout in Layouts)
                            yield return Case(loss, dtype, reduction, label, parameter, layout);
    }

    private static ParityCase Case(Loss loss, ScalarType dtype, torch.nn.Reduction reduction, string label, double parameter, Layout layout)
    {
        string parameterPart = loss.ParameterName is null ? "" : $"/{loss.ParameterName}={P(parameter)}";
        var kinks = loss.Kinks(parameter);
        return new ParityCase
        {
            Name = $"{loss.Name}/{Tolerances.Label(dtype)}/{label}{parameterPart}/shape={layout.Shape}/{layout.Label}",
            Loss = loss.Name,
            DType = dtype,
            Reduction = label,
            Inputs = f => loss.HeatmapTarget
                ? new[] { f.Normal(dtype, layout.Input, scale: 0.5), f.Uniform(dtype, layout.Target, 0, 1, grad: false) }
                : new[] { f.Normal(dtype, layout.Input, scale: 3), f.Normal(dtype, layout.Target, scale: 3) },
            Composed = t => loss.Composed(t[0], t[1], reduction, parameter),
            Native = t => Reference(t, reduction, (x, y) => loss.Value(x, y, parameter), (x, y) => loss.Slope(x, y, parameter)),
            UseGradcheck = dtype == ScalarType.Float64 && layout.Label != "empty",
            KinkDistance = kinks.Length == 0 ? null : t => KinkDistance(t[0], t[1], kinks),
            Quick = layout.Quick && dtype == ScalarType.Float64 && (parameter == loss.Parameters[0] || double.IsNaN(parameter)) && label != "sum",
            Notes = "float64 scalar reference",
        };
    }

    /// <summary>
    /// The scalar loop as a tensor: per element (after broadcasting) the reference value, plus (x − x̄)·∂ℓ/∂x for the input
    /// and, where the target requires grad, (y − ȳ)·(−∂ℓ/∂x) (bars: detached). Its value is the loop's; its gradients are the
    /// loop's derivatives; then the reduction.
    /// </summary>
    private static Tensor Reference(Tensor[] t, torch.nn.Reduction reduction, Func<double, double, double> value, Func<double, double, double> slope)
    {
        var both = torch.broadcast_tensors(t[0], t[1]);
        var shape = both[0].shape;
        var x = both[0].detach().to(ScalarType.Float64).flatten().data<double>().ToArray();
        var y = both[1].detach().to(ScalarType.Float64).flatten().data<double>().ToArray();
        var values = tensor(x.Select((xi, i) => value(xi, y[i])).ToArray(), shape);
        var slopes = tensor(x.Select((xi, i) => slope(xi, y[i])).ToArray(), shape);
        var input = both[0].to(ScalarType.Float64);
        var loss = values.Plus((input - input.detach()) * slopes);
        if (t[1].requires_grad)
        {
            var target = both[1].to(ScalarType.Float64);
            loss = loss - (target - target.detach()) * slopes;
        }
        var reduced = reduction switch
        {
            torch.nn.Reduction.None => loss,
            torch.nn.Reduction.Sum => loss.sum(),
            _ => loss.mean(),
        };
        return reduced.to(t[0].dtype);
    }

    /// <summary>The smallest distance of |input − target| from the kinks (|d| = k for each k).</summary>
    private static double KinkDistance(Tensor input, Tensor target, double[] kinks)
    {
        var d = (input.detach() - target.detach()).abs().to(ScalarType.Float64).flatten().data<double>().ToArray();
        return d.Length == 0 ? double.PositiveInfinity : d.Min(v => kinks.Min(k => Math.Abs(v - k)));
    }
}
