using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Xml.Linq;
using TorchLossesTests.Docs;

namespace TorchLossesTests.Build;

/// <summary>
/// What a user does on day one, end to end: <c>dotnet pack src/TorchLosses</c> into a temporary folder, a fresh console
/// project outside the repository (so no Directory.*.props, no project reference) that takes TorchLosses from that folder
/// and TorchSharp-cpu from the repository's feed, built with the package's libstdc++ opt-in
/// (<c>TorchSharpLibStdCxxCompat</c>, so TorchSharp's native glue loads on Debian 12), and run: a few training steps
/// with <c>TorchLosses.nn.SmoothL1Loss</c>, whose loss must fall.
/// </summary>
[TestClass]
public sealed class PackageConsumerTests
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(10);

    [TestMethod]
    public void APackedTorchLossesTrainsAModelInAFreshProject()
    {
        var work = Directory.CreateTempSubdirectory("torchlosses-consumer-");
        try
        {
            // A version of its own (0.1.0-consumertest.<ticks>), so no NuGet cache can hand back an older build of the package.
            string suffix = "consumertest." + DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture);
            string version = $"{RepositoryVersion()}-{suffix}";
            string feed = Directory.CreateDirectory(Path.Combine(work.FullName, "feed")).FullName;
            string scratch = Path.Combine(work.FullName, "pack");
            // Built in a scratch folder of its own: the repository's bin/ and obj/ stay as the test run built them (and, no
            // longer the intermediate folder, obj/ has to be kept out of the source globs by hand).
            Run("pack", work.FullName, "pack", Repository.PathOf("src/TorchLosses/TorchLosses.csproj"), "-c", "Release", "-o", feed,
                $"-p:VersionSuffix={suffix}", $"-p:BaseIntermediateOutputPath={scratch}/obj/", $"-p:BaseOutputPath={scratch}/bin/",
                "-p:DefaultItemExcludes=obj/**");

            string package = Path.Combine(feed, $"TorchLosses.{version}.nupkg");
            Assert.IsTrue(File.Exists(package), $"dotnet pack did not make {package}; the feed has: {string.Join(", ", Directory.GetFiles(feed).Select(Path.GetFileName))}");
            Assert.IsTrue(File.Exists(Path.ChangeExtension(package, ".snupkg")), "dotnet pack made no symbols package (.snupkg)");
            AssertPackageContents(package);

            string consumer = Directory.CreateDirectory(Path.Combine(work.FullName, "Consumer")).FullName;
            File.WriteAllText(Path.Combine(consumer, "nuget.config"), NuGetConfig(feed, Path.Combine(work.FullName, "packages")));
            File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), ConsumerProject(version));
            File.WriteAllText(Path.Combine(consumer, "Program.cs"), ConsumerProgram);
            Run("build", consumer, "build", "-c", "Release");
            string output = Run("run", consumer, "run", "-c", "Release", "--no-build");

            var losses = output.Split('\n').Where(l => l.StartsWith("loss ", StringComparison.Ordinal))
                .Select(l => double.Parse(l.Split(' ')[2], CultureInfo.InvariantCulture)).ToList();
            Assert.HasCount(40, losses, $"the consumer printed {losses.Count} losses, not 40:\n{output}");
            Assert.IsTrue(losses.All(double.IsFinite), $"a loss is not finite:\n{output}");
            Assert.IsLessThan(0.25 * losses[0], losses[^1], $"the loss did not fall to a quarter of its first value in 40 Adam steps:\n{output}");
            StringAssert.Contains(output, $"TorchLosses {version}", "the consumer did not run the packed TorchLosses");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>The version prefix the repository sets (Directory.Build.props), as the referenced assembly carries it.</summary>
    private static string RepositoryVersion() =>
        typeof(TorchLosses.nn).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+', '-')[0];

    /// <summary>The package holds the assembly and its XML docs for net8.0, the README, and the buildTransitive opt-in.</summary>
    private static void AssertPackageContents(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
        foreach (var expected in new[]
                 {
                     "lib/net8.0/TorchLosses.dll", "lib/net8.0/TorchLosses.xml", "PACKAGE.md",
                     "buildTransitive/TorchLosses.targets", "buildTransitive/ElfVersionNeeds.cs",
                 })
            Assert.Contains(expected, entries, $"{Path.GetFileName(package)} lacks {expected}; it has: {string.Join(", ", entries)}");
        var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var reader = new StreamReader(nuspec.Open());
        string text = reader.ReadToEnd();
        StringAssert.Contains(text, "<license type=\"expression\">MIT</license>");
        StringAssert.Contains(text, "<readme>PACKAGE.md</readme>");
        StringAssert.Contains(text, "id=\"TorchSharp\" version=\"0.107.0\"", "the package should depend on the managed TorchSharp from 0.107.0 on");
        Assert.DoesNotContain("<dependency id=\"TorchSharp-", text, "the package must leave the native bundle to the consumer");
    }

    /// <summary>
    /// The repository's package sources (NuGet.config) plus the folder the package was packed into; packages go to a folder
    /// inside the temporary directory, with the user's NuGet cache as a read-only fallback so TorchSharp-cpu (libtorch,
    /// about 600 MB) is not fetched again.
    /// </summary>
    private static string NuGetConfig(string feed, string packages)
    {
        var repositorySources = XDocument.Load(Repository.PathOf("NuGet.config")).Root!.Element("packageSources")!.Elements("add");
        var config = new XDocument(new XElement("configuration",
            new XElement("config", new XElement("add", new XAttribute("key", "globalPackagesFolder"), new XAttribute("value", packages))),
            new XElement("fallbackPackageFolders", new XElement("add", new XAttribute("key", "user-cache"), new XAttribute("value", UserPackageCache()))),
            new XElement("packageSources", new XElement("clear"),
                new XElement("add", new XAttribute("key", "torchlosses-packed"), new XAttribute("value", feed)),
                repositorySources.Select(s => new XElement(s)))));
        return config.ToString();
    }

    /// <summary>The user's NuGet package cache, where the test run's restore put TorchSharp-cpu.</summary>
    private static string UserPackageCache() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static string ConsumerProject(string version) => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
            <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
            <NoWarn>$(NoWarn);NU1603</NoWarn>
            <!-- The package's opt-in: TorchSharp's native glue loads on libstdc++ 12 (Debian 12). -->
            <TorchSharpLibStdCxxCompat>true</TorchSharpLibStdCxxCompat>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="TorchLosses" Version="{version}" />
            <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
          </ItemGroup>
        </Project>
        """;

    private const string ConsumerProgram = """
        using System.Globalization;
        using System.Reflection;
        using TorchSharp;
        using static TorchSharp.torch;
        using Losses = TorchLosses.nn;

        torch.set_num_threads(1);
        torch.manual_seed(0);
        var x = torch.rand(64, 1);
        var y = 3 * x + 2;
        var model = torch.nn.Linear(1, 1);
        var criterion = Losses.SmoothL1Loss(beta: 0.5);
        var optimizer = torch.optim.Adam(model.parameters(), lr: 0.05);
        for (int step = 0; step < 40; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = criterion.call(model.call(x), y);
            loss.backward();
            optimizer.step();
            Console.WriteLine($"loss {step} {loss.item<float>().ToString("R", CultureInfo.InvariantCulture)}");
        }
        var version = typeof(Losses).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
        Console.WriteLine($"TorchLosses {version}");
        """;

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/>; fails the test with the whole output if it fails or takes too long.</summary>
    private static string Run(string step, string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // The test host runs under MSBuild's and the test platform's variables; a user's shell has none of them.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)
                                                               || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(StepTimeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {step} did not finish within {StepTimeout.TotalMinutes} minutes:\n{output}");
        }
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, $"dotnet {string.Join(' ', arguments)} failed (exit code {process.ExitCode}) in {directory}:\n{output}");
        return output.ToString();
    }
}
