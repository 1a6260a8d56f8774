using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp.PInvoke;
using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp;

public static partial class torch
{
    public static partial class autograd
    {
        /// <summary>
        /// Saves what a custom function's forward needs in its backward (TorchSharp's
        /// <c>torch.autograd.AutogradContext</c>). Tensors go through <see cref="save_for_backward"/> and are
        /// kept by libtorch as saved variables (so saving an output creates no reference cycle); other
        /// values go through <see cref="save_data"/>.
        /// </summary>
        public class AutogradContext
        {
            private readonly Dictionary<string, object?> data = new();
            internal List<Tensor?> ToSave { get; private set; } = new();
            internal List<Tensor> NonDifferentiable { get; private set; } = new();
            internal List<Tensor?> Saved { get; set; } = new();

            /// <summary>Keeps tensors (inputs or outputs; null entries allowed) for backward. Call at most once, in forward.</summary>
            public void save_for_backward(List<Tensor?> tensors) => ToSave = tensors;

            /// <summary>The tensors saved in forward, in the same order (null where null was saved).</summary>
            public List<Tensor?> get_saved_variables() => Saved;

            /// <summary>Keeps a non-tensor value for backward.</summary>
            public void save_data(string key, object? value) => data[key] = value;

            /// <summary>A value saved with <see cref="save_data"/>, or null.</summary>
            public object? get_data(string key) => data.TryGetValue(key, out var value) ? value : null;

            /// <summary>Marks outputs that have no gradient. Call at most once, in forward.</summary>
            public void mark_non_differentiable(List<Tensor> tensors) => NonDifferentiable = tensors;

            /// <summary>Whether undefined output gradients are passed to backward as zeros (default true).</summary>
            public void set_materialize_grads(bool value) => MaterializeGrads = value;

            internal bool MaterializeGrads { get; private set; } = true;

            /// <summary>
            /// In backward: true when the graph is not retained (neither <c>retain_graph</c> nor <c>create_graph</c>),
            /// so libtorch frees the saved tensors as soon as this backward returns. A backward may then write its
            /// gradient into a saved tensor that only the graph references (a temporary of the forward, never an
            /// input or output) instead of allocating a new one. Not in TorchSharp: an extension of this binding.
            /// </summary>
            public bool SavedTensorsReleasedAfterBackward { get; internal set; }
        }

        /// <summary>
        /// The base of custom autograd functions: a forward written with tensor ops and a backward that
        /// returns the gradient of each argument (TorchSharp's <c>torch.autograd.Function&lt;T&gt;</c>).
        /// libtorch records one graph node for the call; its backward runs the .NET <c>backward</c>.
        /// An exception thrown by a .NET backward surfaces from <c>Tensor.backward()</c> as an
        /// <see cref="ExternalException"/> carrying its message.
        /// </summary>
        public abstract class Function<T> : FunctionBase where T : Function<T>, new()
        {
            internal static T Instance { get; } = new();

            /// <summary>Runs forward under libtorch's custom-function node; returns its outputs.</summary>
            protected static unsafe List<Tensor> ApplyCore(object?[] vars)
            {
                var call = new Call(Instance, vars);
                long id = CustomFunctions.Register(call);
                var inputs = new IntPtr[call.TensorPositions.Length];
                for (int k = 0; k < inputs.Length; k++) inputs[k] = ((Tensor)vars[call.TensorPositions[k]]!).Handle;
                var outputs = new IntPtr[64];
                int count;
                fixed (IntPtr* i = inputs, o = outputs)
                    count = tl_function_apply(id, i, inputs.Length, o, outputs.Length);
                GC.KeepAlive(vars); // the raw input handles are valid only while their tensors live
                if (count < 0) throw Failure();
                var result = new List<Tensor>(count);
                for (int k = 0; k < count; k++) result.Add(new Tensor(new TensorHandle(outputs[k])));
                return result;
            }
        }

        /// <summary>A custom function with one output (TorchSharp's <c>SingleTensorFunction&lt;T&gt;</c>).</summary>
        public abstract class SingleTensorFunction<T> : Function<T> where T : SingleTensorFunction<T>, new()
        {
            /// <summary>Calls the function on <paramref name="vars"/> (tensors and other values) and records it for autograd.</summary>
            public static Tensor apply(params object?[] vars) => ApplyCore(vars)[0];

            /// <summary>Computes the output from the arguments (gradient recording is off here).</summary>
            public abstract Tensor forward(AutogradContext ctx, params object?[] vars);

            /// <summary>The gradient of each argument of <see cref="forward"/> (null for non-tensors or no gradient).</summary>
            public abstract List<Tensor?> backward(AutogradContext ctx, Tensor grad_output);

            internal sealed override List<Tensor> ForwardAny(AutogradContext ctx, object?[] vars) => new() { forward(ctx, vars) };
            internal sealed override List<Tensor?> BackwardAny(AutogradContext ctx, List<Tensor> gradOutputs) => backward(ctx, gradOutputs[0]);
        }

        /// <summary>A custom function with several outputs (TorchSharp's <c>MultiTensorFunction&lt;T&gt;</c>).</summary>
        public abstract class MultiTensorFunction<T> : Function<T> where T : MultiTensorFunction<T>, new()
        {
            /// <summary>Calls the function on <paramref name="vars"/> and records it for autograd.</summary>
            public static List<Tensor> apply(params object?[] vars) => ApplyCore(vars);

            /// <summary>Computes the outputs from the arguments (gradient recording is off here).</summary>
            public abstract List<Tensor> forward(AutogradContext ctx, params object?[] vars);

            /// <summary>The gradient of each argument of <see cref="forward"/>, given the gradient of each output.</summary>
            public abstract List<Tensor?> backward(AutogradContext ctx, List<Tensor> grad_outputs);

            internal sealed override List<Tensor> ForwardAny(AutogradContext ctx, object?[] vars) => forward(ctx, vars);
            internal sealed override List<Tensor?> BackwardAny(AutogradContext ctx, List<Tensor> gradOutputs) => backward(ctx, gradOutputs);
        }

        /// <summary>What every custom function offers the callbacks, whatever its output arity.</summary>
        public abstract class FunctionBase
        {
            private protected FunctionBase() { }

            /// <summary>A name for the function (TorchSharp requires one).</summary>
            public abstract string Name { get; }

            internal abstract List<Tensor> ForwardAny(AutogradContext ctx, object?[] vars);
            internal abstract List<Tensor?> BackwardAny(AutogradContext ctx, List<Tensor> gradOutputs);
        }

        /// <summary>One application of a custom function: the function, its arguments and its context.</summary>
        internal sealed class Call
        {
            internal Call(FunctionBase function, object?[] vars)
            {
                Function = function;
                Vars = vars;
                TensorPositions = Enumerable.Range(0, vars.Length).Where(k => vars[k] is Tensor).ToArray();
            }

            internal FunctionBase Function { get; }
            internal object?[] Vars { get; set; }
            /// <summary>Where the tensor arguments are (their gradients go back in this order); the tensors themselves are not kept.</summary>
            internal int[] TensorPositions { get; }
            internal AutogradContext Context { get; } = new();
        }
    }

    /// <summary>The registry of live custom-function calls and the callbacks libtorch makes into them.</summary>
    internal static unsafe class CustomFunctions
    {
        private static readonly ConcurrentDictionary<long, autograd.Call> Calls = new();
        private static long nextId;

        static CustomFunctions() =>
            tl_function_set_callbacks(&Forward, &Backward, &Release);

        internal static long Register(autograd.Call call)
        {
            long id = Interlocked.Increment(ref nextId);
            Calls[id] = call;
            return id;
        }

        /// <summary>The number of calls whose graph node is still alive (for leak tests).</summary>
        internal static int LiveCalls => Calls.Count;

        [UnmanagedCallersOnly]
        private static int Forward(long id, IntPtr result)
        {
            try
            {
                var call = Calls[id];
                using var scope = NewDisposeScope();
                var outputs = call.Function.ForwardAny(call.Context, call.Vars);
                call.Vars = Array.Empty<object?>(); // the graph keeps what backward needs; drop the rest
                foreach (var output in outputs) Check(tl_function_add_output(result, output.Handle));
                foreach (var saved in call.Context.ToSave) Check(tl_function_add_saved(result, saved?.Handle ?? IntPtr.Zero));
                foreach (var t in call.Context.NonDifferentiable) Check(tl_function_add_non_differentiable(result, t.Handle));
                tl_function_set_materialize_grads(result, call.Context.MaterializeGrads ? 1 : 0);
                return 0;
            }
            catch (Exception e)
            {
                tl_function_fail(e.Message);
                return -1;
            }
        }

        [UnmanagedCallersOnly]
        private static int Backward(long id, IntPtr* grads, int gradCount, IntPtr* saved, int savedCount, int savedReleased, IntPtr result)
        {
            try
            {
                var call = Calls[id];
                using var scope = NewDisposeScope();
                var gradOutputs = new List<Tensor>(gradCount);
                for (int k = 0; k < gradCount; k++) gradOutputs.Add(Borrow(grads[k])!);
                var savedTensors = new List<Tensor?>(savedCount);
                for (int k = 0; k < savedCount; k++) savedTensors.Add(Borrow(saved[k]));
                call.Context.Saved = savedTensors;
                call.Context.SavedTensorsReleasedAfterBackward = savedReleased != 0;
                var gradients = call.Function.BackwardAny(call.Context, gradOutputs);
                foreach (var position in call.TensorPositions)
                {
                    var g = position < gradients.Count ? gradients[position] : null;
                    Check(tl_function_add_gradient(result, g?.Handle ?? IntPtr.Zero));
                }
                return 0;
            }
            catch (Exception e)
            {
                tl_function_fail($"{e.GetType().Name} in the backward of a custom autograd function: {e.Message}");
                return -1;
            }
        }

        [UnmanagedCallersOnly]
        private static void Release(long id) => Calls.TryRemove(id, out _);

        /// <summary>A managed handle on a tensor the shim lends for the duration of a callback.</summary>
        private static Tensor? Borrow(IntPtr tensor) =>
            tensor == IntPtr.Zero ? null : Tensor.FromNative(tl_tensor_alias_borrowed(tensor));
    }
}
