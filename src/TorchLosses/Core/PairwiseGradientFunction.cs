namespace TorchLosses;

/// <summary>
/// The analytic-gradient form shared by the losses whose per-element gradient depends on
/// d = input − target only (L1, MSE, SmoothL1, Huber): the forward returns the reduced loss and a
/// per-element factor g(d); the backward is ∂/∂input = g·s·upstream, ∂/∂target = −∂/∂input, with
/// s = the gradient scale (÷ numel for mean). One N-sized tensor is kept between forward and backward; when libtorch's engine
/// releases the graph after the backward pass (<see cref="GraphTask"/>), it becomes the gradient in place. Under create_graph
/// the backward differentiates the loss's autograd composition of the saved operands instead
/// (<see cref="AnalyticGradient.Differentiable"/>), so the gradient can be differentiated again.
/// </summary>
/// <remarks>
/// A reduced loss over contiguous operands of at least <see cref="MinimumBlockedBytes"/> is computed block by block of
/// <see cref="BlockBytes"/>: each block's
/// d, per-element loss and gradient factor are temporaries that stay in the processor's cache, so the inputs are read from
/// memory once and only the gradient factor (forward+backward) is written there, where a pass per primitive op over N-sized
/// temporaries would move several times the bytes (and, with glibc's defaults, page-fault fresh N-sized blocks). Every
/// per-element value and gradient is the unblocked one, bit for bit; the reduction adds the blocks' sums (each a libtorch sum)
/// instead of running one sum over all N, a summation order as accurate as libtorch's own (held to a float64 reference by
/// the tests), whose last bits may differ from libtorch's, as libtorch's own sum differs with its thread count.
/// </remarks>
internal sealed class PairwiseGradientFunction : torch.autograd.SingleTensorFunction<PairwiseGradientFunction>
{
    /// <summary>
    /// The element-wise part of a loss: from d (a fresh temporary it may overwrite) to the per-element loss and,
    /// when <paramref name="needGradient"/> is set, the gradient factor (null otherwise, so a forward-only call
    /// does not pay for it).
    /// </summary>
    internal delegate (Tensor loss, Tensor? gradient) Elementwise(Tensor d, bool needGradient);

    /// <summary>
    /// The operand size from which the forward works block by block. The benchmark's `blocking` pass (`dotnet run -c Release
    /// --project bench/TorchLosses.Benchmarks -- blocking`, then `-- report`: docs/performance.md, "Where the blocked reduction
    /// pays") replays smooth_l1's forward whole and in blocks from 1e6 to 1.6e7 float32 elements. Keeping the gradient factor
    /// (a forward+backward) the blocks are slower at 1e6 and 2e6 elements (they copy each block's factor into one N-sized
    /// tensor) and faster from 4e6 on, by about a fifth there and a third at 1.6e7; blocks of 512 KiB and 2 MiB are close,
    /// blocks of 8 MiB slower. Without a gradient the blocks already pay at 1e6, but the loss is then the blocks' sum, whose
    /// last bits differ from libtorch's single sum: below this size the value stays libtorch's bit for bit, with or without a
    /// graph.
    /// </summary>
    internal const long MinimumBlockedBytes = 16 << 20;

    /// <summary>The size of a block (2 MiB: 512 Ki float32 elements), so that a block's few temporaries stay in cache.</summary>
    internal const long BlockBytes = 2 << 20;

    /// <summary>
    /// Below this many elements a composite loss (L1) is recorded as its autograd composition instead of this function:
    /// TorchSharp's custom function costs 7–13 µs more per call than a native node (docs/performance.md, fixed costs, in the
    /// runs so far), which the analytic path wins back only from about 10⁴ elements. Forward+backward of L1, float32 / float64, composition against
    /// custom function (`dotnet run -c Release --project bench/TorchLosses.Benchmarks -- losses --losses l1 --modes
    /// ForwardBackward --sizes 4096,1e4,3e4 --paths Native,Autograd,Analytic --artifacts artifacts/l1-crossover`, the Autograd
    /// and Analytic columns, medians in µs, on this project's 2-core machine): at 4096 elements 35.7 / 41.2 and 40.7 / 42.7,
    /// at 10⁴ 44.6 / 45.5 and 57.2 / 50.7, at 3·10⁴ 76.6 / 58.4 and 111.7 / 73.4. Below 4096 elements both columns now run the
    /// composition; the report before this switch (commit 0e91f04) had, at 100 elements, 32.2 / 40.0 and 41.0 / 67.6.
    /// </summary>
    internal const long ComposedBelowElements = 4096;

    public override string Name => nameof(PairwiseGradientFunction);

    /// <summary>Applies a loss through this function when the analytic path applies and a gradient is needed.</summary>
    /// <remarks><c>gradientScale</c> multiplies only the gradient (MSE's 2). <c>composite</c> is for a loss that libtorch
    /// composes from other ops instead of running a kernel of its own (L1 = mean or sum of abs): its gradient is rounded as
    /// autograd rounds it there. <c>differentiable</c> is the loss's per-element autograd composition of (input, target), the
    /// one the autograd mode uses: a backward under create_graph differentiates it.</remarks>
    internal static Tensor Apply(Tensor input, Tensor target, ReductionKind reduction, Func<Tensor, Tensor, Tensor> differentiable,
        Elementwise elementwise, double gradientScale = 1, bool composite = false)
    {
        if (!AnalyticGradient.Recorded(input, target)) return Forward(input, target, reduction, elementwise, needGradient: false, scale: 1).loss;
        // A composite loss is libtorch's own composition: differentiated by autograd it gives these gradients bit for bit, and
        // on few elements its native nodes cost less than this custom function's bookkeeping.
        if (composite && input.numel() < ComposedBelowElements) return Reductions.Apply(differentiable(input, target), reduction);
        return apply(input, target, reduction, elementwise, gradientScale, composite, differentiable);
    }

    /// <summary>
    /// The reduced (or per-element) loss and, when <paramref name="needGradient"/> is set, the gradient factor multiplied by
    /// <paramref name="scale"/> (in the forward, as libtorch's backward kernels scale before they multiply by the upstream).
    /// </summary>
    private static (Tensor loss, Tensor? gradient) Forward(Tensor input, Tensor target, ReductionKind reduction, Elementwise elementwise,
        bool needGradient, double scale)
    {
        long count = input.numel(), elementBytes = input.element_size();
        if (reduction == ReductionKind.None || count * elementBytes < MinimumBlockedBytes || !input.is_contiguous() || !target.is_contiguous())
        {
            var (perElement, gradient) = elementwise(input - target, needGradient);
            return (Reductions.Apply(perElement, reduction), needGradient && gradient is not null ? Scaled(gradient, scale) : null);
        }

        var (x, y) = (input.view(-1), target.view(-1));
        var sums = new List<Tensor>();
        Tensor? gradients = null;
        long blockElements = BlockBytes / elementBytes;
        for (long start = 0; start < count; start += blockElements)
        {
            long length = Math.Min(blockElements, count - start);
            using var block = torch.NewDisposeScope();
            var (perElement, gradient) = elementwise(x.narrow(0, start, length) - y.narrow(0, start, length), needGradient);
            sums.Add(block.MoveToOuter(perElement.sum()));
            if (!needGradient || gradient is null) continue;   // SmoothL1 and Huber give their slope either way
            gradients ??= block.MoveToOuter(torch.empty(count, gradient.dtype, gradient.device));
            gradients.narrow(0, start, length).copy_(Scaled(gradient, scale));
        }
        var total = torch.stack(sums).sum();
        if (reduction == ReductionKind.Mean)
        {
            using var countScalar = count.ToScalar();
            total.div_(countScalar);   // libtorch's mean: the sum, then a true division by the integer count
        }
        return (total, gradients?.view(Tensors.Shape(input)));
    }

    /// <summary>The gradient factor times <paramref name="scale"/>, in place.</summary>
    private static Tensor Scaled(Tensor gradient, double scale)
    {
        if (scale == 1) return gradient;
        using var scaleScalar = scale.ToScalar();
        return gradient.mul_(scaleScalar);
    }

    public override Tensor forward(torch.autograd.AutogradContext ctx, params object?[] vars)
    {
        var input = (Tensor)vars[0]!;
        var target = (Tensor)vars[1]!;
        var reduction = (ReductionKind)vars[2]!;
        bool composite = (bool)vars[5]!;
        double factor = AnalyticGradient.Factor(reduction, input) * (double)vars[4]!;
        double divisor = reduction == ReductionKind.Mean && composite ? Math.Max(1, input.numel()) : 0.0;
        // A factor that is not a power of two (mean's 1/N) scales the gradient factor in the forward, where it is computed (in
        // cache, block by block), and the backward only multiplies by the upstream: libtorch's order, (norm·g(d))·upstream.
        // A power of two joins the one-element upstream in backward instead (exact either way, one pass fewer).
        double scale = divisor == 0 && !double.IsPow2(factor) ? factor : 1;
        var (loss, gradient) = Forward(input, target, reduction, (Elementwise)vars[3]!, needGradient: true, scale);
        ctx.save_for_backward(new() { gradient, input, target });
        ctx.save_data("reduction", reduction);
        ctx.save_data("differentiable", vars[6]!);
        ctx.save_data("factor", factor / scale);
        ctx.save_data("divisor", divisor);
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
            // last ((norm·g(d))·upstream, norm = 1/numel for mean): the forward scaled it already where the scale is not a power
            // of two (the factor left here is then 1); a power of two joins the one-element upstream. L1 has no kernel in
            // libtorch 2.10: autograd differentiates mean(abs(d)), whose mean backward divides the upstream by numel before abs's
            // backward multiplies by sgn(d) (the divisor, set for a composite loss under mean). An upstream of exactly 1
            // (loss.backward(), autograd.grad of the loss) leaves the product as it is: from SkippedMultiplicationElements on
            // it is not multiplied (below, the pass costs less than the calls that mark the saved tensor as used up).
            // The saved per-element factor is the forward's own temporary: when the engine releases the graph after this pass
            // nothing reads it again, and it becomes the gradient in place (the same ops in the same order, so the same rounding;
            // one N-sized allocation fewer). The upstream is 0-d or of its shape, so the in-place products keep its shape.
            bool inPlace = GraphTask.ReleasedAfterThisPass;
            Tensor Times(Tensor t, Tensor s) => inPlace ? t.mul_(s) : t * s;
            Tensor grad;
            if (divisor != 0)
            {
                using var divisorScalar = divisor.ToScalar();
                grad = Times(gradient, grad_output / divisorScalar);
            }
            else
            {
                using var factorScalar = Scalars.Of(factor);
                grad = factor == 1 && inPlace && gradient.numel() >= SkippedMultiplicationElements && IsOne(grad_output)
                    ? GraphTask.MarkConsumed(gradient)
                    : Times(gradient, factor == 1 ? grad_output : grad_output * factorScalar.Value);
            }
            if (grad.dtype != grad_output.dtype) grad = grad.to(grad_output.dtype);   // a factor kept in float64 (a loss's degenerate parameter)
            return new() { needInput ? grad : null, needTarget ? (needInput ? -grad : grad.mul_(Scalars.MinusOne)) : null, null, null, null, null, null };
        }, slots: 7, operands: 2);

    /// <summary>From how many elements the backward skips multiplying by an upstream of exactly 1 (a pass over the gradient).</summary>
    private const long SkippedMultiplicationElements = 1 << 16;

    /// <summary>Whether an upstream gradient is the one-element 1 on the CPU (where reading it costs no synchronisation).</summary>
    private static bool IsOne(Tensor upstream) =>
        upstream.dim() == 0 && upstream.device_type == DeviceType.CPU && upstream.dtype switch
        {
            torch.ScalarType.Float32 => upstream.item<float>() == 1f,
            torch.ScalarType.Float64 => upstream.item<double>() == 1.0,
            _ => false,
        };
}
