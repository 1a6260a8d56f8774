namespace TorchSharp;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// A module that runs hooks around its forward pass (TorchSharp's <c>HookableModule</c>).
        /// <typeparamref name="TPreHook"/> may replace the inputs (returning null keeps them);
        /// <typeparamref name="TPostHook"/> may replace the result (returning null keeps it). Hooks run in
        /// registration order, the typed ones before (pre) or after (post) the <c>Action&lt;Module&gt;</c> ones.
        /// </summary>
        public class HookableModule<TPreHook, TPostHook> : Module
        {
            /// <summary>The typed pre-hooks by key.</summary>
            protected Dictionary<string, TPreHook> pre_hooks = new();
            /// <summary>The typed post-hooks by key.</summary>
            protected Dictionary<string, TPostHook> post_hooks = new();
            /// <summary>The pre-hooks that only see the module.</summary>
            protected Dictionary<string, Action<Module>> module_pre_hooks = new();
            /// <summary>The post-hooks that only see the module.</summary>
            protected Dictionary<string, Action<Module>> module_post_hooks = new();

            /// <summary>Creates an empty module named <paramref name="name"/>.</summary>
            protected HookableModule(string name) : base(name) { }

            /// <summary>Registers a hook that runs after forward and may replace its result.</summary>
            public HookRemover register_forward_hook(TPostHook hook) => Add(post_hooks, hook);

            /// <summary>Registers a hook that runs before forward and may replace its inputs.</summary>
            public HookRemover register_forward_pre_hook(TPreHook hook) => Add(pre_hooks, hook);

            /// <summary>Registers a hook that runs after forward.</summary>
            public HookRemover register_forward_hook(Action<Module> hook) => Add(module_post_hooks, hook);

            /// <summary>Registers a hook that runs before forward.</summary>
            public HookRemover register_forward_pre_hook(Action<Module> hook) => Add(module_pre_hooks, hook);

            private HookRemover Add<THook>(Dictionary<string, THook> hooks, THook hook)
            {
                var key = Guid.NewGuid().ToString();
                hooks.Add(key, hook);
                return new HookRemover(this, key);
            }

            private void Remove(string key)
            {
                pre_hooks.Remove(key);
                post_hooks.Remove(key);
                module_pre_hooks.Remove(key);
                module_post_hooks.Remove(key);
            }

            /// <summary>Runs the module-only pre-hooks.</summary>
            protected void RunModulePreHooks()
            {
                foreach (var hook in module_pre_hooks.Values.ToList()) hook(this);
            }

            /// <summary>Runs the typed post-hooks on <paramref name="result"/>, then the module-only post-hooks.</summary>
            protected TResult RunPostHooks<TResult>(TResult result, Func<TPostHook, TResult, TResult?> invoke)
            {
                foreach (var hook in post_hooks.Values.ToList())
                {
                    var replaced = invoke(hook, result);
                    if (replaced is not null) result = replaced;
                }
                foreach (var hook in module_post_hooks.Values.ToList()) hook(this);
                return result;
            }

            /// <summary>Removes one registered hook (PyTorch's <c>RemovableHandle</c>).</summary>
            public class HookRemover
            {
                private readonly HookableModule<TPreHook, TPostHook> module;
                private readonly string key;

                /// <summary>Binds the remover to a hook's key.</summary>
                public HookRemover(HookableModule<TPreHook, TPostHook> module, string key)
                {
                    this.module = module;
                    this.key = key;
                }

                /// <summary>Unregisters the hook; later calls do nothing.</summary>
                public void remove() => module.Remove(key);
            }
        }

        /// <summary>A module whose <c>call</c> takes one argument.</summary>
        public interface IModule<T, TResult>
        {
            /// <summary>Runs the module (with its hooks).</summary>
            TResult call(T input);
        }

        /// <summary>
        /// The base of modules whose forward takes one argument (TorchSharp's <c>Module&lt;…&gt;</c>).
        /// Override <see cref="forward"/>; callers use <see cref="call"/>, which also runs the hooks.
        /// </summary>
        public abstract class Module<T, TResult> : HookableModule<Func<Module<T, TResult>, T, T>, Func<Module<T, TResult>, T, TResult, TResult>>, IModule<T, TResult>
        {
            /// <summary>Creates an empty module named <paramref name="name"/>.</summary>
            protected Module(string name) : base(name) { }

            /// <summary>The computation of the module (runs no hooks).</summary>
            public abstract TResult forward(T input);

            /// <summary>Runs the pre-hooks, <see cref="forward"/>, then the post-hooks.</summary>
            public TResult call(T input)
            {
                RunModulePreHooks();
                foreach (var hook in pre_hooks.Values.ToList())
                {
                    var replaced = hook(this, input);
                    if (replaced is not null) input = replaced;
                }
                return RunPostHooks(forward(input), (hook, result) => hook(this, input, result));
            }
        }

        /// <summary>A module whose <c>call</c> takes 2 arguments.</summary>
        public interface IModule<T1, T2, TResult>
        {
            /// <summary>Runs the module (with its hooks).</summary>
            TResult call(T1 input1, T2 input2);
        }

        /// <summary>
        /// The base of modules whose forward takes 2 arguments (TorchSharp's <c>Module&lt;…&gt;</c>).
        /// Override <see cref="forward"/>; callers use <see cref="call"/>, which also runs the hooks.
        /// </summary>
        public abstract class Module<T1, T2, TResult> : HookableModule<Func<Module<T1, T2, TResult>, T1, T2, (T1, T2)?>, Func<Module<T1, T2, TResult>, T1, T2, TResult, TResult>>, IModule<T1, T2, TResult>
        {
            /// <summary>Creates an empty module named <paramref name="name"/>.</summary>
            protected Module(string name) : base(name) { }

            /// <summary>The computation of the module (runs no hooks).</summary>
            public abstract TResult forward(T1 input1, T2 input2);

            /// <summary>Runs the pre-hooks, <see cref="forward"/>, then the post-hooks.</summary>
            public TResult call(T1 input1, T2 input2)
            {
                RunModulePreHooks();
                foreach (var hook in pre_hooks.Values.ToList())
                {
                    var replaced = hook(this, input1, input2);
                    if (replaced.HasValue) { input1 = replaced.Value.Item1; input2 = replaced.Value.Item2; }
                }
                return RunPostHooks(forward(input1, input2), (hook, result) => hook(this, input1, input2, result));
            }
        }

        /// <summary>A module whose <c>call</c> takes 3 arguments.</summary>
        public interface IModule<T1, T2, T3, TResult>
        {
            /// <summary>Runs the module (with its hooks).</summary>
            TResult call(T1 input1, T2 input2, T3 input3);
        }

        /// <summary>
        /// The base of modules whose forward takes 3 arguments (TorchSharp's <c>Module&lt;…&gt;</c>).
        /// Override <see cref="forward"/>; callers use <see cref="call"/>, which also runs the hooks.
        /// </summary>
        public abstract class Module<T1, T2, T3, TResult> : HookableModule<Func<Module<T1, T2, T3, TResult>, T1, T2, T3, (T1, T2, T3)?>, Func<Module<T1, T2, T3, TResult>, T1, T2, T3, TResult, TResult>>, IModule<T1, T2, T3, TResult>
        {
            /// <summary>Creates an empty module named <paramref name="name"/>.</summary>
            protected Module(string name) : base(name) { }

            /// <summary>The computation of the module (runs no hooks).</summary>
            public abstract TResult forward(T1 input1, T2 input2, T3 input3);

            /// <summary>Runs the pre-hooks, <see cref="forward"/>, then the post-hooks.</summary>
            public TResult call(T1 input1, T2 input2, T3 input3)
            {
                RunModulePreHooks();
                foreach (var hook in pre_hooks.Values.ToList())
                {
                    var replaced = hook(this, input1, input2, input3);
                    if (replaced.HasValue) { input1 = replaced.Value.Item1; input2 = replaced.Value.Item2; input3 = replaced.Value.Item3; }
                }
                return RunPostHooks(forward(input1, input2, input3), (hook, result) => hook(this, input1, input2, input3, result));
            }
        }

        /// <summary>A module whose <c>call</c> takes 4 arguments.</summary>
        public interface IModule<T1, T2, T3, T4, TResult>
        {
            /// <summary>Runs the module (with its hooks).</summary>
            TResult call(T1 input1, T2 input2, T3 input3, T4 input4);
        }

        /// <summary>
        /// The base of modules whose forward takes 4 arguments (TorchSharp's <c>Module&lt;…&gt;</c>).
        /// Override <see cref="forward"/>; callers use <see cref="call"/>, which also runs the hooks.
        /// </summary>
        public abstract class Module<T1, T2, T3, T4, TResult> : HookableModule<Func<Module<T1, T2, T3, T4, TResult>, T1, T2, T3, T4, (T1, T2, T3, T4)?>, Func<Module<T1, T2, T3, T4, TResult>, T1, T2, T3, T4, TResult, TResult>>, IModule<T1, T2, T3, T4, TResult>
        {
            /// <summary>Creates an empty module named <paramref name="name"/>.</summary>
            protected Module(string name) : base(name) { }

            /// <summary>The computation of the module (runs no hooks).</summary>
            public abstract TResult forward(T1 input1, T2 input2, T3 input3, T4 input4);

            /// <summary>Runs the pre-hooks, <see cref="forward"/>, then the post-hooks.</summary>
            public TResult call(T1 input1, T2 input2, T3 input3, T4 input4)
            {
                RunModulePreHooks();
                foreach (var hook in pre_hooks.Values.ToList())
                {
                    var replaced = hook(this, input1, input2, input3, input4);
                    if (replaced.HasValue) { input1 = replaced.Value.Item1; input2 = replaced.Value.Item2; input3 = replaced.Value.Item3; input4 = replaced.Value.Item4; }
                }
                return RunPostHooks(forward(input1, input2, input3, input4), (hook, result) => hook(this, input1, input2, input3, input4, result));
            }
        }

        /// <summary>A module whose <c>call</c> takes 5 arguments.</summary>
        public interface IModule<T1, T2, T3, T4, T5, TResult>
        {
            /// <summary>Runs the module (with its hooks).</summary>
            TResult call(T1 input1, T2 input2, T3 input3, T4 input4, T5 input5);
        }

        /// <summary>
        /// The base of modules whose forward takes 5 arguments (TorchSharp's <c>Module&lt;…&gt;</c>).
        /// Override <see cref="forward"/>; callers use <see cref="call"/>, which also runs the hooks.
        /// </summary>
        public abstract class Module<T1, T2, T3, T4, T5, TResult> : HookableModule<Func<Module<T1, T2, T3, T4, T5, TResult>, T1, T2, T3, T4, T5, (T1, T2, T3, T4, T5)?>, Func<Module<T1, T2, T3, T4, T5, TResult>, T1, T2, T3, T4, T5, TResult, TResult>>, IModule<T1, T2, T3, T4, T5, TResult>
        {
            /// <summary>Creates an empty module named <paramref name="name"/>.</summary>
            protected Module(string name) : base(name) { }

            /// <summary>The computation of the module (runs no hooks).</summary>
            public abstract TResult forward(T1 input1, T2 input2, T3 input3, T4 input4, T5 input5);

            /// <summary>Runs the pre-hooks, <see cref="forward"/>, then the post-hooks.</summary>
            public TResult call(T1 input1, T2 input2, T3 input3, T4 input4, T5 input5)
            {
                RunModulePreHooks();
                foreach (var hook in pre_hooks.Values.ToList())
                {
                    var replaced = hook(this, input1, input2, input3, input4, input5);
                    if (replaced.HasValue) { input1 = replaced.Value.Item1; input2 = replaced.Value.Item2; input3 = replaced.Value.Item3; input4 = replaced.Value.Item4; input5 = replaced.Value.Item5; }
                }
                return RunPostHooks(forward(input1, input2, input3, input4, input5), (hook, result) => hook(this, input1, input2, input3, input4, input5, result));
            }
        }

        /// <summary>A module whose <c>call</c> takes 6 arguments.</summary>
        public interface IModule<T1, T2, T3, T4, T5, T6, TResult>
        {
            /// <summary>Runs the module (with its hooks).</summary>
            TResult call(T1 input1, T2 input2, T3 input3, T4 input4, T5 input5, T6 input6);
        }

        /// <summary>
        /// The base of modules whose forward takes 6 arguments (TorchSharp's <c>Module&lt;…&gt;</c>).
        /// Override <see cref="forward"/>; callers use <see cref="call"/>, which also runs the hooks.
        /// </summary>
        public abstract class Module<T1, T2, T3, T4, T5, T6, TResult> : HookableModule<Func<Module<T1, T2, T3, T4, T5, T6, TResult>, T1, T2, T3, T4, T5, T6, (T1, T2, T3, T4, T5, T6)?>, Func<Module<T1, T2, T3, T4, T5, T6, TResult>, T1, T2, T3, T4, T5, T6, TResult, TResult>>, IModule<T1, T2, T3, T4, T5, T6, TResult>
        {
            /// <summary>Creates an empty module named <paramref name="name"/>.</summary>
            protected Module(string name) : base(name) { }

            /// <summary>The computation of the module (runs no hooks).</summary>
            public abstract TResult forward(T1 input1, T2 input2, T3 input3, T4 input4, T5 input5, T6 input6);

            /// <summary>Runs the pre-hooks, <see cref="forward"/>, then the post-hooks.</summary>
            public TResult call(T1 input1, T2 input2, T3 input3, T4 input4, T5 input5, T6 input6)
            {
                RunModulePreHooks();
                foreach (var hook in pre_hooks.Values.ToList())
                {
                    var replaced = hook(this, input1, input2, input3, input4, input5, input6);
                    if (replaced.HasValue) { input1 = replaced.Value.Item1; input2 = replaced.Value.Item2; input3 = replaced.Value.Item3; input4 = replaced.Value.Item4; input5 = replaced.Value.Item5; input6 = replaced.Value.Item6; }
                }
                return RunPostHooks(forward(input1, input2, input3, input4, input5, input6), (hook, result) => hook(this, input1, input2, input3, input4, input5, input6, result));
            }
        }
    }
}
