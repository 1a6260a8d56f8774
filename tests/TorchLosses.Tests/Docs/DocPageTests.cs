using System.Collections;
using System.Globalization;
using System.Reflection;

namespace TorchLossesTests.Docs;

/// <summary>Marks the test method that proves an identity a page states with <c>&lt;!-- identity:NAME --&gt;</c>.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class DocIdentityAttribute(string name) : Attribute
{
    /// <summary>The identity's name on the page.</summary>
    public string Name { get; } = name;
}

/// <summary>
/// The values a page states, by check name, each computed by TorchLosses. A collection initializer
/// takes <c>{ "name", () =&gt; value }</c> for one number and <c>{ "name", () =&gt; values }</c> for a list.
/// </summary>
public sealed class Checks : IEnumerable<KeyValuePair<string, Func<double[]>>>
{
    private readonly Dictionary<string, Func<double[]>> computations = new();

    public void Add(string name, Func<double> compute) => computations.Add(name, () => new[] { compute() });

    public void Add(string name, Func<double[]> compute) => computations.Add(name, compute);

    public IEnumerator<KeyValuePair<string, Func<double[]>>> GetEnumerator() => computations.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// The checks every loss-family page gets: each number marked on the page equals the value the code
/// computes, each marked identity has its test, each quoted snippet is the compiled code, and the
/// page's markers parse. A page's test class derives from this, names its page, and lists its values.
/// </summary>
public abstract class DocPageTests
{
    /// <summary>The page, relative to the repository root (e.g. "docs/losses/regression.md").</summary>
    protected abstract string PagePath { get; }

    /// <summary>How each number marked on the page is computed.</summary>
    protected abstract Checks Values();

    [TestMethod]
    public void EveryNumberOnThePageIsComputedByTheCode() =>
        Report(DocChecks.CompareValues(DocPage.Load(PagePath), Values()));

    [TestMethod]
    public void EveryIdentityOnThePageHasItsTest() =>
        Report(DocChecks.CompareIdentities(DocPage.Load(PagePath), GetType()));

    [TestMethod]
    public void EverySnippetOnThePageIsCompiledCode() =>
        Report(DocChecks.CompareSnippets(DocPage.Load(PagePath), SnippetSources.Load()));

    [TestMethod]
    public void ThePageMarkersParse()
    {
        var page = DocPage.Load(PagePath);
        Report(page.Problems.Concat(page.UnquotedCodeBlocks().Select(line =>
            $"{page.RelativePath}:{line}: a C# block without a snippet marker (quote code from docs/snippets instead)")).ToList());
    }

    internal static void Report(IReadOnlyCollection<string> failures)
    {
        if (failures.Count > 0) Assert.Fail($"{failures.Count} problem(s):\n" + string.Join('\n', failures));
    }
}

/// <summary>The comparisons behind <see cref="DocPageTests"/>, returning failures as text (so they can be tested themselves).</summary>
internal static class DocChecks
{
    /// <summary>Compares every stated value with its computation, and reports computations the page does not state.</summary>
    internal static List<string> CompareValues(DocPage page, Checks values)
    {
        var failures = new List<string>();
        var computations = values.ToDictionary(pair => pair.Key, pair => pair.Value);
        foreach (var claim in page.Claims.Values.OrderBy(c => c.Line))
        {
            string where = $"{page.RelativePath}:{claim.Line}: {claim.Name}";
            if (!computations.TryGetValue(claim.Name, out var compute))
            {
                failures.Add($"{where}: the page states '{claim.Printed}' but no test computes it");
                continue;
            }
            double[] computed;
            try
            {
                using var scope = torch.NewDisposeScope();
                computed = compute();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failures.Add($"{where}: computing it failed: {e.GetType().Name}: {e.Message}");
                continue;
            }
            string? mismatch = Compare(claim, computed);
            if (mismatch is not null) failures.Add($"{where}: {mismatch}");
        }
        foreach (var name in computations.Keys.Where(name => !page.Claims.ContainsKey(name)))
            failures.Add($"{page.RelativePath}: '{name}' is computed by the test but not marked on the page");
        return failures;
    }

    /// <summary>Null when the computed values match what is printed, otherwise why not.</summary>
    internal static string? Compare(DocPage.Claim claim, double[] computed)
    {
        string shown = string.Join(", ", computed.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        if (computed.Length != claim.Values.Count)
            return $"the page prints {claim.Values.Count} value(s) '{claim.Printed}', the code computes {computed.Length}: [{shown}]";
        for (int i = 0; i < computed.Length; i++)
        {
            var printed = claim.Values[i];
            if (!Matches(printed, computed[i], claim.Approximate))
                return $"the page prints '{claim.Printed}', the code computes [{shown}]"
                    + (claim.Approximate ? $" (value {i + 1} rounded to {printed.Decimals} decimals differs)" : $" (value {i + 1} differs; mark rounded values with ≈)");
        }
        return null;
    }

    private static bool Matches(DocPage.PrintedNumber printed, double computed, bool approximate)
    {
        if (double.IsNaN(printed.Value) || double.IsNaN(computed)) return double.IsNaN(printed.Value) && double.IsNaN(computed);
        if (double.IsInfinity(printed.Value) || double.IsInfinity(computed)) return printed.Value == computed;
        double tolerance = approximate
            ? 0.5 * Math.Pow(10, -printed.Decimals) * (1 + 1e-9)
            : 1e-12 * Math.Max(1, Math.Abs(printed.Value));
        return Math.Abs(computed - printed.Value) <= tolerance;
    }

    /// <summary>Every identity marked on the page has exactly one test method in <paramref name="testClass"/>, and vice versa.</summary>
    internal static List<string> CompareIdentities(DocPage page, Type testClass)
    {
        var failures = new List<string>();
        var tests = testClass.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .SelectMany(m => m.GetCustomAttributes<DocIdentityAttribute>().Select(a => (a.Name, Method: m)))
            .ToList();
        foreach (var (name, method) in tests)
            if (method.GetCustomAttribute<TestMethodAttribute>() is null)
                failures.Add($"{testClass.Name}.{method.Name} proves '{name}' but is not a [TestMethod]");
        foreach (var group in tests.GroupBy(t => t.Name).Where(g => g.Count() > 1))
            failures.Add($"identity '{group.Key}' has {group.Count()} tests in {testClass.Name}");
        var tested = tests.Select(t => t.Name).ToHashSet();
        foreach (var name in page.Identities.Where(n => !tested.Contains(n)))
            failures.Add($"{page.RelativePath}: identity '{name}' has no [DocIdentity(\"{name}\")] test in {testClass.Name}");
        foreach (var name in tested.Where(n => !page.Identities.Contains(n)))
            failures.Add($"{testClass.Name} proves identity '{name}', which {page.RelativePath} does not mark");
        return failures;
    }

    /// <summary>Every snippet quoted on the page exists in docs/snippets and is quoted byte for byte.</summary>
    internal static List<string> CompareSnippets(DocPage page, SnippetSources sources)
    {
        var failures = new List<string>(sources.Problems);
        foreach (var (name, quoted) in page.Snippets)
        {
            if (!sources.Regions.TryGetValue(name, out var region))
                failures.Add($"{page.RelativePath}: snippet '{name}' has no region '// snippet:{name}' in docs/snippets");
            else if (region.Code != quoted)
                failures.Add($"{page.RelativePath}: snippet '{name}' differs from {region.File}:\n--- page\n{quoted}\n--- {region.File}\n{region.Code}");
        }
        return failures;
    }
}

/// <summary>
/// The snippet regions, <c>// snippet:NAME</c> … <c>// end-snippet</c> (de-indented), of the compiled files
/// the docs may quote: docs/snippets (the pages' code) and tests/TorchLosses.Tests/Docs (the page tests,
/// quoted by docs/contributing-a-page.md).
/// </summary>
internal sealed class SnippetSources
{
    internal sealed record Region(string File, int Line, string Code);

    internal Dictionary<string, Region> Regions { get; } = new();

    internal List<string> Problems { get; } = new();

    internal static SnippetSources Load()
    {
        var sources = new SnippetSources();
        var files = Directory.GetFiles(Repository.PathOf("docs/snippets"), "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Repository.PathOf("tests/TorchLosses.Tests/Docs"), "*.cs"));
        foreach (var path in files.Order(StringComparer.Ordinal))
            sources.Read(Path.GetRelativePath(Repository.Root, path).Replace('\\', '/'), File.ReadAllText(path));
        return sources;
    }

    internal void Read(string file, string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        string? name = null;
        int start = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.StartsWith("// snippet:", StringComparison.Ordinal))
            {
                if (name is not null) Problems.Add($"{file}:{i + 1}: snippet '{line[11..]}' starts inside snippet '{name}'");
                name = line[11..].Trim();
                start = i + 1;
            }
            else if (line == "// end-snippet")
            {
                if (name is null)
                {
                    Problems.Add($"{file}:{i + 1}: end-snippet without a start");
                    continue;
                }
                if (!Regions.TryAdd(name, new Region(file, start, Dedent(lines[start..i]))))
                    Problems.Add($"{file}:{i + 1}: snippet '{name}' is defined twice");
                name = null;
            }
        }
        if (name is not null) Problems.Add($"{file}: snippet '{name}' has no end-snippet");
    }

    private static string Dedent(string[] lines)
    {
        int indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart(' ').Length).DefaultIfEmpty(0).Min();
        return string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart(' ')));
    }
}
