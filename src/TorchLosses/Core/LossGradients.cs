namespace TorchLosses;

/// <summary>How a loss that has a hand-derived backward computes its gradient.</summary>
public enum GradientMode
{
    /// <summary>
    /// A custom autograd function: the forward is composed from primitive ops under no_grad and the
    /// backward is the derived formula (one to a few tensor ops): fewer passes over memory and fewer
    /// temporaries than autograd through the composition. The gradient itself is not differentiable again
    /// (no double backward).
    /// </summary>
    Analytic,

    /// <summary>
    /// Autograd through the composition of primitive ops: slower and more memory, but every op is
    /// recorded, so <c>create_graph</c> / double backward works.
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
/// <para>Scopes nest and must be disposed innermost first, on the logical call that opened them (a <c>using</c> block
/// does both). Disposing a scope while a scope opened inside it is still in force, or from a call it does not flow to,
/// is an error: <see cref="InvalidOperationException"/>, and the mode stays as it was, so a wrong order never leaves a
/// mode behind silently. Disposing a scope twice is harmless.</para>
/// </remarks>
public static class LossGradients
{
    /// <summary>The innermost scope of this logical call, or null.</summary>
    private static readonly AsyncLocal<Scope?> innermost = new();

    /// <summary>The process-wide mode (default <see cref="GradientMode.Analytic"/>).</summary>
    public static GradientMode Default { get; set; } = GradientMode.Analytic;

    /// <summary>The mode in force on this logical call: the innermost <see cref="Use"/> scope, else <see cref="Default"/>.</summary>
    public static GradientMode Current => innermost.Value?.Mode ?? Default;

    /// <summary>Sets the mode for this logical call (and what it starts) until the result is disposed.</summary>
    /// <param name="mode">A defined <see cref="GradientMode"/>.</param>
    /// <returns>The scope; dispose it (innermost first, on this logical call) to restore the mode in force before.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not a defined value.</exception>
    public static IDisposable Use(GradientMode mode)
    {
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "mode must be GradientMode.Analytic or GradientMode.Autograd.");
        var scope = new Scope(mode, innermost.Value);
        innermost.Value = scope;
        return scope;
    }

    /// <summary>One <see cref="Use"/> scope: its mode and the scope it was opened in (immutable, so flows never share state).</summary>
    private sealed class Scope(GradientMode mode, Scope? outer) : IDisposable
    {
        private bool disposed;

        internal GradientMode Mode => mode;

        public void Dispose()
        {
            if (disposed) return;
            if (!ReferenceEquals(innermost.Value, this))
                throw new InvalidOperationException(IsOpenBelow(innermost.Value)
                    ? "LossGradients.Use scopes must be disposed innermost first: a scope opened inside this one is still in force. The mode is unchanged."
                    : "A LossGradients.Use scope must be disposed on the logical call (thread or async flow) that opened it; it is not in force here. The mode is unchanged.");
            disposed = true;
            innermost.Value = outer;
        }

        /// <summary>Whether this scope is an outer scope of <paramref name="scope"/>.</summary>
        private bool IsOpenBelow(Scope? scope)
        {
            for (var s = scope; s is not null; s = s.Outer)
                if (ReferenceEquals(s, this)) return true;
            return false;
        }

        private Scope? Outer => outer;
    }

    /// <summary>Whether the analytic path applies to this pair of operands.</summary>
    internal static bool AnalyticApplies(Tensor input, Tensor target) =>
        Current == GradientMode.Analytic
        && input.dtype == target.dtype
        && (input.dtype == torch.ScalarType.Float32 || input.dtype == torch.ScalarType.Float64)
        && Check.SameShape(input.shape, target.shape);
}
