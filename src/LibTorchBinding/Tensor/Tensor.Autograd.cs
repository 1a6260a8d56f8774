using TorchSharp.PInvoke;
using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp;

public static partial class torch
{
    public partial class Tensor
    {
        /// <summary>Whether autograd records operations on this tensor.</summary>
        public bool requires_grad
        {
            get => tl_tensor_requires_grad(Native) != 0;
            set => Check(tl_tensor_set_requires_grad(Native, value ? 1 : 0));
        }

        /// <summary>Sets <see cref="requires_grad"/> in place and returns this tensor.</summary>
        public Tensor requires_grad_(bool requires_grad = true)
        {
            this.requires_grad = requires_grad;
            return this;
        }

        /// <summary>Sets <see cref="requires_grad"/> in place and returns this tensor.</summary>
        public Tensor with_requires_grad(bool requires_grad = true) => requires_grad_(requires_grad);

        /// <summary>True for tensors created by the user rather than by a recorded operation.</summary>
        public bool is_leaf => tl_tensor_is_leaf(Native) != 0;

        /// <summary>
        /// The accumulated gradient, or null when there is none. Each get returns a new handle on the
        /// same gradient tensor; setting null clears it.
        /// </summary>
        public Tensor? grad
        {
            get => FromNativeOptional(tl_tensor_grad(Native));
            set
            {
                Check(tl_tensor_set_grad(Native, value is null ? IntPtr.Zero : value.Handle));
                GC.KeepAlive(value); // the raw handle above must not be finalized during the call
            }
        }

        /// <summary>Keeps <see cref="grad"/> for this non-leaf tensor after backward.</summary>
        public void retain_grad() => Check(tl_tensor_retain_grad(Native));

        /// <summary>Computes the gradient of this tensor with respect to the graph's leaves.</summary>
        public void backward() => autograd.backward(new[] { this });

        /// <summary>Computes gradients, with an explicit upstream gradient and graph options.</summary>
        public void backward(IList<Tensor>? grad_tensors = null, bool retain_graph = false, bool create_graph = false, IList<Tensor>? inputs = null) =>
            autograd.backward(new[] { this }, grad_tensors, retain_graph ? true : null, create_graph, inputs);

        /// <summary>A new tensor that shares storage but is cut from the autograd graph.</summary>
        public Tensor detach() => FromNative(tl_detach(Native));

        /// <summary>A copy with its own storage (differentiable).</summary>
        public Tensor clone() => FromNative(tl_clone(Native));

        /// <summary>This tensor if it is contiguous, otherwise a contiguous copy.</summary>
        public Tensor contiguous() => FromNative(tl_contiguous(Native));

        /// <summary>Converts to another element type (a new tensor; differentiable for floating types).</summary>
        public Tensor to(ScalarType type, bool copy = false, bool disposeAfter = false, bool non_blocking = false) =>
            Convert(type, device, copy, disposeAfter);

        /// <summary>Converts to another element type and device.</summary>
        public Tensor to(ScalarType type, Device device, bool copy = false, bool disposeAfter = false, bool non_blocking = false) =>
            Convert(type, device, copy, disposeAfter);

        /// <summary>Moves to another device.</summary>
        public Tensor to(Device device, bool copy = false, bool disposeAfter = false, bool non_blocking = false) =>
            Convert(dtype, device, copy, disposeAfter);

        /// <summary>Moves to another device.</summary>
        public Tensor to(DeviceType deviceType, int deviceIndex = -1, bool copy = false, bool disposeAfter = false, bool non_blocking = false) =>
            Convert(dtype, new Device(deviceType, deviceIndex), copy, disposeAfter);

        /// <summary>Moves to another device given by name ("cpu", "meta", "cuda:0").</summary>
        public Tensor to(string device, bool copy = false, bool disposeAfter = false, bool non_blocking = false) =>
            Convert(dtype, new Device(device), copy, disposeAfter);

        /// <summary>Converts to the element type and device of <paramref name="other"/>.</summary>
        public Tensor to(Tensor other, bool non_blocking = false) => Convert(other.dtype, other.device, false, false);

        /// <summary>A copy on the CPU (or this tensor's data if it is already there).</summary>
        public Tensor cpu() => to(CPU);

        private Tensor Convert(ScalarType type, Device target, bool copy, bool disposeAfter)
        {
            var result = FromNative(tl_to(Native, (sbyte)type, (sbyte)target.type, target.index, copy ? 1 : 0));
            if (disposeAfter) Dispose();
            return result;
        }
    }

    // ---- grad mode ------------------------------------------------------------------------------

    /// <summary>Restores the previous grad mode of this thread when disposed.</summary>
    private sealed class GradModeGuard : IDisposable
    {
        private readonly bool previous;
        private bool restored;

        public GradModeGuard(bool enabled)
        {
            previous = is_grad_enabled();
            tl_set_grad_enabled(enabled ? 1 : 0);
        }

        public void Dispose()
        {
            if (restored) return;
            restored = true;
            tl_set_grad_enabled(previous ? 1 : 0);
        }
    }

    /// <summary>Disables gradient recording on this thread until the result is disposed.</summary>
    public static IDisposable no_grad() => new GradModeGuard(false);

    /// <summary>Enables (or disables) gradient recording on this thread until the result is disposed.</summary>
    public static IDisposable enable_grad(bool enabled = true) => new GradModeGuard(enabled);

    /// <summary>Sets gradient recording on this thread until the result is disposed.</summary>
    public static IDisposable set_grad_enabled(bool mode = true) => new GradModeGuard(mode);

    /// <summary>Whether gradient recording is on for this thread.</summary>
    public static bool is_grad_enabled() => tl_is_grad_enabled() != 0;

    public static partial class autograd
    {
        /// <summary>Accumulates gradients of <paramref name="tensors"/> into the leaves' <c>grad</c>.</summary>
        public static unsafe void backward(IList<Tensor> tensors, IList<Tensor>? grad_tensors = null, bool? retain_graph = null,
            bool create_graph = false, IList<Tensor>? inputs = null)
        {
            var outs = Handles(tensors);
            var grads = Handles(grad_tensors);
            var ins = Handles(inputs);
            int retain = retain_graph is null ? -1 : retain_graph.Value ? 1 : 0;
            fixed (IntPtr* o = outs, g = grads, i = ins)
                Check(tl_backward(o, outs.Length, g, grads.Length, retain, create_graph ? 1 : 0, i, ins.Length));
            KeepAlive(tensors, grad_tensors, inputs);
        }

        /// <summary>
        /// The gradients of <paramref name="outputs"/> with respect to <paramref name="inputs"/>, without
        /// touching any <c>grad</c>. An input the outputs do not depend on gives null when
        /// <paramref name="allow_unused"/> is true and an error otherwise.
        /// </summary>
        public static unsafe IList<Tensor?> grad(IList<Tensor> outputs, IList<Tensor> inputs, IList<Tensor>? grad_outputs = null,
            bool? retain_graph = null, bool create_graph = false, bool allow_unused = false)
        {
            var outs = Handles(outputs);
            var ins = Handles(inputs);
            var grads = Handles(grad_outputs);
            var results = new IntPtr[ins.Length];
            int retain = retain_graph is null ? -1 : retain_graph.Value ? 1 : 0;
            fixed (IntPtr* o = outs, i = ins, g = grads, r = results)
                Check(tl_autograd_grad(o, outs.Length, i, ins.Length, g, grads.Length, retain, create_graph ? 1 : 0,
                    allow_unused ? 1 : 0, r));
            KeepAlive(outputs, inputs, grad_outputs);
            var list = new Tensor?[results.Length];
            for (int k = 0; k < results.Length; k++)
                list[k] = results[k] == IntPtr.Zero ? null : new Tensor(new TensorHandle(results[k]));
            return list;
        }

        private static IntPtr[] Handles(IList<Tensor>? tensors)
        {
            if (tensors is null) return Array.Empty<IntPtr>();
            var handles = new IntPtr[tensors.Count];
            for (int k = 0; k < handles.Length; k++) handles[k] = tensors[k].Handle;
            return handles;
        }

        private static void KeepAlive(params IList<Tensor>?[] lists)
        {
            foreach (var list in lists) GC.KeepAlive(list);
        }
    }
}
