namespace TorchSharp;

// The loss bases (TorchSharp's, in namespace TorchSharp itself). Each subclass implements forward;
// `reduction` is fixed at construction. Every base's module name is "Loss", as in TorchSharp.

/// <summary>The base of a loss with two inputs (input, target).</summary>
public abstract class Loss<T1, T2, TResult> : torch.nn.Module<T1, T2, TResult>
{
    /// <summary>Creates the loss with the given reduction.</summary>
    public Loss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base("Loss") => this.reduction = reduction;

    /// <summary>How the per-element losses are reduced.</summary>
    public torch.nn.Reduction reduction { get; }
}

/// <summary>The base of a loss with three inputs (e.g. input1, input2, target).</summary>
public abstract class Loss<T1, T2, T3, TResult> : torch.nn.Module<T1, T2, T3, TResult>
{
    /// <summary>Creates the loss with the given reduction.</summary>
    public Loss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base("Loss") => this.reduction = reduction;

    /// <summary>How the per-element losses are reduced.</summary>
    public torch.nn.Reduction reduction { get; }
}

/// <summary>The base of a loss with four inputs (e.g. CTC: log_probs, targets, input_lengths, target_lengths).</summary>
public abstract class Loss<T1, T2, T3, T4, TResult> : torch.nn.Module<T1, T2, T3, T4, TResult>
{
    /// <summary>Creates the loss with the given reduction.</summary>
    public Loss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base("Loss") => this.reduction = reduction;

    /// <summary>How the per-element losses are reduced.</summary>
    public torch.nn.Reduction reduction { get; }
}

/// <summary>
/// Registers a loss's optional class-weight tensor as the buffer "weight". Unlike TorchSharp, the
/// weight is a registered buffer: it follows <c>.to(device)</c>/<c>.to(dtype)</c> with the module and
/// appears in <c>state_dict()</c> as "weight". The module holds its own handle on the caller's tensor
/// (same storage), so disposing either one leaves the other usable.
/// </summary>
internal static class LossWeight
{
    internal static void Register(torch.nn.Module loss, torch.Tensor? weight)
    {
        if (weight is not null) loss.register_buffer("weight", ModuleKernels.Alias(weight));
    }
}

/// <summary>
/// The base of a two-input loss with an optional per-class <see cref="weight"/>, which is registered
/// as the buffer "weight" (so it moves with <c>.to(...)</c> and is saved in <c>state_dict</c>; TorchSharp
/// keeps it as a plain property).
/// </summary>
public abstract class WeightedLoss<T1, T2, TResult> : Loss<T1, T2, TResult>
{
    /// <summary>Creates the loss with an optional weight and the given reduction.</summary>
    public WeightedLoss(torch.Tensor? weight = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction) =>
        LossWeight.Register(this, weight);

    /// <summary>The per-class weight (the registered buffer, after any conversion), or null.</summary>
    public torch.Tensor? weight => get_buffer("weight");
}

/// <summary>The three-input form of <see cref="WeightedLoss{T1, T2, TResult}"/>.</summary>
public abstract class WeightedLoss<T1, T2, T3, TResult> : Loss<T1, T2, T3, TResult>
{
    /// <summary>Creates the loss with an optional weight and the given reduction.</summary>
    public WeightedLoss(torch.Tensor? weight = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction) =>
        LossWeight.Register(this, weight);

    /// <summary>The per-class weight (the registered buffer, after any conversion), or null.</summary>
    public torch.Tensor? weight => get_buffer("weight");
}

/// <summary>The four-input form of <see cref="WeightedLoss{T1, T2, TResult}"/>.</summary>
public abstract class WeightedLoss<T1, T2, T3, T4, TResult> : Loss<T1, T2, T3, T4, TResult>
{
    /// <summary>Creates the loss with an optional weight and the given reduction.</summary>
    public WeightedLoss(torch.Tensor? weight = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction) =>
        LossWeight.Register(this, weight);

    /// <summary>The per-class weight (the registered buffer, after any conversion), or null.</summary>
    public torch.Tensor? weight => get_buffer("weight");
}
