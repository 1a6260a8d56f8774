using System.Globalization;
using System.Text.RegularExpressions;

namespace TorchLossesTests.Docs;

/// <summary>
/// A Markdown page of the docs, parsed for the markers that tie it to the code:
/// <list type="bullet">
/// <item><c>&lt;!-- check:NAME --&gt;</c> followed by a number or a bracketed list of numbers: a value the
/// page states and a test computes. The value is exact unless the anchor is preceded by ≈ (or
/// <c>\approx</c>) or followed by ≈; then it is the computed value rounded to the printed digits.</item>
/// <item><c>&lt;!-- identity:NAME --&gt;</c>: an identity or property the page states; a test method of the
/// page's test class carries <see cref="DocIdentityAttribute"/> with that name.</item>
/// <item><c>&lt;!-- snippet:NAME --&gt;</c> followed by a <c>```csharp</c> block: code quoted from the region
/// <c>// snippet:NAME</c> … <c>// end-snippet</c> of a file in <c>docs/snippets/</c>.</item>
/// </list>
/// </summary>
internal sealed partial class DocPage
{
    /// <summary>One stated value: its printed numbers and whether they are rounded.</summary>
    internal sealed record Claim(string Name, int Line, IReadOnlyList<PrintedNumber> Values, bool Approximate, string Printed);

    /// <summary>A number as printed: its value and the number of decimals shown.</summary>
    internal readonly record struct PrintedNumber(double Value, int Decimals);

    /// <summary>A <c>## </c> section: its heading and the text up to the next heading of level 1 or 2.</summary>
    internal sealed record Section(string Heading, int Line, string Body);

    private DocPage(string relativePath, string text)
    {
        RelativePath = relativePath;
        Text = text.Replace("\r\n", "\n");
        Masked = MaskCode(Text);
        Problems = new List<string>();
        Claims = ParseClaims();
        Identities = ParseNames(IdentityAnchor());
        Snippets = ParseSnippets();
        Sections = ParseSections();
    }

    /// <summary>The path relative to the repository root, with forward slashes.</summary>
    internal string RelativePath { get; }

    internal string Text { get; }

    /// <summary>
    /// <see cref="Text"/> with fenced code blocks and code spans blanked out (same length and lines),
    /// so that markers shown as examples in code are not read as markers.
    /// </summary>
    private string Masked { get; }

    private static string MaskCode(string text)
    {
        var lines = text.Split('\n');
        bool inFence = false;
        for (int i = 0; i < lines.Length; i++)
        {
            bool fence = lines[i].StartsWith("```", StringComparison.Ordinal);
            if (fence || inFence) lines[i] = new string(' ', lines[i].Length);
            else lines[i] = CodeSpan().Replace(lines[i], m => new string(' ', m.Length));
            if (fence) inFence = !inFence;
        }
        return string.Join('\n', lines);
    }

    [GeneratedRegex(@"(`+)[^`].*?\1")]
    private static partial Regex CodeSpan();

    /// <summary>Malformed markers found while parsing (each one fails the page's tests).</summary>
    internal List<string> Problems { get; }

    internal IReadOnlyDictionary<string, Claim> Claims { get; }

    internal IReadOnlyList<string> Identities { get; }

    /// <summary>Quoted snippets by name: the code block that follows each snippet marker.</summary>
    internal IReadOnlyDictionary<string, string> Snippets { get; }

    internal IReadOnlyList<Section> Sections { get; }

    /// <summary>Loads a page from the repository (path relative to the root).</summary>
    internal static DocPage Load(string relativePath) =>
        new(relativePath, File.ReadAllText(Path.Combine(Repository.Root, relativePath)));

    /// <summary>Parses Markdown text that is not a file (for the machinery's own tests).</summary>
    internal static DocPage FromText(string text, string name = "inline.md") => new(name, text);

    [GeneratedRegex(@"<!--\s*check:([A-Za-z0-9_]+)\s*-->")]
    private static partial Regex CheckAnchor();

    [GeneratedRegex(@"<!--\s*identity:([A-Za-z0-9_]+)\s*-->")]
    private static partial Regex IdentityAnchor();

    [GeneratedRegex(@"<!--\s*snippet:([A-Za-z0-9_]+)\s*-->")]
    private static partial Regex SnippetAnchor();

    /// <summary>A number as the pages print it: ASCII or Unicode minus, decimals, an exponent, ∞ or NaN.</summary>
    [GeneratedRegex(@"^(?<sign>[-−]?)(?:(?<digits>\d+(?:\.(?<fraction>\d+))?(?:[eE][-−+]?\d+)?)|(?<inf>∞)|(?<nan>NaN))")]
    private static partial Regex Number();

    private int LineOf(int index) => Text.AsSpan(0, index).Count('\n') + 1;

    private Dictionary<string, Claim> ParseClaims()
    {
        var claims = new Dictionary<string, Claim>();
        foreach (Match anchor in CheckAnchor().Matches(Masked))
        {
            string name = anchor.Groups[1].Value;
            int line = LineOf(anchor.Index);
            var claim = ParseClaim(name, line, Text[..anchor.Index], Text[(anchor.Index + anchor.Length)..]);
            if (claim is null) continue;
            if (!claims.TryAdd(name, claim)) Problems.Add($"{RelativePath}:{line}: check '{name}' appears twice");
        }
        return claims;
    }

    private Claim? ParseClaim(string name, int line, string before, string after)
    {
        string lead = before.TrimEnd(' ', '$', '\n');
        bool approximate = lead.EndsWith('≈') || lead.EndsWith(@"\approx", StringComparison.Ordinal);
        int position = Skip(after, 0);
        if (position < after.Length && after[position] == '≈')
        {
            approximate = true;
            position = Skip(after, position + 1);
        }

        var values = new List<PrintedNumber>();
        int start = position;
        if (position < after.Length && after[position] == '[')
        {
            int close = after.IndexOf(']', position);
            if (close < 0)
            {
                Problems.Add($"{RelativePath}:{line}: check '{name}': unclosed list");
                return null;
            }
            foreach (var item in after[(position + 1)..close].Split(','))
            {
                var number = ParseNumber(item.Trim(), out int used);
                if (number is null || used != item.Trim().Length)
                {
                    Problems.Add($"{RelativePath}:{line}: check '{name}': '{item.Trim()}' is not a number");
                    return null;
                }
                values.Add(number.Value);
            }
            position = close + 1;
        }
        else
        {
            var number = ParseNumber(after[position..], out int used);
            if (number is null)
            {
                string context = after[position..Math.Min(after.Length, position + 20)];
                Problems.Add($"{RelativePath}:{line}: check '{name}' is not followed by a number (found '{context}')");
                return null;
            }
            values.Add(number.Value);
            position += used;
        }
        return new Claim(name, line, values, approximate, after[start..position]);
    }

    /// <summary>Skips the characters that may sit between an anchor and its number: spaces, math and emphasis delimiters.</summary>
    private static int Skip(string text, int position)
    {
        while (position < text.Length && (text[position] is ' ' or '$' or '*' or '`' or '\n')) position++;
        return position;
    }

    private static PrintedNumber? ParseNumber(string text, out int used)
    {
        used = 0;
        var match = Number().Match(text);
        if (!match.Success) return null;
        used = match.Length;
        double sign = match.Groups["sign"].Length > 0 ? -1 : 1;
        if (match.Groups["nan"].Success) return new PrintedNumber(double.NaN, 0);
        if (match.Groups["inf"].Success) return new PrintedNumber(sign * double.PositiveInfinity, 0);
        string digits = match.Groups["digits"].Value.Replace('−', '-');
        double value = double.Parse(digits, NumberStyles.Float, CultureInfo.InvariantCulture);
        return new PrintedNumber(sign * value, match.Groups["fraction"].Length);
    }

    private List<string> ParseNames(Regex anchor)
    {
        var names = new List<string>();
        foreach (Match match in anchor.Matches(Masked))
        {
            string name = match.Groups[1].Value;
            if (names.Contains(name)) Problems.Add($"{RelativePath}:{LineOf(match.Index)}: '{name}' is marked twice");
            else names.Add(name);
        }
        return names;
    }

    private Dictionary<string, string> ParseSnippets()
    {
        var snippets = new Dictionary<string, string>();
        foreach (Match anchor in SnippetAnchor().Matches(Masked))
        {
            string name = anchor.Groups[1].Value;
            int line = LineOf(anchor.Index);
            var rest = Text[(anchor.Index + anchor.Length)..].TrimStart(' ').Split('\n');
            // rest[0] is what follows the marker on its line (nothing); the fence must open on the next line.
            if (rest.Length < 3 || rest[0].Length != 0 || rest[1] != "```csharp")
            {
                Problems.Add($"{RelativePath}:{line}: snippet '{name}' must be followed directly by a ```csharp block");
                continue;
            }
            int end = Array.IndexOf(rest, "```", 2);
            if (end < 0)
            {
                Problems.Add($"{RelativePath}:{line}: snippet '{name}': the code block is not closed");
                continue;
            }
            if (!snippets.TryAdd(name, string.Join('\n', rest[2..end])))
                Problems.Add($"{RelativePath}:{line}: snippet '{name}' is quoted twice on the page");
        }
        return snippets;
    }

    /// <summary>The fenced C# blocks of the page that no snippet marker introduces.</summary>
    internal IEnumerable<int> UnquotedCodeBlocks()
    {
        var lines = Text.Split('\n');
        bool inFence = false;
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("```", StringComparison.Ordinal)) continue;
            if (!inFence && lines[i].StartsWith("```cs", StringComparison.Ordinal)
                && (i == 0 || !SnippetAnchor().IsMatch(lines[i - 1])))
                yield return i + 1;
            inFence = !inFence;
        }
    }

    private List<Section> ParseSections()
    {
        var sections = new List<Section>();
        var lines = Text.Split('\n');
        bool inFence = false;
        int current = -1;
        var body = new List<string>();
        void Close()
        {
            if (current >= 0) sections.Add(new Section(lines[current][3..].Trim(), current + 1, string.Join('\n', body)));
            body.Clear();
        }
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("```", StringComparison.Ordinal)) inFence = !inFence;
            bool heading = !inFence && (lines[i].StartsWith("## ", StringComparison.Ordinal) || lines[i].StartsWith("# ", StringComparison.Ordinal));
            if (heading)
            {
                Close();
                current = lines[i].StartsWith("## ", StringComparison.Ordinal) ? i : -1;
            }
            else if (current >= 0) body.Add(lines[i]);
        }
        Close();
        return sections;
    }

    /// <summary>The relative links of the page (Markdown <c>[text](target)</c> and images), without their #fragment.</summary>
    internal IEnumerable<(int line, string target)> RelativeLinks() =>
        Links().Where(l => l.path.Length > 0).Select(l => (l.line, l.path));

    /// <summary>
    /// Every link of the page outside code that is not absolute: its path (empty for a link within the
    /// page) and its #fragment (empty when there is none).
    /// </summary>
    internal IEnumerable<(int line, string path, string fragment)> Links()
    {
        foreach (Match match in Link().Matches(Masked))
        {
            string target = Text.Substring(match.Groups[1].Index, match.Groups[1].Length);
            if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal)) continue;
            int hash = target.IndexOf('#');
            yield return (LineOf(match.Index), hash >= 0 ? target[..hash] : target, hash >= 0 ? target[(hash + 1)..] : "");
        }
    }

    /// <summary>The anchors GitHub gives the page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered.</summary>
    internal IReadOnlySet<string> HeadingAnchors()
    {
        var anchors = new HashSet<string>();
        var lines = Text.Split('\n');
        var masked = Masked.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (masked[i].Trim().Length == 0) continue;   // inside a code block
            var heading = Heading().Match(lines[i]);
            if (!heading.Success) continue;
            string slug = string.Concat(heading.Groups[1].Value.Trim().ToLowerInvariant()
                .Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_')).Replace(' ', '-');
            string unique = slug;
            for (int n = 1; !anchors.Add(unique); n++) unique = $"{slug}-{n}";
        }
        return anchors;
    }

    [GeneratedRegex(@"^#{1,6} (.*)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex Link();
}

/// <summary>Where the repository is: the nearest directory above the test binaries that holds TorchLosses.sln.</summary>
internal static class Repository
{
    private static readonly Lazy<string> root = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "TorchLosses.sln"))) return directory.FullName;
        throw new InvalidOperationException($"no TorchLosses.sln above {AppContext.BaseDirectory}");
    });

    internal static string Root => root.Value;

    internal static string PathOf(string relativePath) => Path.Combine(Root, relativePath);

    /// <summary>The docs pages of the loss families, relative to the root.</summary>
    internal static IEnumerable<string> LossPages() =>
        Directory.GetFiles(PathOf("docs/losses"), "*.md").Order(StringComparer.Ordinal)
            .Select(path => Path.GetRelativePath(Root, path).Replace('\\', '/'));
}
