using System.Runtime.InteropServices;

namespace TorchLosses;

/// <summary>
/// What a custom backward can learn about the backward pass that runs it: whether libtorch's engine keeps the graph after
/// this pass (<c>retain_graph</c>). When it does not, no node of the graph runs again, so a tensor the forward saved only for
/// this backward may be overwritten to become the gradient (one N-sized allocation fewer).
/// </summary>
/// <remarks>
/// TorchSharp 0.107 gives a custom function no way to know this: its <c>CSharpNode</c> overrides only <c>apply</c>, not
/// <c>release_variables</c> (the engine's signal, after a node ran, that its saved tensors will not be read again), and the
/// saved tensors live in the managed context until the node dies. libtorch itself answers the question for the graph task
/// running on the calling thread: <c>torch::autograd::get_current_graph_task_keep_graph()</c>, exported by
/// <c>libtorch_cpu</c> (true when no graph task runs). It is found once with <see cref="NativeLibrary"/> by its Itanium C++
/// name; where it is absent (another platform's name mangling, a libtorch without it) the answer is "kept", and nothing is
/// ever overwritten. A backward pass that reads an overwritten tensor again (a second backward through the same graph without
/// <c>retain_graph</c>) fails loudly at libtorch's version check, as libtorch's own losses fail there.
/// </remarks>
internal static class GraphTask
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.U1)]
    private delegate bool Query();

    private const string KeepGraphSymbol = "_ZN5torch8autograd33get_current_graph_task_keep_graphEv";

    private static readonly Query? KeepGraph = Find();

    /// <summary>Whether the backward pass now running on this thread releases the graph when it ends (false when unknown).</summary>
    internal static bool ReleasedAfterThisPass => KeepGraph is not null && !KeepGraph();

    /// <summary>
    /// Marks a saved tensor as used up by this pass, when it is returned as a gradient unchanged: libtorch's version check then
    /// refuses it to any later pass through the same released graph, as it refuses a saved tensor overwritten in place (and as
    /// libtorch's own losses refuse a second pass). One in-place op on an empty view, which shares the tensor's version counter
    /// and touches no element.
    /// </summary>
    internal static Tensor MarkConsumed(Tensor saved)
    {
        using var none = saved.view(-1).narrow(0, 0, 0);
        none.mul_(Scalars.One);
        return saved;
    }

    private static Query? Find()
    {
        foreach (var name in new[] { "libtorch_cpu.so", "libtorch_cpu" })
            if (NativeLibrary.TryLoad(name, typeof(torch).Assembly, null, out var library)
                && NativeLibrary.TryGetExport(library, KeepGraphSymbol, out var address))
                return Marshal.GetDelegateForFunctionPointer<Query>(address);
        return null;
    }
}
