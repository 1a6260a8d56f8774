namespace TorchLosses;

/// <summary>How a loss that has a hand-derived backward computes its gradient.</summary>
public enum GradientMode
{
    /// <summary>
    /// A custom autograd function: the forward is composed from primitive ops under no_grad and the
    /// backward is the derived formula (one to a few tensor ops): fewer passes over memory and fewer
    /// temporaries than autograd through the composition. When libtorch runs that backward under
    /// <c>create_graph</c> (grad mode on), it differentiates the autograd composition of the saved operands
    /// instead, so the gradient can be differentiated again, with the autograd mode's second derivatives.
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
/// using (LossGradients.Use(GradientMode.Autograd)) { … }   // this thread, this block
/// </code>
/// </example>
public static class LossGradients
{
    [ThreadStatic] private static GradientMode? scoped;

    /// <summary>The process-wide mode (default <see cref="GradientMode.Analytic"/>).</summary>
    public static GradientMode Default { get; set; } = GradientMode.Analytic;

    /// <summary>The mode in force on this thread: the innermost <see cref="Use"/>, else <see cref="Default"/>.</summary>
    public static GradientMode Current => scoped ?? Default;

    /// <summary>Sets the mode for this thread until the result is disposed.</summary>
    public static IDisposable Use(GradientMode mode)
    {
        var previous = scoped;
        scoped = mode;
        return new Restore(previous);
    }

    private sealed class Restore(GradientMode? previous) : IDisposable
    {
        private bool done;

        public void Dispose()
        {
            if (done) return;
            done = true;
            scoped = previous;
        }
    }

    /// <summary>Whether the analytic path applies to this pair of operands.</summary>
    internal static bool AnalyticApplies(Tensor input, Tensor target) =>
        Current == GradientMode.Analytic
        && input.dtype == target.dtype
        && (input.dtype == torch.ScalarType.Float32 || input.dtype == torch.ScalarType.Float64)
        && Check.SameShape(input.shape, target.shape);
}
