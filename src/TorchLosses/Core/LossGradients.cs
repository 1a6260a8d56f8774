namespace TorchLosses;

/// <summary>How a loss that has a hand-derived backward computes its gradient.</summary>
public enum GradientMode
{
    /// <summary>
    /// A custom autograd function: the forward is composed from primitive ops under no_grad and the
    /// backward is the derived formula (one to a few tensor ops): fewer passes over memory and fewer
    /// temporaries than autograd through the composition. When libtorch runs that backward under
    /// <c>create_graph</c> (grad mode on), it differentiates the autograd composition of the saved operands
    /// instead, so the gradient can be differentiated again, with the autograd mode's second derivatives. Where libtorch's
    /// own autograd nodes give the same gradients bit for bit — L1 below 4096 elements (libtorch composes L1 itself), NLL and
    /// cross entropy without class weights or ignored targets — those ops are recorded as they are instead: a native node
    /// costs less per call than a custom function's bookkeeping.
    /// </summary>
    Analytic,

    /// <summary>
    /// Autograd through the composition of primitive ops: slower and more memory, but every op is
    /// recorded, so <c>create_graph</c> / double backward works directly.
    /// </summary>
    Autograd,
}

/// <summary>
/// Chooses between the analytic and the autograd gradient for the losses that have both (L1, MSE,
/// SmoothL1, Huber, NLL, cross entropy, …). The analytic path applies when both operands have the
/// same shape and the same float32/float64 dtype; otherwise (broadcasting, float16, bfloat16) the
/// autograd path is used whatever the mode. Both paths give libtorch's gradients.
/// </summary>
/// <example>
/// <code>
/// LossGradients.Default = GradientMode.Autograd;           // process-wide
/// using (LossGradients.Use(GradientMode.Autograd)) { … }   // this block, and the calls, awaits, tasks and threads it starts
/// </code>
/// </example>
/// <remarks>
/// <para>A <see cref="Use"/> scope flows with the logical call, as <see cref="AsyncLocal{T}"/> does: it holds across
/// <c>await</c> (whatever thread the continuation runs on), and the tasks and threads started inside it inherit it; work
/// that did not start inside it (other requests, other pool work items, the caller of an async method that opened a
/// scope) never sees it.</para>
/// <para>A scope is in force from <see cref="Use"/> until it is disposed, and the mode is that of the innermost scope
/// still in force (else <see cref="Default"/>). Disposing is therefore harmless in any order and from any thread: a
/// scope disposed before a scope opened inside it leaves the inner one in force, and once both are disposed the mode is
/// the one before either; disposing twice does nothing. Disposing a scope ends it for the tasks and threads that
/// inherited it as well.</para>
/// </remarks>
public static class LossGradients
{
    /// <summary>The innermost scope opened on this logical call (possibly disposed since), or null.</summary>
    private static readonly AsyncLocal<Scope?> innermost = new();

    /// <summary>The process-wide mode (default <see cref="GradientMode.Analytic"/>).</summary>
    public static GradientMode Default { get; set; } = GradientMode.Analytic;

    /// <summary>The mode in force on this logical call: that of the innermost <see cref="Use"/> scope not yet disposed,
    /// else <see cref="Default"/>.</summary>
    public static GradientMode Current => Scope.InForce(innermost.Value)?.Mode ?? Default;

    /// <summary>Sets the mode for this logical call (and the work it starts) until the result is disposed.</summary>
    /// <param name="mode">A defined <see cref="GradientMode"/>.</param>
    /// <returns>The scope; disposing it ends it (see the remarks on <see cref="LossGradients"/> for the order).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not a defined value.</exception>
    public static IDisposable Use(GradientMode mode)
    {
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "mode must be GradientMode.Analytic or GradientMode.Autograd.");
        var scope = new Scope(mode, Scope.InForce(innermost.Value));
        innermost.Value = scope;
        return scope;
    }

    /// <summary>One <see cref="Use"/> scope: its mode, the scope it was opened in, and whether it has been disposed.</summary>
    private sealed class Scope(GradientMode mode, Scope? outer) : IDisposable
    {
        private volatile bool disposed;

        internal GradientMode Mode => mode;

        /// <summary>The innermost scope of the chain from <paramref name="scope"/> outwards that is not disposed.</summary>
        internal static Scope? InForce(Scope? scope)
        {
            while (scope is not null && scope.disposed) scope = scope.Outer;
            return scope;
        }

        private Scope? Outer => outer;

        public void Dispose()
        {
            disposed = true;
            // Trims this call's chain when its innermost scope is no longer in force (other calls skip disposed scopes).
            var top = innermost.Value;
            if (top is not null && top.disposed) innermost.Value = InForce(top);
        }
    }

    /// <summary>Whether the analytic path applies to this pair of operands.</summary>
    internal static bool AnalyticApplies(Tensor input, Tensor target) =>
        AnalyticApplies(input.dtype, target.dtype, Check.SameShape(input, target));

    /// <summary>Whether the analytic path applies to operands of these types, of the same shape or not (facts a caller has read already).</summary>
    internal static bool AnalyticApplies(torch.ScalarType inputType, torch.ScalarType targetType, bool sameShape) =>
        Current == GradientMode.Analytic
        && inputType == targetType
        && inputType is torch.ScalarType.Float32 or torch.ScalarType.Float64
        && sameShape;
}
