using System.Reflection;
using TorchSharp.Modules;
using TorchSharp.Utils;

namespace TorchSharp
{
    namespace Utils
    {
        /// <summary>
        /// Gives a module field the name it is registered under by
        /// <see cref="torch.nn.Module.RegisterComponents"/> (and so its key in <c>state_dict</c>),
        /// instead of the field's own name.
        /// </summary>
        [AttributeUsage(AttributeTargets.Field)]
        public class ComponentNameAttribute : Attribute
        {
            /// <summary>The component's name.</summary>
            public string Name { get; set; } = "";
        }
    }

    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>
            /// The base of every module (TorchSharp's <c>torch.nn.Module</c>, PyTorch's <c>nn.Module</c>):
            /// a tree of named submodules, each holding named parameters (learnable leaves) and buffers
            /// (other state, e.g. a loss's class weights).
            /// </summary>
            /// <remarks>
            /// <para>A subclass creates its submodules, parameters and buffers in fields and then calls
            /// <see cref="RegisterComponents"/>, which registers them under the field names (a field of an
            /// auto-property registers under the property's name; <see cref="ComponentNameAttribute"/>
            /// overrides the name). <see cref="register_module"/>, <see cref="register_parameter"/> and
            /// <see cref="register_buffer"/> register explicitly.</para>
            /// <para>Ownership: a module owns its parameters and buffers (a registered buffer is taken out of
            /// its dispose scope) and disposes them, and its submodules, in <see cref="Dispose()"/>.</para>
            /// </remarks>
            public class Module : IDisposable
            {
                private readonly OrderedDictionary<string, Module> submodules = new();
                private readonly OrderedDictionary<string, Parameter> parameters_ = new();
                private readonly OrderedDictionary<string, (Tensor tensor, bool persistent)> buffers_ = new();
                // The fields RegisterComponents found, so that a conversion that has to replace a
                // parameter or buffer object can store the replacement back into the field.
                private readonly Dictionary<string, FieldInfo> componentFields = new();
                private bool componentsRegistered;
                private bool isTraining = true;
                private bool disposed;

                /// <summary>The module's name (see <see cref="GetName"/>).</summary>
                protected string? name;

                /// <summary>Creates an empty module; <paramref name="name"/> is returned by <see cref="GetName"/>.</summary>
                protected Module(string name) => this.name = name;

                /// <summary>The name given at construction.</summary>
                public virtual string GetName() => name ?? GetType().Name;

                // ---- registration ------------------------------------------------------------------

                /// <summary>
                /// Registers every field of this object (including private fields declared by base classes)
                /// that holds a <see cref="Module"/> as a submodule, a <see cref="Parameter"/> as a parameter,
                /// and any other <see cref="Tensor"/> as a buffer, under the field's name (or its
                /// <see cref="ComponentNameAttribute"/>). Names already registered and null fields are
                /// skipped. Runs once; later calls do nothing.
                /// </summary>
                protected virtual void RegisterComponents()
                {
                    if (componentsRegistered) return;
                    componentsRegistered = true;
                    for (var type = GetType(); type is not null && type != typeof(Module); type = type.BaseType)
                    {
                        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                        {
                            var componentName = ComponentName(field);
                            if (IsRegistered(componentName)) continue;
                            switch (field.GetValue(this))
                            {
                                case Module module:
                                    register_module(componentName, module);
                                    break;
                                case Parameter parameter:
                                    register_parameter(componentName, parameter);
                                    componentFields[componentName] = field;
                                    break;
                                case Tensor tensor when !tensor.IsInvalid:
                                    register_buffer(componentName, tensor);
                                    componentFields[componentName] = field;
                                    break;
                            }
                        }
                    }
                }

                private static string ComponentName(FieldInfo field)
                {
                    var attributeName = field.GetCustomAttribute<ComponentNameAttribute>()?.Name;
                    if (!string.IsNullOrEmpty(attributeName)) return attributeName;
                    // An auto-property's backing field is named "<property>k__BackingField".
                    const string backingSuffix = ">k__BackingField";
                    return field.Name.StartsWith('<') && field.Name.EndsWith(backingSuffix, StringComparison.Ordinal)
                        ? field.Name[1..^backingSuffix.Length]
                        : field.Name;
                }

                private bool IsRegistered(string key) =>
                    submodules.ContainsKey(key) || parameters_.ContainsKey(key) || buffers_.ContainsKey(key);

                private static void CheckComponentName(string name, string kind)
                {
                    ArgumentNullException.ThrowIfNull(name);
                    if (name.Length == 0) throw new ArgumentException($"{kind} name can't be empty string \"\"", nameof(name));
                    if (name.Contains('.')) throw new ArgumentException($"{kind} name can't contain \".\", got: {name}", nameof(name));
                }

                /// <summary>Adds a parameter under <paramref name="name"/>.</summary>
                /// <exception cref="ArgumentNullException">The parameter is null.</exception>
                /// <exception cref="InvalidOperationException">The name is already taken.</exception>
                public virtual void register_parameter(string name, Parameter param)
                {
                    CheckComponentName(name, "parameter");
                    if (param is null || param.IsInvalid)
                        throw new ArgumentNullException(nameof(param), "A null tensor cannot be registered as a parameter.");
                    if (IsRegistered(name)) throw new InvalidOperationException($"Parameter {name} is already registered.");
                    parameters_.Add(name, param);
                }

                /// <summary>
                /// Adds a buffer under <paramref name="name"/>: state that is not learned but moves with the
                /// module (<c>.to(...)</c>) and, when <paramref name="persistent"/>, appears in
                /// <see cref="state_dict"/>. The module takes ownership: the tensor leaves its dispose scope
                /// and is disposed with the module.
                /// </summary>
                public virtual void register_buffer(string name, Tensor tensor, bool persistent = true)
                {
                    CheckComponentName(name, "buffer");
                    if (tensor is null || tensor.IsInvalid)
                        throw new ArgumentNullException(nameof(tensor), "A null tensor cannot be registered as a buffer.");
                    if (IsRegistered(name)) throw new InvalidOperationException($"Tensor {name} is already registered.");
                    buffers_.Add(name, (tensor.DetachFromDisposeScope(), persistent));
                }

                /// <summary>
                /// Adds a submodule under <paramref name="name"/> (and runs its
                /// <see cref="RegisterComponents"/>). A null module removes the name.
                /// </summary>
                public virtual void register_module(string name, Module submodule)
                {
                    if (submodule is null)
                    {
                        submodules.Remove(name);
                        return;
                    }
                    CheckComponentName(name, "module");
                    if (IsRegistered(name)) throw new InvalidOperationException($"Sub-module {name} is already registered.");
                    submodule.RegisterComponents();
                    submodules.Add(name, submodule);
                }

                /// <summary>
                /// Registers <paramref name="value"/> under <paramref name="name"/>, replacing what was
                /// registered there; null removes the entry. For a property setter such as <c>Linear.weight</c>.
                /// </summary>
                protected void ConditionallyRegisterParameter(string name, Parameter? value)
                {
                    if (value is null) parameters_.Remove(name);
                    else parameters_[name] = value;
                }

                /// <summary>Like <see cref="ConditionallyRegisterParameter"/>, for a buffer (taken out of its dispose scope).</summary>
                protected void ConditionallyRegisterBuffer(string name, Tensor? value, bool persistent = true)
                {
                    if (value is null) buffers_.Remove(name);
                    else buffers_[name] = (value.DetachFromDisposeScope(), persistent);
                }

                /// <summary>Alias of <see cref="register_module"/>.</summary>
                public void add_module(string name, Module module) => register_module(name, module);

                // ---- traversal ---------------------------------------------------------------------

                /// <summary>
                /// The parameters with their dotted names ("lin1.weight"): this module's first, then each
                /// submodule's in registration order. A parameter reachable twice is listed once.
                /// </summary>
                public virtual IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true)
                {
                    var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
                    foreach (var (key, parameter) in parameters_)
                        if (seen.Add(parameter)) yield return (key, parameter);
                    if (!recurse) yield break;
                    foreach (var (childName, child) in submodules)
                        foreach (var (key, parameter) in child.named_parameters(true))
                            if (seen.Add(parameter)) yield return ($"{childName}.{key}", parameter);
                }

                /// <summary>The parameters, in the order of <see cref="named_parameters"/>.</summary>
                public virtual IEnumerable<Parameter> parameters(bool recurse = true) =>
                    named_parameters(recurse).Select(entry => entry.parameter);

                /// <summary>The buffers with their dotted names, in the same order as the parameters.</summary>
                public virtual IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true, bool include_nonpersistent = true)
                {
                    var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
                    foreach (var (key, (tensor, persistent)) in buffers_)
                        if ((persistent || include_nonpersistent) && seen.Add(tensor)) yield return (key, tensor);
                    if (!recurse) yield break;
                    foreach (var (childName, child) in submodules)
                        foreach (var (key, tensor) in child.named_buffers(true, include_nonpersistent))
                            if (seen.Add(tensor)) yield return ($"{childName}.{key}", tensor);
                }

                /// <summary>The buffers, in the order of <see cref="named_buffers"/>.</summary>
                public virtual IEnumerable<Tensor> buffers(bool recurse = true, bool include_nonpersistent = true) =>
                    named_buffers(recurse, include_nonpersistent).Select(entry => entry.buffer);

                /// <summary>The direct submodules with their names.</summary>
                public virtual IEnumerable<(string name, Module module)> named_children() =>
                    submodules.Select(entry => (entry.Key, entry.Value));

                /// <summary>The direct submodules.</summary>
                public virtual IEnumerable<Module> children() => named_children().Select(entry => entry.module);

                /// <summary>
                /// Every descendant module with its dotted name: the direct children first, then their
                /// descendants. As in TorchSharp (unlike PyTorch), the module itself is not included.
                /// </summary>
                public virtual IEnumerable<(string name, Module module)> named_modules()
                {
                    foreach (var child in named_children()) yield return child;
                    foreach (var (childName, child) in named_children())
                        foreach (var (key, descendant) in child.named_modules())
                            yield return ($"{childName}.{key}", descendant);
                }

                /// <summary>Every descendant module (see <see cref="named_modules"/>).</summary>
                public virtual IEnumerable<Module> modules() => named_modules().Select(entry => entry.module);

                /// <summary>The parameter at a dotted path ("lin1.weight"), or null.</summary>
                public virtual Parameter? get_parameter(string target) =>
                    Resolve(target, out var owner, out var key) && owner.parameters_.TryGetValue(key, out var p) ? p : null;

                /// <summary>The buffer at a dotted path, or null.</summary>
                public virtual Tensor? get_buffer(string target) =>
                    Resolve(target, out var owner, out var key) && owner.buffers_.TryGetValue(key, out var b) ? b.tensor : null;

                /// <summary>True when a parameter exists at the dotted path.</summary>
                public virtual bool has_parameter(string target) => get_parameter(target) is not null;

                /// <summary>True when a buffer exists at the dotted path.</summary>
                public virtual bool has_buffer(string target) => get_buffer(target) is not null;

                private bool Resolve(string target, out Module owner, out string key)
                {
                    owner = this;
                    var parts = target.Split('.');
                    for (int k = 0; k < parts.Length - 1; k++)
                    {
                        if (!owner.submodules.TryGetValue(parts[k], out var next)) { key = ""; return false; }
                        owner = next;
                    }
                    key = parts[^1];
                    return true;
                }

                /// <summary>Calls <paramref name="fn"/> on every submodule (depth first) and then on this module.</summary>
                public virtual Module apply(Action<Module> fn)
                {
                    foreach (var child in children()) child.apply(fn);
                    fn(this);
                    return this;
                }

                // ---- modes and gradients -----------------------------------------------------------

                /// <summary>Sets training mode (or evaluation mode for false) on this module and every descendant.</summary>
                public virtual void train(bool train = true)
                {
                    isTraining = train;
                    foreach (var child in children()) child.train(train);
                }

                /// <summary>Sets evaluation mode: <c>train(false)</c>.</summary>
                public virtual void eval() => train(false);

                /// <summary>True in training mode (the default).</summary>
                public virtual bool training => isTraining;

                /// <summary>
                /// Clears the gradients of every parameter: sets them to null (the default, as in PyTorch
                /// 2.x and TorchSharp) or, with <paramref name="set_to_none"/> false, fills them with zeros.
                /// </summary>
                public virtual void zero_grad(bool set_to_none = true)
                {
                    foreach (var parameter in parameters())
                    {
                        if (set_to_none)
                        {
                            parameter.grad = null;
                            continue;
                        }
                        using var grad = parameter.grad;
                        using var noGrad = no_grad();
                        grad?.zero_();
                    }
                }

                // ---- state ---------------------------------------------------------------------------

                /// <summary>
                /// The parameters and persistent buffers by dotted name (this module's parameters, then its
                /// buffers, then each submodule's entries). The values are the module's own tensors, not copies.
                /// </summary>
                public virtual Dictionary<string, Tensor> state_dict(Dictionary<string, Tensor>? destination = null, string? prefix = null)
                {
                    destination ??= new Dictionary<string, Tensor>();
                    var head = string.IsNullOrEmpty(prefix) ? "" : prefix + ".";
                    foreach (var (key, parameter) in parameters_) destination.TryAdd(head + key, parameter);
                    foreach (var (key, (tensor, persistent)) in buffers_)
                        if (persistent) destination.TryAdd(head + key, tensor);
                    foreach (var (childName, child) in named_children()) child.state_dict(destination, head + childName);
                    return destination;
                }

                /// <summary>
                /// Copies values from <paramref name="source"/> into the parameters and buffers with the same
                /// names (under no_grad). With <paramref name="strict"/>, missing or unexpected keys throw.
                /// The second tuple element keeps TorchSharp's spelling (<c>unexpected_keyes</c>).
                /// </summary>
                /// <exception cref="InvalidOperationException">Strict mode and the keys differ, or a shape differs.</exception>
                public virtual (IList<string> missing_keys, IList<string> unexpected_keyes) load_state_dict(
                    Dictionary<string, Tensor> source, bool strict = true, IList<string>? skip = null)
                {
                    skip ??= Array.Empty<string>();
                    var destination = state_dict();
                    var missing = destination.Keys.Where(k => !skip.Contains(k) && !source.ContainsKey(k)).ToList();
                    var unexpected = source.Keys.Where(k => !skip.Contains(k) && !destination.ContainsKey(k)).ToList();
                    if (strict && (missing.Count > 0 || unexpected.Count > 0))
                        throw new InvalidOperationException($"Error(s) in loading state_dict for {GetName()}: " +
                            $"missing key(s): [{string.Join(", ", missing)}]; unexpected key(s): [{string.Join(", ", unexpected)}].");
                    using var noGrad = no_grad();
                    foreach (var (key, target) in destination)
                    {
                        if (skip.Contains(key) || !source.TryGetValue(key, out var value)) continue;
                        if (!target.shape.SequenceEqual(value.shape))
                            throw new InvalidOperationException($"size mismatch for {key}: copying a param with shape [{string.Join(", ", value.shape)}] " +
                                $"from checkpoint, the shape in current model is [{string.Join(", ", target.shape)}].");
                        target.copy_(value);
                    }
                    return (missing, unexpected);
                }

                // ---- dtype and device ----------------------------------------------------------------

                /// <summary>Converts the floating-point parameters and buffers to <paramref name="dtype"/>.</summary>
                protected internal virtual Module _to(ScalarType dtype, bool non_blocking)
                {
                    CheckModuleDtype(dtype);
                    Convert(dtype, null);
                    return this;
                }

                /// <summary>Moves the parameters and buffers to a device.</summary>
                protected internal virtual Module _to(DeviceType deviceType, int deviceIndex, bool non_blocking)
                {
                    Convert(null, new Device(deviceType, deviceType == DeviceType.CUDA ? deviceIndex : -1));
                    return this;
                }

                /// <summary>Moves the parameters and buffers to a device and converts the floating-point ones to <paramref name="dtype"/>.</summary>
                protected internal virtual Module _to(Device device, ScalarType dtype, bool non_blocking)
                {
                    CheckModuleDtype(dtype);
                    Convert(dtype, new Device(device.type, device.type == DeviceType.CUDA ? device.index : -1));
                    return this;
                }

                private static void CheckModuleDtype(ScalarType dtype)
                {
                    if (!is_floating_point(dtype) && dtype is not (ScalarType.ComplexFloat32 or ScalarType.ComplexFloat64))
                        throw new ArgumentException($"nn.Module.to only accepts floating point or complex dtypes, but got desired dtype={dtype}");
                }

                // Like PyTorch's Module._apply: a parameter keeps its identity (its data is swapped in
                // place) unless the old and new tensors are of incompatible kinds (e.g. CPU and meta);
                // then, and for buffers always, the converted tensor replaces the old one under the same
                // name (and in the field RegisterComponents found). Integral tensors keep their dtype.
                private void Convert(ScalarType? dtype, Device? device)
                {
                    foreach (var child in children()) child.Convert(dtype, device);
                    using var noGrad = no_grad();
                    foreach (var (key, parameter) in parameters_.ToList())
                    {
                        var replacement = ConvertParameter(parameter, dtype, device);
                        if (replacement is null) continue;
                        parameters_[key] = replacement;
                        componentFields.GetValueOrDefault(key)?.SetValue(this, replacement);
                        parameter.Dispose();
                    }
                    foreach (var (key, (buffer, persistent)) in buffers_.ToList())
                    {
                        var (targetType, targetDevice) = Target(buffer, dtype, device);
                        if (targetType == buffer.dtype && targetDevice.Equals(buffer.device)) continue;
                        var converted = buffer.to(targetType, targetDevice).DetachFromDisposeScope();
                        buffers_[key] = (converted, persistent);
                        componentFields.GetValueOrDefault(key)?.SetValue(this, converted);
                        buffer.Dispose();
                    }
                }

                private static (ScalarType type, Device device) Target(Tensor tensor, ScalarType? dtype, Device? device)
                {
                    var type = dtype is not null && (is_floating_point(tensor.dtype) || tensor.dtype is ScalarType.ComplexFloat32 or ScalarType.ComplexFloat64)
                        ? dtype.Value : tensor.dtype;
                    return (type, device ?? tensor.device);
                }

                // Returns null when the parameter was converted in place (or needed nothing), or the new
                // parameter that must replace it.
                private static Parameter? ConvertParameter(Parameter parameter, ScalarType? dtype, Device? device)
                {
                    var (type, target) = Target(parameter, dtype, device);
                    using var grad = parameter.grad;
                    if (type == parameter.dtype && target.Equals(parameter.device)) return null;
                    using var data = parameter.to(type, target);
                    using var newGrad = grad?.to(type, target);
                    if (parameter.TrySetData(data))
                    {
                        if (grad is not null && newGrad is not null && !grad.TrySetData(newGrad)) parameter.grad = newGrad;
                        return null;
                    }
                    var replacement = new Parameter(data, parameter.requires_grad);
                    if (newGrad is not null) replacement.grad = newGrad;
                    return replacement;
                }

                // ---- lifetime ------------------------------------------------------------------------

                /// <summary>Disposes the module's parameters and buffers and every submodule.</summary>
                public void Dispose()
                {
                    Dispose(true);
                    GC.SuppressFinalize(this);
                }

                /// <summary>The dispose pattern: releases parameters, buffers and submodules when <paramref name="disposing"/>.</summary>
                protected virtual void Dispose(bool disposing)
                {
                    if (!disposing || disposed) return;
                    disposed = true;
                    foreach (var (tensor, _) in buffers_.Values) tensor.Dispose();
                    foreach (var parameter in parameters_.Values) parameter.Dispose();
                    foreach (var child in submodules.Values) child.Dispose();
                }
            }
        }
    }

    /// <summary>
    /// Moves and converts modules (TorchSharp's extension methods): each returns the module itself, with
    /// its floating-point parameters and buffers converted. Parameters keep their identity where
    /// libtorch allows it (dtype changes, CPU and CUDA moves), so an optimizer built before the call
    /// still holds them; a move to or from the meta device replaces them.
    /// </summary>
    public static class ModuleExtensionMethods
    {
        /// <summary>Converts the floating-point parameters and buffers to <paramref name="type"/>.</summary>
        public static T to<T>(this T module, torch.ScalarType type, bool non_blocking = false) where T : torch.nn.Module =>
            (T)module._to(type, non_blocking);

        /// <summary>Moves to <paramref name="device"/> and converts the floating-point parameters and buffers to <paramref name="type"/>.</summary>
        public static T to<T>(this T module, torch.Device device, torch.ScalarType type, bool non_blocking = false) where T : torch.nn.Module =>
            (T)module._to(device, type, non_blocking);

        /// <summary>Moves the parameters and buffers to a device.</summary>
        public static T to<T>(this T module, DeviceType deviceType, int deviceIndex = -1, bool non_blocking = false) where T : torch.nn.Module =>
            (T)module._to(deviceType, deviceIndex, non_blocking);

        /// <summary>Moves the parameters and buffers to <paramref name="device"/>.</summary>
        public static T to<T>(this T module, torch.Device device, bool non_blocking = false) where T : torch.nn.Module =>
            (T)module._to(device.type, device.index, non_blocking);

        /// <summary>Moves the parameters and buffers to the device named by <paramref name="device"/> ("cpu", "meta").</summary>
        public static T to<T>(this T module, string device, bool non_blocking = false) where T : torch.nn.Module =>
            module.to(new torch.Device(device), non_blocking);

        /// <summary>Moves and converts to the device and dtype of <paramref name="other"/>.</summary>
        public static T to<T>(this T module, torch.Tensor other, bool non_blocking = false) where T : torch.nn.Module =>
            module.to(other.device, other.dtype, non_blocking);

        /// <summary>Moves the parameters and buffers to the CPU.</summary>
        public static T cpu<T>(this T module, bool non_blocking = false) where T : torch.nn.Module =>
            (T)module._to(DeviceType.CPU, -1, non_blocking);

        /// <summary>Converts the floating-point parameters and buffers to float32.</summary>
        public static T @float<T>(this T module, bool non_blocking = false) where T : torch.nn.Module =>
            module.to(torch.ScalarType.Float32, non_blocking);

        /// <summary>Converts the floating-point parameters and buffers to float64.</summary>
        public static T @double<T>(this T module, bool non_blocking = false) where T : torch.nn.Module =>
            module.to(torch.ScalarType.Float64, non_blocking);

        /// <summary>Converts the floating-point parameters and buffers to float16.</summary>
        public static T half<T>(this T module, bool non_blocking = false) where T : torch.nn.Module =>
            module.to(torch.ScalarType.Float16, non_blocking);
    }
}
