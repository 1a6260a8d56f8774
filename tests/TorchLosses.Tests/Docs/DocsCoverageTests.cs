using System.Reflection;
using System.Text.RegularExpressions;

namespace TorchLossesTests.Docs;

/// <summary>
/// The book as a whole: every public loss has a checked section, every page has its test class and
/// is linked from the index, links resolve, snippets are all quoted, math delimiters balance, and
/// the commands in docs/README.md are the ones the root README runs.
/// </summary>
[TestClass]
public sealed partial class DocsCoverageTests
{
    internal const string Index = "docs/README.md";

    private static IReadOnlyList<DocPage> LossPages() => Repository.LossPages().Select(DocPage.Load).ToList();

    /// <summary>All Markdown files of docs/ (the index, the guide, the family pages).</summary>
    private static IEnumerable<DocPage> AllPages() =>
        Directory.GetFiles(Repository.PathOf("docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(path => DocPage.Load(Path.GetRelativePath(Repository.Root, path).Replace('\\', '/')));

    /// <summary>The public loss modules of the package: the classes of <c>TorchLosses.Modules</c>.</summary>
    internal static IReadOnlyList<string> PublicLossModules() =>
        typeof(TorchLosses.Modules.L1Loss).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == "TorchLosses.Modules" && t.IsClass && !t.IsAbstract)
            .Select(t => t.Name).Order(StringComparer.Ordinal).ToList();

    [TestMethod]
    public void EveryPublicLossModuleHasACheckedSection()
    {
        var modules = PublicLossModules();
        Assert.IsGreaterThanOrEqualTo(6, modules.Count, "the reflection finds the modules");
        DocPageTests.Report(Coverage.MissingSections(modules, LossPages()));
    }

    [TestMethod]
    public void EveryLossPageHasItsTestClass()
    {
        var testClasses = typeof(DocPageTests).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(DocPageTests)) && !t.IsAbstract)
            .Select(t => (Type: t, Page: PagePathOf(t)))
            .ToList();
        var failures = new List<string>();
        foreach (var page in Repository.LossPages())
        {
            var owners = testClasses.Where(c => c.Page == page).Select(c => c.Type.Name).ToList();
            if (owners.Count != 1) failures.Add($"{page} has {owners.Count} test classes ({string.Join(", ", owners)}); it needs exactly one deriving from DocPageTests");
        }
        foreach (var (type, page) in testClasses.Where(c => !File.Exists(Repository.PathOf(c.Page))))
            failures.Add($"{type.Name} checks {page}, which does not exist");
        DocPageTests.Report(failures);
    }

    private static string PagePathOf(Type testClass)
    {
        var instance = Activator.CreateInstance(testClass)!;
        var property = typeof(DocPageTests).GetProperty("PagePath", BindingFlags.Instance | BindingFlags.NonPublic)!;
        return (string)property.GetValue(instance)!;
    }

    [TestMethod]
    public void EveryLossPageIsLinkedFromTheIndex()
    {
        var index = DocPage.Load(Index);
        var linked = index.RelativeLinks().Select(l => NormalizedTarget(Index, l.target)).ToHashSet();
        DocPageTests.Report(Repository.LossPages().Where(p => !linked.Contains(p)).Select(p => $"{Index} does not link {p}").ToList());
    }

    [TestMethod]
    public void EveryRelativeLinkResolves()
    {
        var failures = new List<string>();
        foreach (var page in AllPages())
            foreach (var (line, path, fragment) in page.Links())
            {
                string file = path.Length == 0 ? page.RelativePath : NormalizedTarget(page.RelativePath, path);
                if (!File.Exists(Repository.PathOf(file)))
                    failures.Add($"{page.RelativePath}:{line}: '{path}' does not exist");
                else if (fragment.Length > 0 && file.EndsWith(".md", StringComparison.Ordinal) && !DocPage.Load(file).HeadingAnchors().Contains(fragment))
                    failures.Add($"{page.RelativePath}:{line}: '{file}' has no heading with the anchor #{fragment}");
            }
        DocPageTests.Report(failures);
    }

    private static string NormalizedTarget(string page, string target) =>
        Path.GetRelativePath(Repository.Root, Path.GetFullPath(Path.Combine(Repository.Root, Path.GetDirectoryName(page)!, target))).Replace('\\', '/');

    [TestMethod]
    public void EverySnippetRegionIsQuotedByAPage()
    {
        var sources = SnippetSources.Load();
        var quoted = AllPages().SelectMany(p => p.Snippets.Keys).ToHashSet();
        DocPageTests.Report(sources.Problems.Concat(sources.Regions.Keys.Where(name => !quoted.Contains(name))
            .Select(name => $"{sources.Regions[name].File}:{sources.Regions[name].Line}: snippet '{name}' is not quoted by any page")).ToList());
    }

    [TestMethod]
    public void MathDelimitersBalance() => DocPageTests.Report(AllPages().SelectMany(Coverage.UnbalancedMath).ToList());

    [TestMethod]
    public void TheIndexRunsWhatTheRootReadmeRuns()
    {
        string readme = File.ReadAllText(Repository.PathOf("README.md"));
        var commands = Coverage.ReadmeCommands(DocPage.Load(Index).Text).ToList();
        Assert.IsGreaterThanOrEqualTo(2, commands.Count, "the index shows how to run the tests and the parity report");
        DocPageTests.Report(commands.Where(c => !readme.Contains(c, StringComparison.Ordinal))
            .Select(c => $"{Index}: '{c}' is marked same-as-readme but is not a command of the root README.md").ToList());
    }

    [TestMethod]
    public void TheTourLinksEachLossToItsPage()
    {
        var sections = LossPages().SelectMany(p => p.Sections.Select(s => (Page: p.RelativePath, s.Heading))).ToList();
        var failures = new List<string>();
        foreach (var row in DocPage.Load(Index).Text.Split('\n').Where(l => l.StartsWith('|')))
            foreach (Match loss in BacktickedLoss().Matches(row))
            {
                string name = loss.Groups[1].Value;
                var home = sections.FirstOrDefault(s => Coverage.NamesLoss(s.Heading, name)).Page;
                bool linksHome = home is not null && row.Contains($"]({Path.GetRelativePath("docs", home).Replace('\\', '/')}", StringComparison.Ordinal);
                if (home is not null && !linksHome) failures.Add($"{Index}: the tour row of {name} does not link {home}");
                if (home is null && row.Contains("](losses/", StringComparison.Ordinal))
                    failures.Add($"{Index}: the tour row of {name} links a page, but no page has a section for {name}");
            }
        DocPageTests.Report(failures);
    }

    [GeneratedRegex(@"`([A-Za-z0-9]+Loss)`")]
    private static partial Regex BacktickedLoss();
}

/// <summary>The coverage rules as functions of their inputs, so that <see cref="DocMachineryTests"/> can show they fail.</summary>
internal static partial class Coverage
{
    /// <summary>Whether a heading names a loss as a whole word (MultiLabelSoftMarginLoss does not name SoftMarginLoss).</summary>
    internal static bool NamesLoss(string heading, string loss) => Regex.IsMatch(heading, $@"(?<![A-Za-z0-9]){Regex.Escape(loss)}(?![A-Za-z0-9])");

    /// <summary>Each module needs exactly one <c>## </c> section naming it, on some page, with at least one checked number.</summary>
    internal static List<string> MissingSections(IEnumerable<string> modules, IEnumerable<DocPage> pages)
    {
        var sections = pages.SelectMany(p => p.Sections.Select(s => (Page: p, Section: s))).ToList();
        var failures = new List<string>();
        foreach (var module in modules)
        {
            var homes = sections.Where(s => NamesLoss(s.Section.Heading, module)).ToList();
            if (homes.Count == 0)
                failures.Add($"{module} has no '## {module}' section on any page under docs/losses/ (see docs/contributing-a-page.md)");
            else if (homes.Count > 1)
                failures.Add($"{module} is named by {homes.Count} '## ' headings: {string.Join(", ", homes.Select(h => $"{h.Page.RelativePath}:{h.Section.Line}"))}");
            else if (!CheckAnchor().IsMatch(homes[0].Section.Body))
                failures.Add($"{homes[0].Page.RelativePath}:{homes[0].Section.Line}: the section of {module} states no checked number");
        }
        return failures;
    }

    [GeneratedRegex(@"<!--\s*check:")]
    private static partial Regex CheckAnchor();

    /// <summary>Paragraphs (outside code blocks and code spans) with an odd number of unescaped $ signs: unclosed math.</summary>
    internal static IEnumerable<string> UnbalancedMath(DocPage page)
    {
        var lines = page.Text.Split('\n').Append("").ToArray();
        bool inFence = false;
        int count = 0, start = 1;
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("```", StringComparison.Ordinal)) inFence = !inFence;
            else if (!inFence && lines[i].Trim().Length > 0) count += Dollar().Count(CodeSpan().Replace(lines[i], ""));
            if (inFence || lines[i].Trim().Length > 0) continue;
            if (count % 2 != 0) yield return $"{page.RelativePath}:{start}: the paragraph has an odd number of $ (unclosed math)";
            count = 0;
            start = i + 2;
        }
    }

    [GeneratedRegex(@"(?<!\\)\$")]
    private static partial Regex Dollar();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex CodeSpan();

    /// <summary>The lines of the code blocks that follow a <c>&lt;!-- same-as-readme --&gt;</c> marker.</summary>
    internal static IEnumerable<string> ReadmeCommands(string markdown)
    {
        var lines = markdown.Split('\n');
        for (int i = 0; i + 1 < lines.Length; i++)
        {
            if (lines[i].Trim() != "<!-- same-as-readme -->" || !lines[i + 1].StartsWith("```", StringComparison.Ordinal)) continue;
            for (int j = i + 2; j < lines.Length && !lines[j].StartsWith("```", StringComparison.Ordinal); j++)
                if (lines[j].Trim().Length > 0) yield return lines[j].Trim();
        }
    }
}
