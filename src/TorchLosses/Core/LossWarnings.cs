namespace TorchLosses;

/// <summary>
/// The channel for PyTorch's <c>UserWarning</c>s: the deprecation of <c>size_average</c>/<c>reduce</c>,
/// the broadcasting warning of L1/MSE/SmoothL1/Huber when target and input sizes differ, and the
/// KL divergence <c>mean</c> warning. Subscribe to <see cref="Warned"/> to see them; each one is also
/// written to <see cref="System.Diagnostics.Trace"/> as a warning (category "TorchLosses").
/// </summary>
/// <remarks>
/// PyTorch prints each distinct warning once per call site; here every occurrence is raised, so a
/// subscriber decides what to show. Handlers run synchronously on the thread that computed the loss.
/// </remarks>
public static class LossWarnings
{
    /// <summary>Raised for every warning, with PyTorch's own text.</summary>
    public static event EventHandler<LossWarningEventArgs>? Warned;

    internal static void Raise(string loss, string message)
    {
        System.Diagnostics.Trace.TraceWarning("TorchLosses: {0}", message);
        Warned?.Invoke(null, new LossWarningEventArgs(loss, message));
    }
}

/// <summary>One warning: which loss raised it and PyTorch's text for it.</summary>
public sealed class LossWarningEventArgs : EventArgs
{
    internal LossWarningEventArgs(string loss, string message)
    {
        Loss = loss;
        Message = message;
    }

    /// <summary>The functional name of the loss that warned, e.g. "smooth_l1_loss".</summary>
    public string Loss { get; }

    /// <summary>The warning text, as PyTorch words it.</summary>
    public string Message { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Loss}: {Message}";
}
