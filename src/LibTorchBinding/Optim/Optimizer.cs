using System.Globalization;
using TorchSharp.Modules;

namespace TorchSharp;

public static partial class torch
{
    public static partial class optim
    {
        /// <summary>
        /// The base of the optimizers (TorchSharp's <c>torch.optim.Optimizer</c>). It holds the
        /// parameters to update and, per parameter, the state the algorithm keeps between steps
        /// (momentum buffers, moment estimates), which it owns and disposes.
        /// </summary>
        public abstract class Optimizer : IDisposable
        {
            private readonly List<Parameter> parameterList;
            private readonly Dictionary<Parameter, List<Tensor>> stateTensors = new(ReferenceEqualityComparer.Instance);

            /// <summary>Takes the parameters to optimise; an empty list is an error, as in PyTorch.</summary>
            protected Optimizer(IEnumerable<Parameter> parameters)
            {
                ArgumentNullException.ThrowIfNull(parameters);
                parameterList = parameters.ToList();
                if (parameterList.Count == 0) throw new ArgumentException("optimizer got an empty parameter list");
            }

            /// <summary>The parameters this optimizer updates.</summary>
            public virtual IEnumerable<Parameter> parameters() => parameterList;

            /// <summary>
            /// Zeroes the gradients of the parameters in place (PyTorch 1.13's default,
            /// <c>set_to_none=False</c>, and TorchSharp's behaviour). Parameters without a gradient are left alone.
            /// </summary>
            public virtual void zero_grad()
            {
                using var noGrad = no_grad();
                foreach (var parameter in parameterList)
                {
                    using var grad = parameter.grad;
                    grad?.zero_();
                }
            }

            /// <summary>
            /// Performs one update of every parameter that has a gradient (parameters whose grad is null
            /// are skipped). If <paramref name="closure"/> is given it is called first, with gradients
            /// enabled, and its result (the loss) is returned; otherwise null.
            /// </summary>
            public virtual Tensor? step(Func<Tensor>? closure = null)
            {
                Tensor? loss = null;
                if (closure is not null)
                    using (enable_grad()) loss = closure();
                using var noGrad = no_grad();
                foreach (var parameter in parameterList)
                {
                    using var scope = NewDisposeScope();
                    var grad = parameter.grad;
                    if (grad is null) continue;
                    Update(parameter, grad);
                }
                return loss;
            }

            /// <summary>Applies the algorithm's update to one parameter (called under no_grad, inside a dispose scope).</summary>
            private protected abstract void Update(Parameter parameter, Tensor grad);

            /// <summary>
            /// The state tensors kept for <paramref name="parameter"/>, created on first use by
            /// <paramref name="create"/>. They are taken out of any dispose scope and owned by the optimizer.
            /// </summary>
            private protected List<Tensor> State(Parameter parameter, Func<IEnumerable<Tensor>> create)
            {
                if (!stateTensors.TryGetValue(parameter, out var state))
                {
                    state = create().Select(t => t.DetachFromDisposeScope()).ToList();
                    stateTensors[parameter] = state;
                }
                return state;
            }

            /// <summary>True once state exists for <paramref name="parameter"/>.</summary>
            private protected bool HasState(Parameter parameter) => stateTensors.ContainsKey(parameter);

            /// <summary>Formats a number as Python's <c>str(float)</c> does, for PyTorch's error messages.</summary>
            private protected static string PyFloat(double value)
            {
                if (double.IsNaN(value)) return "nan";
                if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
                var text = value.ToString("R", CultureInfo.InvariantCulture).Replace('E', 'e');
                return text.Contains('.') || text.Contains('e') ? text : text + ".0";
            }

            /// <summary>Disposes the optimizer's state tensors (not the parameters).</summary>
            public void Dispose()
            {
                Dispose(true);
                GC.SuppressFinalize(this);
            }

            /// <summary>The dispose pattern.</summary>
            protected virtual void Dispose(bool disposing)
            {
                if (!disposing) return;
                foreach (var state in stateTensors.Values)
                    foreach (var tensor in state) tensor.Dispose();
                stateTensors.Clear();
            }
        }
    }
}
