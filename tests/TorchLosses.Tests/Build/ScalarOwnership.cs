using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Operations;
using TorchLossesTests.Docs;

namespace TorchLossesTests.Build;

/// <summary>
/// Finds every <see cref="Scalar"/> that C# code creates without owning it, by compiling the code with Roslyn against the
/// TorchSharp it is built with.
/// <para>Why: TorchSharp 0.107 passes a Scalar's native handle to libtorch and does not keep the Scalar alive during the call.
/// A Scalar nobody holds (the 0.5 of <c>x * 0.5</c>, converted implicitly) can be collected while the native op reads it,
/// and its finalizer frees the value under the op ("Expected false to be true" from <c>Scalar::toDouble</c>, or a wrong
/// number) when another thread triggers a garbage collection (README, "TorchSharp's traps").</para>
/// <para>A Scalar is created by a user-defined conversion to Scalar (implicit or explicit) or by a call that returns a new
/// Scalar (<c>ToScalar()</c>, or a helper of ours returning one). It is owned only where it is
/// <list type="bullet">
/// <item>the initializer of a <c>static readonly</c> field (the static keeps it alive for the process, e.g. Core/Scalars.cs),</item>
/// <item>the initializer of a <c>using</c> local (kept alive, then disposed, at the end of its scope), or</item>
/// <item>the returned value of a method whose return type is Scalar (a factory: its callers are checked in turn).</item>
/// </list>
/// Every other creation is a finding, unless a comment <c>// ScalarOwnership: reason</c> (20 characters of reason at least)
/// on its line or the line above says why it is safe or cannot be helped.</para>
/// <para>A second kind of finding: a call to a TorchSharp member that creates such a Scalar inside TorchSharp (found in
/// TorchSharp's IL, see <see cref="TorchSharpTemporaries"/>), e.g. <c>Tensor.add(Tensor)</c>, which is <c>add(target, 1)</c>.</para>
/// </summary>
internal static class ScalarOwnership
{
    /// <summary>One Scalar created without an owner: where, and what created it.</summary>
    internal sealed record Finding(string File, int Line, int Column, string Code, string Creator)
    {
        public override string ToString() => $"{File}:{Line}:{Column}: {Creator}: {Code}";
    }

    /// <summary>
    /// Compiles the C# sources of a project of the repository (its folder's .cs files outside bin/ and obj/, its
    /// <c>&lt;Compile Include="…/**/*.cs"/&gt;</c> items, and the global usings its last build generated) and returns its
    /// findings. Fails when the sources do not compile: an unbound expression would hide a conversion.
    /// </summary>
    internal static IReadOnlyList<Finding> OfProject(string projectPath)
    {
        string project = Repository.PathOf(projectPath);
        string folder = Path.GetDirectoryName(project)!;
        string text = File.ReadAllText(project);
        var sources = SourcesOf(folder, text).ToList();
        Assert.IsNotEmpty(sources, $"{projectPath} has no C# sources");
        var trees = sources.Select(path => Parse(File.ReadAllText(path), Path.GetRelativePath(Repository.Root, path))).ToList();
        trees.Add(Parse(GlobalUsingsOf(folder, projectPath), Path.Combine(Path.GetRelativePath(Repository.Root, folder), "obj/GlobalUsings.g.cs")));

        string assemblyName = System.Text.RegularExpressions.Regex.Match(text, "<AssemblyName>([^<]+)</AssemblyName>") is { Success: true } m
            ? m.Groups[1].Value : Path.GetFileNameWithoutExtension(project);
        var kind = text.Contains("<OutputType>Exe</OutputType>", StringComparison.Ordinal) ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary;
        return OfCompilation(Compile(assemblyName, kind, trees));
    }

    /// <summary>The findings of C# source given as text (the detector's own tests).</summary>
    internal static IReadOnlyList<Finding> OfSource(string source) =>
        OfCompilation(Compile("ScalarOwnershipProbe", OutputKind.DynamicallyLinkedLibrary,
            new[] { Parse("global using TorchSharp;\nglobal using static TorchSharp.torch;\nglobal using System;\n" + source, "probe.cs") }));

    private static SyntaxTree Parse(string text, string path) =>
        CSharpSyntaxTree.ParseText(text, new CSharpParseOptions(LanguageVersion.Latest), path);

    private static IEnumerable<string> SourcesOf(string folder, string projectText)
    {
        static bool Built(string path) => path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj");
        var own = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(path => !Built(Path.GetRelativePath(folder, path)));
        var linked = System.Text.RegularExpressions.Regex.Matches(projectText, "<Compile Include=\"([^\"]+)\"")
            .Select(match => match.Groups[1].Value)
            .SelectMany(include =>
            {
                // Only the form the repository uses: a folder, then **/*.cs.
                Assert.IsTrue(include.EndsWith("/**/*.cs", StringComparison.Ordinal) || include.EndsWith(".cs", StringComparison.Ordinal) && !include.Contains('*'),
                    $"a <Compile Include=\"{include}\"/> the detector cannot expand");
                return include.EndsWith("/**/*.cs", StringComparison.Ordinal)
                    ? Directory.EnumerateFiles(Path.GetFullPath(Path.Combine(folder, include[..^"/**/*.cs".Length])), "*.cs", SearchOption.AllDirectories)
                    : new[] { Path.GetFullPath(Path.Combine(folder, include)) };
            });
        return own.Concat(linked).Distinct().Order(StringComparer.Ordinal);
    }

    /// <summary>
    /// The global usings of the project's build (ImplicitUsings and its &lt;Using&gt; items), as MSBuild wrote them for the
    /// configuration the tests were built in (the test project's build builds every project it checks first).
    /// </summary>
    private static string GlobalUsingsOf(string folder, string projectPath)
    {
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var generated = Directory.Exists(Path.Combine(folder, "obj", configuration))
            ? Directory.GetFiles(Path.Combine(folder, "obj", configuration), "*.GlobalUsings.g.cs", SearchOption.AllDirectories)
            : Array.Empty<string>();
        Assert.HasCount(1, generated, $"{projectPath}: expected one obj/{configuration}/*/*.GlobalUsings.g.cs from its build, found {generated.Length}");
        return File.ReadAllText(generated[0]);
    }

    private static readonly Lazy<MetadataReference[]> references = new(() =>
    {
        // The runtime's assemblies, then every managed assembly of the test's output folder (TorchSharp, TorchLosses, the
        // projects the tests reference and their packages) that the runtime does not already provide.
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var names = platform.Select(Path.GetFileNameWithoutExtension).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var local = Directory.GetFiles(AppContext.BaseDirectory, "*.dll")
            .Where(path => !names.Contains(Path.GetFileNameWithoutExtension(path)) && IsManaged(path));
        return platform.Concat(local).Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)).ToArray();
    });

    private static bool IsManaged(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new PEReader(stream);
        return reader.HasMetadata;
    }

    private static CSharpCompilation Compile(string assemblyName, OutputKind kind, IEnumerable<SyntaxTree> trees)
    {
        // Referencing the built assembly of the project being compiled would make every type of it ambiguous.
        var others = references.Value.Where(r => !string.Equals(Path.GetFileNameWithoutExtension(r.Display), assemblyName, StringComparison.OrdinalIgnoreCase));
        var compilation = CSharpCompilation.Create(assemblyName, trees, others,
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.IsEmpty(errors, $"{assemblyName} does not compile for the detector (an unbound expression would hide a Scalar):\n" +
            string.Join("\n", errors.Take(20)));
        return compilation;
    }

    private static IReadOnlyList<Finding> OfCompilation(CSharpCompilation compilation)
    {
        var scalar = compilation.GetTypeByMetadataName("TorchSharp.Scalar");
        Assert.IsNotNull(scalar, "TorchSharp.Scalar is not among the references");
        var findings = new Dictionary<(string, int), Finding>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                if (model.GetOperation(node) is not { Parent: null } root) continue;
                foreach (var operation in root.DescendantsAndSelf())
                {
                    string? creator = Creator(operation, scalar);
                    if (creator is null || Owned(operation, scalar) || Reviewed(operation.Syntax)) continue;
                    var span = operation.Syntax.GetLocation().GetLineSpan();
                    findings[(tree.FilePath, operation.Syntax.SpanStart)] = new Finding(tree.FilePath, span.StartLinePosition.Line + 1,
                        span.StartLinePosition.Character + 1, operation.Syntax.ToString(), creator);
                }
            }
        }
        return findings.Values.OrderBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.Column).ToList();
    }

    /// <summary>What makes <paramref name="operation"/> create a Scalar nobody may hold, or null when it does not.</summary>
    private static string? Creator(IOperation operation, INamedTypeSymbol scalar) => operation switch
    {
        IConversionOperation { OperatorMethod: { } method } when SymbolEqualityComparer.Default.Equals(method.ContainingType, scalar) =>
            $"{(operation.IsImplicit ? "implicit" : "explicit")} conversion {method.Parameters[0].Type} → Scalar",
        IInvocationOperation invocation when SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ReturnType, scalar) =>
            $"a new Scalar from {invocation.TargetMethod.ContainingType.Name}.{invocation.TargetMethod.Name}",
        IInvocationOperation invocation when TorchSharpTemporaries.Creates(invocation.TargetMethod) is { } inside =>
            $"{invocation.TargetMethod.ContainingType.Name}.{invocation.TargetMethod.Name} makes a Scalar inside TorchSharp ({inside})",
        IBinaryOperation { OperatorMethod: { } method } when TorchSharpTemporaries.Creates(method) is { } inside =>
            $"operator {method.Name} makes a Scalar inside TorchSharp ({inside})",
        IUnaryOperation { OperatorMethod: { } method } when TorchSharpTemporaries.Creates(method) is { } inside =>
            $"operator {method.Name} makes a Scalar inside TorchSharp ({inside})",
        ICompoundAssignmentOperation { OperatorMethod: { } method } when TorchSharpTemporaries.Creates(method) is { } inside =>
            $"operator {method.Name} makes a Scalar inside TorchSharp ({inside})",
        IPropertyReferenceOperation { Property.GetMethod: { } getter } when TorchSharpTemporaries.Creates(getter) is { } inside =>
            $"{getter.ContainingType.Name}.{getter.Name} makes a Scalar inside TorchSharp ({inside})",
        _ => null,
    };

    /// <summary>The marker of a finding reviewed by hand, with its reason, on the line of the finding or the line above.</summary>
    internal const string ReviewedMarker = "// ScalarOwnership: ";

    private static bool Reviewed(SyntaxNode syntax)
    {
        var text = syntax.SyntaxTree.GetText();
        int line = syntax.GetLocation().GetLineSpan().StartLinePosition.Line;
        return Enumerable.Range(Math.Max(0, line - 1), line == 0 ? 1 : 2).Any(l =>
            text.Lines[l].ToString() is var content && content.IndexOf(ReviewedMarker, StringComparison.Ordinal) is var at && at >= 0 &&
            content[(at + ReviewedMarker.Length)..].Trim().Length >= 20);
    }

    /// <summary>Whether the Scalar <paramref name="creation"/> makes is held by an owner (see the class's summary).</summary>
    private static bool Owned(IOperation creation, INamedTypeSymbol scalar)
    {
        if (creation is not (IConversionOperation or IInvocationOperation { TargetMethod.ReturnType: INamedTypeSymbol }) ||
            !SymbolEqualityComparer.Default.Equals(creation.Type, scalar))
            return false;
        var value = creation;
        while (value.Parent is IParenthesizedOperation or IConversionOperation { OperatorMethod: null })
            value = value.Parent;
        switch (value.Parent)
        {
            case IFieldInitializerOperation field:
                return field.InitializedFields.All(f => f.IsStatic && f.IsReadOnly);
            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Parent: IVariableDeclarationOperation declaration } }:
                return declaration.Parent is IUsingOperation or IVariableDeclarationGroupOperation { Parent: IUsingOperation or IUsingDeclarationOperation };
            case IReturnOperation:
                var owner = value.SemanticModel!.GetEnclosingSymbol(value.Syntax.SpanStart);
                return owner is IMethodSymbol { MethodKind: not MethodKind.AnonymousFunction } method &&
                       SymbolEqualityComparer.Default.Equals(method.ReturnType, scalar);
            default:
                return false;
        }
    }
}

/// <summary>
/// The TorchSharp members that create a <see cref="Scalar"/> inside TorchSharp and pass it to libtorch unowned, found in
/// TorchSharp's IL: a method that calls a Scalar factory (a method returning a Scalar: the implicit conversions,
/// <c>ToScalar</c>) and never calls <c>Scalar.Dispose</c>, and every TorchSharp method that calls one of those in turn
/// (<c>operator +(Tensor, Tensor)</c> → <c>add(Tensor)</c> → <c>add(target, 1)</c>). Factories themselves (methods returning a
/// Scalar) hand ownership to their caller and are checked at the call site instead.
/// </summary>
internal static class TorchSharpTemporaries
{
    private static readonly Lazy<Dictionary<int, string>> creators = new(Find);

    /// <summary>
    /// Null when <paramref name="method"/> is not a TorchSharp member that creates an unowned Scalar; else the TorchSharp
    /// method that creates it.
    /// </summary>
    internal static string? Creates(IMethodSymbol method)
    {
        var definition = method.ReducedFrom ?? method;
        definition = definition.OriginalDefinition;
        if (definition.ContainingAssembly?.Name != "TorchSharp") return null;
        return creators.Value.TryGetValue(definition.MetadataToken, out var creator) ? creator : null;
    }

    private static readonly Dictionary<short, OpCode> opCodes = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!).ToDictionary(code => code.Value);

    private static Dictionary<int, string> Find()
    {
        var module = typeof(Scalar).Module;
        var scalar = typeof(Scalar);
        var dispose = scalar.GetMethod(nameof(Scalar.Dispose), Type.EmptyTypes)!;
        var methods = module.GetTypes()
            .SelectMany(type => type.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .OfType<MethodBase>()
            .ToList();

        var callers = new Dictionary<int, List<MethodBase>>();   // callee token → TorchSharp methods calling it
        var result = new Dictionary<int, string>();
        var pending = new Queue<MethodBase>();
        foreach (var method in methods)
        {
            var callees = Callees(method).ToList();
            foreach (var callee in callees.Where(c => c.Module == module))
            {
                if (!callers.TryGetValue(callee.MetadataToken, out var list)) callers[callee.MetadataToken] = list = new();
                list.Add(method);
            }
            bool factory = method is MethodInfo info && info.ReturnType == scalar;
            if (factory) continue;
            bool creates = callees.Any(c => c is MethodInfo info && info.ReturnType == scalar);
            bool disposes = callees.Any(c => c.MetadataToken == dispose.MetadataToken && c.Module == dispose.Module);
            if (creates && !disposes && result.TryAdd(method.MetadataToken, Name(method))) pending.Enqueue(method);
        }
        while (pending.Count > 0)
        {
            var method = pending.Dequeue();
            if (!callers.TryGetValue(method.MetadataToken, out var list)) continue;
            foreach (var caller in list)
                if (caller is not MethodInfo { ReturnType: var type } || type != scalar)
                    if (result.TryAdd(caller.MetadataToken, result[method.MetadataToken])) pending.Enqueue(caller);
        }
        return result;
    }

    private static string Name(MethodBase method) =>
        $"{method.DeclaringType?.Name}.{method.Name}({string.Join(", ", method.GetParameters().Select(p => p.ParameterType.Name))})";

    /// <summary>The methods <paramref name="method"/>'s IL calls (call, callvirt, newobj, ldftn).</summary>
    private static IEnumerable<MethodBase> Callees(MethodBase method)
    {
        byte[]? il;
        try { il = method.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException) { il = null; }
        if (il is null) yield break;
        var typeArguments = method.DeclaringType is { IsGenericType: true } type ? type.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int at = 0; at < il.Length;)
        {
            short value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var code = opCodes[value];
            int operand = code.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
                _ => 4,
            };
            if (code.OperandType == OperandType.InlineMethod)
            {
                MethodBase? callee = null;
                try { callee = method.Module.ResolveMethod(BitConverter.ToInt32(il, at), typeArguments, methodArguments); }
                catch (Exception e) when (e is ArgumentException or TypeLoadException or FileNotFoundException or BadImageFormatException or MissingMethodException) { }
                if (callee is not null)
                    yield return callee is MethodInfo { IsGenericMethod: true } generic && !generic.IsGenericMethodDefinition
                        ? generic.GetGenericMethodDefinition() : callee;
            }
            at += operand;
        }
    }
}
