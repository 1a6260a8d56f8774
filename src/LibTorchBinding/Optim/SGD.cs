using TorchSharp.Modules;

namespace TorchSharp
{
    namespace Modules
    {
        /// <summary>
        /// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum, weight decay
        /// and maximisation, following PyTorch 1.13's update exactly. With g the gradient (negated when
        /// maximising), per step: g ← g + weight_decay·θ; with momentum μ, b ← g on the first step and
        /// b ← μ·b + (1 − dampening)·g afterwards, then g ← g + μ·b (Nesterov) or g ← b; finally θ ← θ − lr·g.
        /// </summary>
        public sealed class SGD : torch.optim.Optimizer
        {
            private readonly double lr, momentum, dampening, weight_decay;
            private readonly bool nesterov, maximize;

            /// <summary>Creates the optimizer; the arguments are validated with PyTorch's messages.</summary>
            public SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0,
                double weight_decay = 0, bool nesterov = false, bool maximize = false) : base(parameters)
            {
                if (lr < 0) throw new ArgumentException($"Invalid learning rate: {PyFloat(lr)}");
                if (momentum < 0) throw new ArgumentException($"Invalid momentum value: {PyFloat(momentum)}");
                if (weight_decay < 0) throw new ArgumentException($"Invalid weight_decay value: {PyFloat(weight_decay)}");
                if (nesterov && (momentum <= 0 || dampening != 0))
                    throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening");
                (this.lr, this.momentum, this.dampening, this.weight_decay, this.nesterov, this.maximize) =
                    (lr, momentum, dampening, weight_decay, nesterov, maximize);
            }

            private protected override void Update(Parameter parameter, torch.Tensor grad)
            {
                var d_p = maximize ? grad.neg() : grad;
                if (weight_decay != 0) d_p = d_p.add(parameter, weight_decay);
                if (momentum != 0)
                {
                    var first = !HasState(parameter);
                    var buffer = State(parameter, () => new[] { d_p.clone() })[0];
                    if (!first) buffer.mul_(momentum).add_(d_p, 1 - dampening);
                    d_p = nesterov ? d_p.add(buffer, momentum) : buffer;
                }
                parameter.add_(d_p, -lr);
            }
        }
    }

    public static partial class torch
    {
        public static partial class optim
        {
            /// <summary>Stochastic gradient descent (see <see cref="Modules.SGD"/>).</summary>
            /// <param name="parameters">The parameters to optimise.</param>
            /// <param name="learningRate">lr. Range: ≥ 0.</param>
            /// <param name="momentum">The momentum factor μ. Range: ≥ 0.</param>
            /// <param name="dampening">Dampening of the momentum accumulation.</param>
            /// <param name="weight_decay">The L2 penalty. Range: ≥ 0.</param>
            /// <param name="nesterov">Nesterov momentum (requires μ &gt; 0 and zero dampening).</param>
            /// <param name="maximize">Ascend the objective instead of descending.</param>
            public static SGD SGD(IEnumerable<Parameter> parameters, double learningRate, double momentum = 0, double dampening = 0,
                double weight_decay = 0, bool nesterov = false, bool maximize = false) =>
                new(parameters, learningRate, momentum, dampening, weight_decay, nesterov, maximize);

            /// <summary>Stochastic gradient descent over named parameters (the names are ignored).</summary>
            public static SGD SGD(IEnumerable<(string name, Parameter parameter)> parameters, double learningRate, double momentum = 0,
                double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false) =>
                new(parameters.Select(entry => entry.parameter), learningRate, momentum, dampening, weight_decay, nesterov, maximize);
        }
    }
}
