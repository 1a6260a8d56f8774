namespace TorchLossesTests.Docs;

/// <summary>
/// The doc checks can fail: a drifted number, a rounded number shown as exact, a missing computation,
/// an edited snippet, an untested identity, a loss without a section. Each case feeds the checker a
/// small made-up page and expects it to complain.
/// </summary>
[TestClass]
public sealed class DocMachineryTests
{
    private static List<string> Values(string markdown, Checks checks) => DocChecks.CompareValues(DocPage.FromText(markdown), checks);

    [TestMethod]
    public void ADriftedNumberFails()
    {
        var failures = Values("The mean is <!-- check:mean --> 0.875.", new() { { "mean", () => 0.125 } });
        Assert.HasCount(1, failures);
        StringAssert.Contains(failures[0], "prints '0.875', the code computes [0.125]");
        Assert.IsEmpty(Values("The mean is <!-- check:mean --> 0.125.", new() { { "mean", () => 0.125 } }));
    }

    [TestMethod]
    public void RoundedNumbersNeedTheApproximateMark()
    {
        var third = new Checks { { "third", () => 1.0 / 3 } };
        Assert.HasCount(1, Values("<!-- check:third --> 0.3333", third), "unmarked means exact");
        Assert.IsEmpty(Values("<!-- check:third --> ≈ 0.3333", third));
        Assert.IsEmpty(Values("$1/3 \\approx$ <!-- check:third --> 0.3333", third), "\\approx before the anchor");
        Assert.IsEmpty(Values("one third ≈ <!-- check:third --> 0.333", third));
        Assert.HasCount(1, Values("<!-- check:third --> ≈ 0.3334", third), "rounded wrongly");
        Assert.HasCount(1, Values("<!-- check:third --> ≈ 0.33", new Checks { { "third", () => 0.336 } }), "0.336 shows as 0.34");
    }

    [TestMethod]
    public void ListsNaNAndInfinityParse()
    {
        var page = DocPage.FromText("a <!-- check:a --> [-1, 0.5, −2] b <!-- check:b --> NaN c <!-- check:c --> ∞ d <!-- check:d --> $-0.25$");
        Assert.IsEmpty(page.Problems);
        CollectionAssert.AreEqual(new[] { -1, 0.5, -2 }, page.Claims["a"].Values.Select(v => v.Value).ToArray());
        Assert.IsEmpty(DocChecks.CompareValues(page, new()
        {
            { "a", () => new[] { -1, 0.5, -2 } },
            { "b", () => double.NaN },
            { "c", () => double.PositiveInfinity },
            { "d", () => -0.25 },
        }));
        Assert.HasCount(1, DocChecks.CompareValues(page, new()
        {
            { "a", () => new[] { -1, 0.5 } },
            { "b", () => double.NaN },
            { "c", () => double.PositiveInfinity },
            { "d", () => -0.25 },
        }), "a list of the wrong length");
    }

    [TestMethod]
    public void MissingAndStaleComputationsFail()
    {
        var failures = Values("<!-- check:stated --> 1", new() { { "computed", () => 1.0 } });
        Assert.HasCount(2, failures);
        Assert.IsTrue(failures.Any(f => f.Contains("no test computes it", StringComparison.Ordinal)));
        Assert.IsTrue(failures.Any(f => f.Contains("not marked on the page", StringComparison.Ordinal)));
        Assert.HasCount(1, Values("<!-- check:thrown --> 1", new() { { "thrown", (Func<double>)(() => throw new InvalidOperationException("boom")) } }));
    }

    [TestMethod]
    public void MalformedMarkersAreProblems()
    {
        Assert.HasCount(1, DocPage.FromText("<!-- check:x --> about one").Problems, "no number");
        Assert.HasCount(1, DocPage.FromText("<!-- check:x --> 1 and <!-- check:x --> 2").Problems, "a name twice");
        Assert.HasCount(1, DocPage.FromText("<!-- snippet:s -->\ntext\n").Problems, "a snippet marker without code");
        Assert.HasCount(1, DocPage.FromText("```csharp\nvar x = 1;\n```\n").UnquotedCodeBlocks().ToList(), "C# not quoted from a snippet");
    }

    [TestMethod]
    public void AnEditedSnippetFails()
    {
        var sources = new SnippetSources();
        sources.Read("docs/snippets/Example.cs", "class C\n{\n    void M()\n    {\n        // snippet:demo\n        var x = 1;\n        // end-snippet\n    }\n}\n");
        Assert.IsEmpty(sources.Problems);
        Assert.AreEqual("var x = 1;", sources.Regions["demo"].Code, "de-indented");
        Assert.IsEmpty(DocChecks.CompareSnippets(DocPage.FromText("<!-- snippet:demo -->\n```csharp\nvar x = 1;\n```\n"), sources));
        Assert.HasCount(1, DocChecks.CompareSnippets(DocPage.FromText("<!-- snippet:demo -->\n```csharp\nvar x = 2;\n```\n"), sources));
        Assert.HasCount(1, DocChecks.CompareSnippets(DocPage.FromText("<!-- snippet:other -->\n```csharp\nvar x = 1;\n```\n"), sources));
    }

    [TestMethod]
    public void AnIdentityWithoutItsTestFails()
    {
        var proved = typeof(RegressionPageTests).GetMethods()
            .SelectMany(m => m.GetCustomAttributes(typeof(DocIdentityAttribute), false).Cast<DocIdentityAttribute>())
            .Select(a => $"<!-- identity:{a.Name} -->").ToList();
        Assert.IsNotEmpty(proved);
        string all = string.Join("\n", proved);
        Assert.IsEmpty(DocChecks.CompareIdentities(DocPage.FromText(all), typeof(RegressionPageTests)));
        Assert.HasCount(1, DocChecks.CompareIdentities(DocPage.FromText(all + "\n<!-- identity:claimed_but_untested -->"), typeof(RegressionPageTests)));
        Assert.HasCount(1, DocChecks.CompareIdentities(DocPage.FromText(string.Join("\n", proved.Skip(1))), typeof(RegressionPageTests)),
            "a test of an identity the page no longer states");
    }

    [TestMethod]
    public void ALossWithoutACheckedSectionFails()
    {
        var page = DocPage.FromText("# Page\n\n## HuberLoss\n\nValue <!-- check:v --> 1.\n\n## SmoothL1Loss\n\nNo numbers.\n\n## MultiLabelSoftMarginLoss\n\n<!-- check:w --> 2\n");
        var failures = Coverage.MissingSections(new[] { "HuberLoss", "SmoothL1Loss", "SoftMarginLoss", "MultiLabelSoftMarginLoss" }, new[] { page });
        Assert.HasCount(2, failures, string.Join("\n", failures));
        Assert.IsTrue(failures.Any(f => f.Contains("SmoothL1Loss states no checked number", StringComparison.Ordinal)));
        Assert.IsTrue(failures.Any(f => f.StartsWith("SoftMarginLoss has no", StringComparison.Ordinal)), "a longer name does not count");
    }

    [TestMethod]
    public void HeadingAnchorsFollowGitHub()
    {
        var anchors = DocPage.FromText("# Regression losses: L1, MSE\n\n## β = 0 and the kinks\n\n```\n# not a heading\n```\n\n## Limits\n\n## Limits\n").HeadingAnchors();
        CollectionAssert.AreEquivalent(new[] { "regression-losses-l1-mse", "β--0-and-the-kinks", "limits", "limits-1" }, anchors.ToList());
    }

    [TestMethod]
    public void UnclosedMathFails()
    {
        Assert.IsEmpty(Coverage.UnbalancedMath(DocPage.FromText("Fine $a$ and\n\n$$\nx = 1\n$$\n\n`$` in code")).ToList());
        Assert.HasCount(1, Coverage.UnbalancedMath(DocPage.FromText("Broken $a and b\n\nnext")).ToList());
    }
}
