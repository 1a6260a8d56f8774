namespace TorchLosses.Modules;

/// <summary>
/// The base of the loss modules that keep tensors (<c>weight</c>, and BCE with logits' <c>pos_weight</c>): each kept tensor
/// is a registered buffer, as in PyTorch's <c>_WeightedLoss</c>, so it appears in <c>state_dict()</c> and
/// <c>named_buffers()</c>, is saved and loaded with the module, and moves with <c>.to(device)</c> and <c>.to(dtype)</c>
/// (a floating buffer takes the new dtype, as PyTorch's <c>Module.to</c> does).
/// </summary>
/// <remarks>
/// <para>A module owns what it keeps. It registers its own reference to the tensor it is given
/// (<c>Tensor.alias()</c>: the same tensor, with the same storage, values and <c>requires_grad</c>, as PyTorch's module
/// holds the caller's object), and that reference belongs to no dispose scope. So a module built inside a dispose scope
/// keeps working after the scope ends, and disposing the module frees its reference only, never the caller's tensor.
/// As in PyTorch, the storage is shared until a conversion copies it: the caller's in-place changes are seen by the
/// module, and <c>load_state_dict</c> writes into that storage.</para>
/// <para>TorchSharp's own <c>WeightedLoss</c> keeps the weight in a get-only property and registers nothing: the weight
/// is missing from <c>state_dict()</c>, <c>.to(float64)</c> leaves it float32, and a buffer behind a get-only property
/// makes <c>.to()</c> fail ("Property set method not found"). Here every kept tensor is a buffer whose property TorchSharp's
/// <c>.to()</c> can set.</para>
/// </remarks>
/// <typeparam name="T1">The input type.</typeparam>
/// <typeparam name="T2">The target type.</typeparam>
/// <typeparam name="TResult">The loss type.</typeparam>
public abstract class BufferedLoss<T1, T2, TResult> : Loss<T1, T2, TResult>
{
    /// <summary>Registers <paramref name="weight"/> (when given) as the buffer "weight".</summary>
    /// <param name="weight">The module's weight, or null for none.</param>
    /// <param name="reduction">none, mean or sum.</param>
    private protected BufferedLoss(Tensor? weight, torch.nn.Reduction reduction) : base(reduction) => Keep(nameof(weight), weight);

    /// <summary>The weight: the registered buffer "weight" (after any conversion by <c>.to()</c>), or null.</summary>
    /// <remarks>The setter is TorchSharp's <c>.to()</c>'s way in: it replaces the registered buffer by the converted one.</remarks>
    public Tensor? weight
    {
        get => get_buffer(nameof(weight));
        private protected set => ConditionallyRegisterBuffer(nameof(weight), value);
    }

    /// <summary>
    /// Registers the module's own reference to <paramref name="tensor"/> as the buffer <paramref name="name"/> (nothing when
    /// null): a new handle on the same tensor, outside every dispose scope, freed when the module is disposed.
    /// </summary>
    /// <exception cref="ObjectDisposedException"><paramref name="tensor"/> has been disposed (named in the message).</exception>
    private protected void Keep(string name, Tensor? tensor)
    {
        if (Check.Optional(tensor, name) is not { } kept) return;   // a disposed tensor: ObjectDisposedException naming it
        register_buffer(name, kept.alias().DetachFromDisposeScope());
    }
}
