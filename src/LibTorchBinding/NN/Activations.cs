using TorchSharp.Modules;

namespace TorchSharp
{
    namespace Modules
    {
        /// <summary>
        /// The base of modules without parameters or buffers (TorchSharp's <c>ParameterLessModule</c>):
        /// registering either throws, and moving or converting the module does nothing.
        /// </summary>
        public abstract class ParameterLessModule<T, TResult> : torch.nn.Module<T, TResult>
        {
            /// <summary>Creates the module named <paramref name="name"/>.</summary>
            protected ParameterLessModule(string name) : base(name) { }

            /// <inheritdoc/>
            public override void register_buffer(string name, torch.Tensor tensor, bool persistent = true) =>
                throw new InvalidOperationException($"A {GetName()} module has no buffers.");

            /// <inheritdoc/>
            public override void register_parameter(string name, Parameter param) =>
                throw new InvalidOperationException($"A {GetName()} module has no parameters.");
        }

        /// <summary>ReLU(x) = max(x, 0), element-wise.</summary>
        public sealed class ReLU : ParameterLessModule<torch.Tensor, torch.Tensor>
        {
            internal ReLU(bool inplace) : base(nameof(ReLU)) => this.inplace = inplace;

            /// <summary>Whether forward overwrites its input.</summary>
            public bool inplace { get; set; }

            /// <inheritdoc/>
            public override torch.Tensor forward(torch.Tensor tensor) => torch.nn.functional.relu(tensor, inplace);
        }

        /// <summary>Tanh(x), element-wise.</summary>
        public sealed class Tanh : ParameterLessModule<torch.Tensor, torch.Tensor>
        {
            internal Tanh(bool inplace) : base(nameof(Tanh)) => this.inplace = inplace;

            /// <summary>Whether forward overwrites its input.</summary>
            public bool inplace { get; set; }

            /// <inheritdoc/>
            public override torch.Tensor forward(torch.Tensor tensor) => torch.nn.functional.tanh(tensor, inplace);
        }
    }

    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>ReLU(x) = max(x, 0); with <paramref name="inplace"/> the input is overwritten.</summary>
            public static ReLU ReLU(bool inplace = false) => new(inplace);

            /// <summary>Tanh(x).</summary>
            public static Tanh Tanh() => new(false);

            /// <summary>Tanh(x); with <paramref name="inplace"/> the input is overwritten.</summary>
            public static Tanh Tanh(bool inplace = false) => new(inplace);
        }
    }
}
