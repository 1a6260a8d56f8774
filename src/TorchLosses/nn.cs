namespace TorchLosses;

/// <summary>
/// Factories for the loss modules, named and parameterised as PyTorch's <c>torch.nn</c> classes
/// (<c>nn.SmoothL1Loss(beta: 0.5)</c>). Each returns a module from <see cref="TorchLosses.Modules"/> that
/// derives from TorchSharp's <c>Loss&lt;…&gt;</c> base and drops into a TorchSharp model.
/// </summary>
/// <remarks>
/// With <c>using static TorchSharp.torch;</c> in scope, the name <c>nn</c> is ambiguous between
/// TorchSharp's and this class; write <c>TorchLosses.nn.…</c> or alias it
/// (<c>using losses = TorchLosses.nn;</c>).
/// </remarks>
public static partial class nn
{
    /// <summary>
    /// The losses as functions (PyTorch's <c>torch.nn.functional</c> names, snake_case). Each is
    /// composed from primitive tensor ops only; gradients come from autograd through that composition,
    /// or, for the losses with a derived backward, from a custom autograd function (see <see cref="LossGradients"/>).
    /// </summary>
    public static partial class functional
    {
    }
}
