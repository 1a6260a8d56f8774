using System.Runtime.CompilerServices;
using TorchSharp.Modules;

namespace TorchSharp
{
    namespace Modules
    {
        /// <summary>
        /// A chain of single-input modules: the output of each is the input of the next. Its modules are
        /// registered as submodules named "0", "1", ... (or the names given), so their parameters appear
        /// as "0.weight" or "lin1.weight". Disposing the Sequential disposes its modules.
        /// </summary>
        public class Sequential : torch.nn.Module<torch.Tensor, torch.Tensor>
        {
            private readonly List<torch.nn.IModule<torch.Tensor, torch.Tensor>> sequence = new();

            internal Sequential() : base(nameof(Sequential)) { }

            /// <summary>Adds a module at the end under <paramref name="name"/>.</summary>
            public Sequential append(string name, torch.nn.IModule<torch.Tensor, torch.Tensor> module)
            {
                if (module is not torch.nn.Module registered)
                    throw new ArgumentException("A Sequential can only hold torch.nn.Module instances.", nameof(module));
                register_module(name, registered);
                sequence.Add(module);
                return this;
            }

            /// <summary>Adds a module at the end, named by its position.</summary>
            public Sequential append(torch.nn.IModule<torch.Tensor, torch.Tensor> module) =>
                append(sequence.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);

            /// <summary>The number of modules.</summary>
            public int Count => sequence.Count;

            /// <summary>The module at <paramref name="index"/>.</summary>
            [IndexerName("SequentialItems")]
            public torch.nn.IModule<torch.Tensor, torch.Tensor> this[int index] => sequence[index];

            /// <summary>
            /// Runs the modules in order. Intermediate results are disposed as soon as the next module has
            /// consumed them (autograd keeps what it needs); an empty Sequential returns a new handle on the input.
            /// </summary>
            public override torch.Tensor forward(torch.Tensor input)
            {
                if (sequence.Count == 0) return ModuleKernels.Alias(input);
                var current = input;
                foreach (var module in sequence)
                {
                    var next = module.call(current);
                    if (!ReferenceEquals(current, input) && !ReferenceEquals(next, current)) current.Dispose();
                    current = next;
                }
                return current;
            }
        }
    }

    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>An empty <see cref="Modules.Sequential"/>; add modules with <c>append</c>.</summary>
            public static Sequential Sequential() => new();

            /// <summary>A <see cref="Modules.Sequential"/> of named modules, run in the order given.</summary>
            public static Sequential Sequential(params (string name, Module<Tensor, Tensor> submodule)[] modules) =>
                Sequential((IEnumerable<(string name, Module<Tensor, Tensor> submodule)>)modules);

            /// <summary>A <see cref="Modules.Sequential"/> of modules named "0", "1", ..., run in the order given.</summary>
            public static Sequential Sequential(params Module<Tensor, Tensor>[] modules) =>
                Sequential((IEnumerable<Module<Tensor, Tensor>>)modules);

            /// <summary>A <see cref="Modules.Sequential"/> of named modules, run in the order given.</summary>
            public static Sequential Sequential(params Tuple<string, Module<Tensor, Tensor>>[] modules) =>
                Sequential(modules.Select(entry => (entry.Item1, entry.Item2)));

            /// <summary>A <see cref="Modules.Sequential"/> of named modules, run in the order given.</summary>
            public static Sequential Sequential(IEnumerable<(string name, Module<Tensor, Tensor> submodule)> modules)
            {
                var result = new Sequential();
                foreach (var (name, submodule) in modules) result.append(name, submodule);
                return result;
            }

            /// <summary>A <see cref="Modules.Sequential"/> of modules named "0", "1", ..., run in the order given.</summary>
            public static Sequential Sequential(IEnumerable<Module<Tensor, Tensor>> modules)
            {
                var result = new Sequential();
                foreach (var module in modules) result.append(module);
                return result;
            }
        }
    }
}
