namespace TorchLosses;

/// <summary>
/// The analytic-gradient form shared by the losses whose per-element gradient depends on
/// d = input − target only (L1, MSE, SmoothL1, Huber): the forward returns the reduced loss and a
/// per-element factor g(d); the backward is ∂/∂input = g·upstream·s, ∂/∂target = −∂/∂input, with
/// s = the gradient scale (÷ numel for mean). One N-sized tensor is kept between forward and backward. (The backward cannot
/// write the gradient into it: TorchSharp does not tell a backward whether the graph is retained, and a retained
/// graph needs it again.) Under create_graph the backward differentiates the loss's autograd composition of the saved
/// operands instead (<see cref="AnalyticGradient.Differentiable"/>), so the gradient can be differentiated again.
/// </summary>
internal sealed class PairwiseGradientFunction : torch.autograd.SingleTensorFunction<PairwiseGradientFunction>
{
    /// <summary>
    /// The element-wise part of a loss: from d (a fresh temporary it may overwrite) to the per-element loss and,
    /// when <paramref name="needGradient"/> is set, the gradient factor (null otherwise, so a forward-only call
    /// does not pay for it).
    /// </summary>
    internal delegate (Tensor loss, Tensor? gradient) Elementwise(Tensor d, bool needGradient);

    public override string Name => nameof(PairwiseGradientFunction);

    /// <summary>Applies a loss through this function when the analytic path applies and a gradient is needed.</summary>
    /// <remarks><c>gradientScale</c> multiplies only the gradient, in backward (MSE's 2), so that the forward need not
    /// scale an N-sized tensor for it. <c>composite</c> is for a loss that libtorch composes from other ops instead of
    /// running a kernel of its own (L1 = mean or sum of abs): its gradient is rounded as autograd rounds it there.
    /// <c>differentiable</c> is the loss's per-element autograd composition of (input, target), the one the autograd mode
    /// uses: a backward under create_graph differentiates it.</remarks>
    internal static Tensor Apply(Tensor input, Tensor target, ReductionKind reduction, Func<Tensor, Tensor, Tensor> differentiable,
        Elementwise elementwise, double gradientScale = 1, bool composite = false)
    {
        if (!AnalyticGradient.Recorded(input, target)) return Forward(input, target, reduction, elementwise, false).loss;
        return apply(input, target, reduction, elementwise, gradientScale, composite, differentiable);
    }

    private static (Tensor loss, Tensor? gradient) Forward(Tensor input, Tensor target, ReductionKind reduction, Elementwise elementwise,
        bool needGradient)
    {
        var (perElement, gradient) = elementwise(input - target, needGradient);
        return (Reductions.Apply(perElement, reduction), gradient);
    }

    public override Tensor forward(torch.autograd.AutogradContext ctx, params object?[] vars)
    {
        var input = (Tensor)vars[0]!;
        var target = (Tensor)vars[1]!;
        var reduction = (ReductionKind)vars[2]!;
        var (loss, gradient) = Forward(input, target, reduction, (Elementwise)vars[3]!, needGradient: true);
        ctx.save_for_backward(new() { gradient, input, target });
        ctx.save_data("reduction", reduction);
        ctx.save_data("differentiable", vars[6]!);
        ctx.save_data("factor", AnalyticGradient.Factor(reduction, input) * (double)vars[4]!);
        ctx.save_data("divisor", reduction == ReductionKind.Mean && (bool)vars[5]! ? Math.Max(1, input.numel()) : 0.0);
        ctx.save_data("input", input.requires_grad);
        ctx.save_data("target", target.requires_grad);
        return loss;
    }

    public override List<Tensor?> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
        => AnalyticGradient.Backward(grad_output, () =>
        {
            var saved = ctx.get_saved_variables();
            bool needInput = (bool)ctx.get_data("input")!, needTarget = (bool)ctx.get_data("target")!;
            if (AnalyticGradient.GraphRequested)
            {
                var (x, y) = (saved[1]!, saved[2]!);
                var perElement = (Func<Tensor, Tensor, Tensor>)ctx.get_data("differentiable")!;
                return AnalyticGradient.Differentiable(grad_output, 7, new[] { needInput ? x : null, needTarget ? y : null },
                    () => Reductions.Apply(perElement(x, y), (ReductionKind)ctx.get_data("reduction")!));
            }
            var gradient = saved[0]!;
            var factor = (double)ctx.get_data("factor")!;
            var divisor = (double)ctx.get_data("divisor")!;
            // libtorch's kernels (MSE, SmoothL1, Huber) scale the per-element factor first and multiply by the upstream gradient
            // last ((norm·g(d))·upstream, norm = 1/numel for mean): so does this, in the same rounding. Where the factor is a power
            // of two (sum, none, MSE's 2) the order does not matter, and the scale joins the one-element upstream (one pass fewer).
            // L1 has no kernel in libtorch 2.10: autograd differentiates mean(abs(d)), whose mean backward divides the upstream by
            // numel before abs's backward multiplies by sgn(d) (the divisor, set for a composite loss under mean).
            // An upstream of exactly 1 (loss.backward(), autograd.grad of the loss) leaves every product as it is: not multiplied.
            // The saved per-element factor is the forward's own temporary: when the engine releases the graph after this pass
            // nothing reads it again, and it becomes the gradient in place (the same ops in the same order, so the same rounding;
            // one N-sized allocation fewer). The upstream is 0-d or of its shape, so the in-place products keep its shape.
            bool inPlace = GraphTask.ReleasedAfterThisPass, unitUpstream = IsOne(grad_output);
            Tensor Times(Tensor t, Tensor s) => inPlace ? t.mul_(s) : t * s;
            Tensor grad;
            if (divisor != 0)
            {
                using var divisorScalar = divisor.ToScalar();
                grad = Times(gradient, grad_output / divisorScalar);
            }
            else if (double.IsPow2(factor))
            {
                using var factorScalar = Scalars.Of(factor);
                grad = factor == 1 && unitUpstream ? (inPlace ? gradient : gradient.clone())
                    : Times(gradient, factor == 1 ? grad_output : grad_output * factorScalar.Value);
            }
            else
            {
                using var factorScalar = factor.ToScalar();
                var scaled = inPlace ? gradient.mul_(factorScalar) : gradient.mul(factorScalar);
                grad = unitUpstream ? scaled : scaled.mul_(grad_output);
            }
            if (grad.dtype != grad_output.dtype) grad = grad.to(grad_output.dtype);   // a factor kept in float64 (a loss's degenerate parameter)
            return new() { needInput ? grad : null, needTarget ? (needInput ? -grad : grad.mul_(Scalars.MinusOne)) : null, null, null, null, null, null };
        }, slots: 7, operands: 2);

    /// <summary>Whether an upstream gradient is the one-element 1 on the CPU (where reading it costs no synchronisation).</summary>
    private static bool IsOne(Tensor upstream) =>
        upstream.dim() == 0 && upstream.device_type == DeviceType.CPU && upstream.dtype switch
        {
            torch.ScalarType.Float32 => upstream.item<float>() == 1f,
            torch.ScalarType.Float64 => upstream.item<double>() == 1.0,
            _ => false,
        };
}
