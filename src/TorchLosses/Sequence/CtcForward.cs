namespace TorchLosses;

/// <summary>
/// The CTC negative log-likelihood, batched over the samples and computed with tensor ops: the
/// forward (α) recursion in log space over the extended label sequence, one step per frame, plus the
/// zero-valued terms that give autograd libtorch's gradient. Shapes and values are assumed checked
/// (see <see cref="nn.functional.ctc_loss(Tensor, Tensor, Tensor, Tensor, long, torch.nn.Reduction, bool)"/>).
/// </summary>
internal static class CtcForward
{
    /// <summary>The batched problem after validation: everything on the log-probabilities' device.</summary>
    /// <param name="LogProbs">(T, N, C), float32 or float64.</param>
    /// <param name="Labels">(N, S) int64: each sample's labels in its first target_length slots, blank after.</param>
    /// <param name="InputLengths">(N) int64.</param>
    /// <param name="TargetLengths">(N) int64.</param>
    /// <param name="Blank">The blank class.</param>
    internal readonly record struct Problem(Tensor LogProbs, Tensor Labels, Tensor InputLengths, Tensor TargetLengths, long Blank);

    /// <summary>
    /// The per-sample loss −log p(target | log_probs), shape (N). Autograd through it yields libtorch's
    /// gradient: exp(lp) − posterior for t &lt; input_length, 0 after; NaN for t &lt; input_length
    /// of a sample whose loss is NaN, or +∞ unless <paramref name="zeroInfinity"/>, which zeroes such a
    /// sample's loss and gradient instead.
    /// </summary>
    internal static Tensor NegativeLogLikelihood(in Problem problem, bool zeroInfinity)
    {
        var lp = problem.LogProbs;
        using var lpSize = lp.size(0).ToScalar();

        // active[t, n, 0]: frame t lies inside sample n's input.
        var active = arange(Scalars.Zero, lpSize, Scalars.One, ScalarType.Int64, lp.device).unsqueeze(1).lt(problem.InputLengths.unsqueeze(0)).unsqueeze(2);
        var nll = Recursion(problem, active).neg();

        var lpd = lp.detach();
        var finite = lpd.isfinite();
        // z is 0 in value with ∂z/∂lp = 1 where lp is finite (0 elsewhere, so ±∞ entries stay out of the value).
        var z = (lp - lpd).where(finite, zeros_like(lpd));
        var exp = lpd.exp();
        var weight = exp.where(active.logical_and(finite).logical_and(exp.isfinite()), zeros_like(lpd));
        var frameDims = new long[] { 0, 2 };
        // Σ_{t<Tₙ, c} exp(lp)·(lp − lp.detach()): adds exp(lp) to the gradient, as libtorch's backward does.
        var total = nll.Plus((weight * z).sum(frameDims));

        // libtorch's gradient is NaN for every t < Tₙ of a sample whose loss is NaN, or +∞ without zero_infinity.
        var nllValue = nll.detach();
        var infinite = nllValue.eq(Scalars.PositiveInfinity);
        var poisoned = zeroInfinity ? nllValue.isnan() : nllValue.isnan().logical_or(infinite);
        total = total.Plus(NanGradient(lp, lpd, active.logical_and(poisoned.unsqueeze(0).unsqueeze(2))));
        // libtorch's exp(lp) − posterior is also NaN at a NaN entry (t < Tₙ) that no alignment uses (the loss stays finite),
        // and at a −∞ entry (t < Tₙ): its backward evaluates exp(lp + nll − log(αβ)) = exp(−∞ + ∞) there.
        total = total.Plus(NanEntryGradient(lp, lpd, active));
        return zeroInfinity ? total.masked_fill(infinite, Scalars.Zero) : total;
    }

    /// <summary>
    /// Per sample, a term that is 0 in value and whose gradient is NaN at the NaN and −∞ entries of lp within the
    /// sample's input (0 elsewhere), as libtorch's backward gives there. lp − lp.detach() is NaN there, so it goes
    /// through 1^lp instead: 1 even for a NaN or −∞ exponent, with derivative 1·log 1 = 0, which √((1^lp − 1)²)
    /// (derivative 0/0 = NaN at 0) turns into NaN. Other entries are filled with 1 before the √ and masked after it.
    /// </summary>
    private static Tensor NanEntryGradient(Tensor lp, Tensor lpd, Tensor active)
    {
        var skip = active.logical_not().logical_or(lpd.isnan().logical_or(lpd.eq(Scalars.NegativeInfinity)).logical_not());
        var z = (ones_like(lpd).pow(lp) - Scalars.One).masked_fill(skip, Scalars.One);
        return z.pow(Scalars.Two).sqrt().masked_fill(skip, Scalars.Zero).sum(new long[] { 0, 2 });
    }

    /// <summary>
    /// Per sample, a term that is 0 in value (NaN where the sample's loss already is) and whose gradient
    /// is NaN at the entries of lp selected by <paramref name="selected"/> (broadcast over C) and 0
    /// elsewhere: √(z²) with z = lp − lp.detach() = 0 has derivative ∞·0 = NaN. Unselected entries are
    /// filled with 1 before the √, so no NaN reaches them. Entries where lp = −∞ are left out (z would
    /// be NaN there, turning a +∞ loss into NaN).
    /// </summary>
    private static Tensor NanGradient(Tensor lp, Tensor lpd, Tensor selected)
    {
        var skip = selected.logical_not().logical_or(lpd.eq(Scalars.NegativeInfinity));
        var z = (lp - lpd).masked_fill(skip, Scalars.One);
        return z.pow(Scalars.Two).sqrt().masked_fill(skip, Scalars.Zero).sum(new long[] { 0, 2 });
    }

    /// <summary>
    /// log p(target | log_probs) per sample, shape (N): α over the extended labels l' = (blank, l₁, blank,
    /// l₂, …, l_S, blank), W = 2S + 1 states.
    /// α₋₁ = (0, −∞, …); for t &lt; Tₙ, αₜ(s) = lp[t, l'ₛ] + lse(αₜ₋₁(s), αₜ₋₁(s−1), αₜ₋₁(s−2) if l'ₛ ≠ blank and
    /// l'ₛ ≠ l'ₛ₋₂); frames t ≥ Tₙ leave αₙ unchanged. Read-out: lse(α(2Lₙ), α(2Lₙ−1)), only α(0) for Lₙ = 0.
    /// The first step reproduces libtorch's α₀ exactly (lse(0, −∞, −∞) = 0), and a sample with Tₙ = 0 and
    /// Lₙ = 0 gets log p = 0.
    /// </summary>
    private static Tensor Recursion(in Problem problem, Tensor active)
    {
        var lp = problem.LogProbs;
        var labels = problem.Labels;
        long frames = lp.size(0), batch = lp.size(1), slots = labels.size(1), states = 2 * slots + 1;
        var device = lp.device;
        using var blankScalar = problem.Blank.ToScalar();

        var blanks = full(new[] { batch, slots + 1 }, blankScalar, ScalarType.Int64, device);
        var extended = Interleave(blanks, labels);
        // The skip s−2 → s is allowed into a label that differs from the previous label (l'ₛ₋₂).
        var previous = torch.cat(new[] { full(new[] { batch, 1L }, Scalars.MinusOne, ScalarType.Int64, device), labels }, 1).narrow(1, 0, slots);
        var skipAllowed = Interleave(zeros(new[] { batch, slots + 1 }, ScalarType.Bool, device),
            labels.ne(previous).logical_and(labels.ne(blankScalar)));

        var emissions = lp.gather(2, extended.unsqueeze(0).expand(frames, batch, states));
        var negInf = full(new[] { batch, states }, Scalars.NegativeInfinity, lp.dtype, device);
        var alpha = torch.cat(new[] { zeros(new[] { batch, 1L }, lp.dtype, device), negInf.narrow(1, 1, states - 1) }, 1);
        for (long t = 0; t < frames; t++)
        {
            using var step = torch.NewDisposeScope();
            var stay = alpha;
            var advance = Shift(alpha, 1, negInf);
            var skip = Shift(alpha, 2, negInf).where(skipAllowed, negInf);
            var next = LogSumExp(stay, advance, skip).Plus(emissions.select(0, t));
            alpha = step.MoveToOuter(next.where(active.select(0, t), alpha));
        }

        var targetLengths = problem.TargetLengths.unsqueeze(1);
        var last = alpha.gather(1, targetLengths * Scalars.Two);
        var beforeLast = alpha.gather(1, (targetLengths * Scalars.Two - Scalars.One).clamp_min(Scalars.Zero)).masked_fill(targetLengths.eq(Scalars.Zero), Scalars.NegativeInfinity);
        return LogSumExp(last, beforeLast).squeeze(1);
    }

    /// <summary>(N, S+1) evens and (N, S) odds → (N, 2S+1): even₀, odd₀, even₁, …, odd_{S−1}, even_S.</summary>
    private static Tensor Interleave(Tensor evens, Tensor odds)
    {
        long batch = odds.size(0), slots = odds.size(1);
        var pairs = torch.stack(new[] { evens.narrow(1, 0, slots), odds }, 2).reshape(batch, 2 * slots);
        return torch.cat(new[] { pairs, evens.narrow(1, slots, 1) }, 1);
    }

    /// <summary>α shifted right by <paramref name="by"/> states, −∞ shifted in.</summary>
    private static Tensor Shift(Tensor alpha, long by, Tensor negInf)
    {
        long states = alpha.size(1);
        if (by >= states) return negInf;
        return torch.cat(new[] { negInf.narrow(1, 0, by), alpha.narrow(1, 0, states - by) }, 1);
    }

    /// <summary>
    /// log Σ exp(terms), element-wise, in libtorch's CTC form: shift by the maximum m (0 where m = −∞),
    /// log(Σ exp(xᵢ − m)) + m. All −∞ gives −∞ with zero gradient (the log sees 1, then is masked);
    /// the shift is detached, so the gradient is the softmax weights exp(xᵢ − lse). NaN propagates.
    /// </summary>
    private static Tensor LogSumExp(params Tensor[] terms)
    {
        var max = terms[0].detach();
        for (int i = 1; i < terms.Length; i++) max = max.maximum(terms[i].detach());
        var shift = max.masked_fill(max.eq(Scalars.NegativeInfinity), Scalars.Zero);
        var sum = (terms[0] - shift).exp();
        for (int i = 1; i < terms.Length; i++) sum = sum.Plus((terms[i] - shift).exp());
        var empty = sum.eq(Scalars.Zero);
        return (sum.masked_fill(empty, Scalars.One).log().Plus(shift)).masked_fill(empty, Scalars.NegativeInfinity);
    }
}
