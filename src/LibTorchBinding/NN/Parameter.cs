using TorchSharp.PInvoke;
using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp
{
    namespace Modules
    {
        /// <summary>
        /// A tensor that is a module's learnable state (TorchSharp's <c>Modules.Parameter</c>,
        /// PyTorch's <c>nn.Parameter</c>). It is a leaf of the autograd graph that shares the
        /// storage of the data it was made from, and it belongs to no dispose scope: a module's
        /// weights outlive the scopes of the training steps that use them. The module that
        /// registers it disposes it.
        /// </summary>
        public class Parameter : torch.Tensor
        {
            /// <summary>Makes a parameter from <paramref name="data"/> (which stays valid and keeps its own lifetime).</summary>
            public Parameter(torch.Tensor data, bool requires_grad = true)
                : base(MakeLeaf(data, requires_grad), attachToScope: false)
            {
            }

            private static TensorHandle MakeLeaf(torch.Tensor data, bool requires_grad)
            {
                ArgumentNullException.ThrowIfNull(data);
                var handle = tl_nn_make_parameter(data.Native, requires_grad ? 1 : 0);
                if (handle.IsInvalid)
                {
                    handle.Dispose();
                    throw Failure();
                }
                return handle;
            }
        }
    }

    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>Makes a <see cref="Modules.Parameter"/> from <paramref name="data"/>.</summary>
            public static Modules.Parameter Parameter(Tensor data, bool requires_grad = true) => new(data, requires_grad);
        }
    }

    /// <summary>
    /// Holds <see cref="AsParameter"/>. TorchSharp declares it in <c>TensorExtensionMethods</c>;
    /// called as an extension method (<c>t.AsParameter()</c>) the two are interchangeable.
    /// </summary>
    public static class ParameterExtensionMethods
    {
        /// <summary>Makes a <see cref="Modules.Parameter"/> (requiring grad) from this tensor.</summary>
        public static Modules.Parameter AsParameter(this torch.Tensor tensor) => new(tensor);
    }
}
