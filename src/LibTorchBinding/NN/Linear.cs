using TorchSharp.Modules;

namespace TorchSharp
{
    namespace Modules
    {
        /// <summary>
        /// A fully connected layer, y = x Wᵀ + b, with W of shape (out_features, in_features) and b of
        /// shape (out_features). Created by <see cref="torch.nn.Linear(long, long, bool, torch.Device?, torch.ScalarType?)"/>.
        /// </summary>
        public sealed class Linear : torch.nn.Module<torch.Tensor, torch.Tensor>
        {
            internal Linear(long inputSize, long outputSize, bool hasBias, torch.Device? device, torch.ScalarType? dtype)
                : base(nameof(Linear))
            {
                if (inputSize < 0 || outputSize < 0)
                    throw new ArgumentException($"Linear sizes must be non-negative, got in_features={inputSize}, out_features={outputSize}");
                weight = NewParameter(new[] { outputSize, inputSize }, device, dtype);
                if (hasBias) bias = NewParameter(new[] { outputSize }, device, dtype);
                reset_parameters();
            }

            internal Linear(Parameter weight, Parameter? bias) : base(nameof(Linear))
            {
                ArgumentNullException.ThrowIfNull(weight);
                if (weight.dim() != 2) throw new ArgumentException($"Linear's weight must be 2-D, got {weight.dim()}-D", nameof(weight));
                this.weight = weight;
                this.bias = bias;
            }

            private static Parameter NewParameter(long[] shape, torch.Device? device, torch.ScalarType? dtype)
            {
                using var data = torch.empty(shape, dtype, device);
                return new Parameter(data);
            }

            /// <summary>The weight W, shape (out_features, in_features).</summary>
            public Parameter weight
            {
                get => get_parameter(nameof(weight))!;
                set => ConditionallyRegisterParameter(nameof(weight), value ?? throw new ArgumentNullException(nameof(weight)));
            }

            /// <summary>The bias b, shape (out_features), or null for a layer without bias.</summary>
            public Parameter? bias
            {
                get => get_parameter(nameof(bias));
                set => ConditionallyRegisterParameter(nameof(bias), value);
            }

            /// <summary>The size of each input sample.</summary>
            public long in_features => weight.size(1);

            /// <summary>The size of each output sample.</summary>
            public long out_features => weight.size(0);

            /// <summary>
            /// PyTorch's initialisation, drawn from libtorch's default generator (so <c>torch.manual_seed</c>
            /// reproduces PyTorch's values): W ~ U(−k, k) as kaiming_uniform with a = √5, which gives
            /// k = 1/√in_features, and b ~ U(−1/√in_features, 1/√in_features). A layer with zero inputs
            /// keeps its (empty) weight and a zero bias bound.
            /// </summary>
            public void reset_parameters()
            {
                using var noGrad = torch.no_grad();
                var fanIn = in_features;
                if (weight.numel() > 0)
                {
                    // kaiming_uniform_(a = √5): gain = √(2 / (1 + a²)), bound = √3 · gain / √fan_in.
                    var a = Math.Sqrt(5.0);
                    var gain = Math.Sqrt(2.0 / (1 + a * a));
                    var bound = Math.Sqrt(3.0) * (gain / Math.Sqrt(fanIn));
                    weight.uniform_(-bound, bound);
                }
                if (bias is { } b)
                {
                    var bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
                    b.uniform_(-bound, bound);
                }
            }

            /// <summary>x Wᵀ + b for x of shape (*, in_features).</summary>
            public override torch.Tensor forward(torch.Tensor input) => torch.nn.functional.linear(input, weight, bias);
        }
    }

    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>
            /// A fully connected layer y = x Wᵀ + b with PyTorch's initialisation (see
            /// <see cref="Modules.Linear.reset_parameters"/>). Range: sizes ≥ 0.
            /// </summary>
            /// <param name="inputSize">in_features: the size of each input sample.</param>
            /// <param name="outputSize">out_features: the size of each output sample.</param>
            /// <param name="hasBias">Whether the layer adds a learnable bias.</param>
            /// <param name="device">Where to create the parameters (default CPU).</param>
            /// <param name="dtype">The parameters' element type (default float32).</param>
            public static Linear Linear(long inputSize, long outputSize, bool hasBias = true, Device? device = null, ScalarType? dtype = null) =>
                new(inputSize, outputSize, hasBias, device, dtype);

            /// <summary>A fully connected layer with the given weight (out_features × in_features) and optional bias.</summary>
            public static Linear Linear(Parameter weight, Parameter? bias = null) => new(weight, bias);
        }
    }
}
