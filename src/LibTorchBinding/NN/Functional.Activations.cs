using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp;

public static partial class torch
{
    public static partial class nn
    {
        // Activations and the other non-loss functions. The activations call ATen directly; with
        // inplace: true they overwrite x and return a new Tensor on the same storage.
        public static partial class functional
        {
            /// <summary>max(x, 0) element-wise.</summary>
            public static Tensor relu(Tensor x, bool inplace = false) => Tensor.FromNative(tl_functional_relu(x.Native, inplace ? 1 : 0));

            /// <summary>tanh(x) element-wise.</summary>
            public static Tensor tanh(Tensor x, bool inplace = false) => Tensor.FromNative(tl_functional_tanh(x.Native, inplace ? 1 : 0));

            /// <summary>1 / (1 + exp(−x)) element-wise.</summary>
            public static Tensor sigmoid(Tensor x) => sigmoid(x, false);

            /// <summary>1 / (1 + exp(−x)) element-wise, optionally in place.</summary>
            public static Tensor sigmoid(Tensor x, bool inplace) => Tensor.FromNative(tl_functional_sigmoid(x.Native, inplace ? 1 : 0));

            /// <summary>
            /// log(1 + exp(beta·x)) / beta element-wise; where beta·x &gt; <paramref name="threshold"/>
            /// the result is x itself (the two agree there to within rounding).
            /// </summary>
            public static Tensor softplus(Tensor x, double beta = 1, double threshold = 20) =>
                x.softplus(beta, threshold);

            /// <summary>log(sigmoid(x)) = −softplus(−x) element-wise, computed stably.</summary>
            public static Tensor logsigmoid(Tensor x) => x.log_sigmoid();

            /// <summary>Log-softmax along <paramref name="dim"/>.</summary>
            public static Tensor log_softmax(Tensor x, long dim) => x.log_softmax(dim);

            /// <summary>Softmax along <paramref name="dim"/>, computed in <paramref name="dtype"/> when given.</summary>
            public static Tensor softmax(Tensor input, long dim, ScalarType? dtype = null) => input.softmax(dim, dtype);

            /// <summary>
            /// For int64 class indices x, a tensor with one more dimension of size
            /// <paramref name="num_classes"/> (-1: max(x) + 1) holding 1 at each index and 0 elsewhere (int64).
            /// </summary>
            public static Tensor one_hot(Tensor x, long num_classes = -1) => Tensor.FromNative(tl_functional_one_hot(x.Native, num_classes));

            /// <summary>
            /// Σ x1·x2 / max(‖x1‖·‖x2‖, eps) along <paramref name="dim"/> (inputs broadcast).
            /// Range: eps &gt; 0.
            /// </summary>
            public static Tensor cosine_similarity(Tensor x1, Tensor x2, long dim = 1, double eps = 1e-8) =>
                Tensor.FromNative(tl_functional_cosine_similarity(x1.Native, x2.Native, dim, eps));

            /// <summary>‖input1 − input2 + eps‖_p along the last dimension (inputs broadcast).</summary>
            public static Tensor pairwise_distance(Tensor input1, Tensor input2, double p = 2.0, double eps = 1e-6, bool keepdim = false) =>
                Tensor.FromNative(tl_functional_pairwise_distance(input1.Native, input2.Native, p, eps, keepdim ? 1 : 0));

            /// <summary>input · weightsᵀ + bias, with weights of shape [out_features, in_features].</summary>
            public static Tensor linear(Tensor input, Tensor weights, Tensor? bias = null)
            {
                var result = Tensor.FromNative(tl_functional_linear(input.Native, weights.Native, bias is null ? IntPtr.Zero : bias.Handle));
                GC.KeepAlive(bias);
                return result;
            }
        }
    }
}
