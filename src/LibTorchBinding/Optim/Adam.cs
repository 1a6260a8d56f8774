using TorchSharp.Modules;

namespace TorchSharp
{
    namespace Modules
    {
        /// <summary>
        /// Adam (and AMSGrad), following PyTorch 1.13's single-tensor update exactly. With g the gradient
        /// (negated when maximising) and t the step count: g ← g + weight_decay·θ; m ← β₁·m + (1 − β₁)·g;
        /// v ← β₂·v + (1 − β₂)·g²; (AMSGrad: v̂ ← max(v̂, v) and v̂ replaces v below);
        /// θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + eps).
        /// </summary>
        public sealed class Adam : torch.optim.Optimizer
        {
            private readonly double lr, beta1, beta2, eps, weight_decay;
            private readonly bool amsgrad, maximize;
            private readonly Dictionary<Parameter, int> steps = new(ReferenceEqualityComparer.Instance);

            /// <summary>Creates the optimizer; the arguments are validated with PyTorch's messages.</summary>
            public Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
                double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false) : base(parameters)
            {
                if (!(lr >= 0)) throw new ArgumentException($"Invalid learning rate: {PyFloat(lr)}");
                if (!(eps >= 0)) throw new ArgumentException($"Invalid epsilon value: {PyFloat(eps)}");
                if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentException($"Invalid beta parameter at index 0: {PyFloat(beta1)}");
                if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentException($"Invalid beta parameter at index 1: {PyFloat(beta2)}");
                if (!(weight_decay >= 0)) throw new ArgumentException($"Invalid weight_decay value: {PyFloat(weight_decay)}");
                (this.lr, this.beta1, this.beta2, this.eps, this.weight_decay, this.amsgrad, this.maximize) =
                    (lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);
            }

            private protected override void Update(Parameter parameter, torch.Tensor grad)
            {
                var state = State(parameter, () => amsgrad
                    ? new[] { parameter.zeros_like(), parameter.zeros_like(), parameter.zeros_like() }
                    : new[] { parameter.zeros_like(), parameter.zeros_like() });
                var (exp_avg, exp_avg_sq) = (state[0], state[1]);
                var step = steps[parameter] = steps.GetValueOrDefault(parameter) + 1;

                var g = maximize ? grad.neg() : grad;
                if (weight_decay != 0) g = g.add(parameter, weight_decay);
                exp_avg.mul_(beta1).add_(g, 1 - beta1);
                exp_avg_sq.mul_(beta2).addcmul_(g, g, 1 - beta2);

                var bias_correction1 = 1 - Math.Pow(beta1, step);
                var bias_correction2 = 1 - Math.Pow(beta2, step);
                var step_size = lr / bias_correction1;
                var bias_correction2_sqrt = Math.Sqrt(bias_correction2);

                var second = exp_avg_sq;
                if (amsgrad) second = state[2].MaximumInPlace(exp_avg_sq);
                var denom = second.sqrt().div(bias_correction2_sqrt).add_(eps);
                parameter.addcdiv_(exp_avg, denom, -step_size);
            }
        }
    }

    public static partial class torch
    {
        public static partial class optim
        {
            /// <summary>Adam (see <see cref="Modules.Adam"/>).</summary>
            /// <param name="parameters">The parameters to optimise.</param>
            /// <param name="lr">The learning rate. Range: ≥ 0.</param>
            /// <param name="beta1">The decay of the first-moment estimate. Range: [0, 1).</param>
            /// <param name="beta2">The decay of the second-moment estimate. Range: [0, 1).</param>
            /// <param name="eps">Added to the denominator. Range: ≥ 0.</param>
            /// <param name="weight_decay">The L2 penalty. Range: ≥ 0.</param>
            /// <param name="amsgrad">Use AMSGrad's running maximum of the second moment.</param>
            /// <param name="maximize">Ascend the objective instead of descending.</param>
            public static Adam Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
                double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false) =>
                new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);

            /// <summary>Adam over named parameters (the names are ignored).</summary>
            public static Adam Adam(IEnumerable<(string name, Parameter parameter)> parameters, double lr = 1e-3, double beta1 = 0.9,
                double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false) =>
                new(parameters.Select(entry => entry.parameter), lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);
        }
    }
}
