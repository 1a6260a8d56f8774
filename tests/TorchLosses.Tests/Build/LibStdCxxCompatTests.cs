using System.Collections;
using System.Diagnostics;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using TorchLosses.Build;

namespace TorchLossesTests.Build;

/// <summary>
/// The build step that lets TorchSharp's native glue load on hosts with an older libstdc++ (build/LibStdCxxCompat.targets):
/// the ELF edit on small fixtures (exactly one flag changes, a second run changes nothing, a referenced version or one
/// whose relocations cannot all be read is left alone, malformed files give clear errors, a hard-linked original is never
/// written through), the MSBuild task's decision by the host's libstdc++, the targets' wiring for build and publish, and
/// the real library in this test's output folder.
/// </summary>
[TestClass]
[OSCondition(OperatingSystems.Linux)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LibStdCxxCompatTests
{
    private static readonly string[] HostVersions = { "libstdc++.so.6", "GLIBCXX_3.4", "GLIBCXX_3.4.29", "GLIBCXX_3.4.30" };

    private string folder = "";

    [TestInitialize]
    public void MakeFolder() => Directory.CreateDirectory(folder = Path.Combine(Path.GetTempPath(), $"elf-{Guid.NewGuid():N}"));

    [TestCleanup]
    public void RemoveFolder() => Directory.Delete(folder, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Marks weak what a host with <see cref="HostVersions"/> lacks.</summary>
    private static (IReadOnlyList<VersionNeed> Weakened, IReadOnlyList<VersionNeed> Unfixable) Weaken(string path) =>
        ElfVersionNeeds.WeakenMissing(path, "libstdc++.so.6", new HashSet<string>(HostVersions));

    /// <summary>How many names the file has (its hard-link count): a file renamed over the path would have a new count.</summary>
    private static string LinkCount(string path) => Run("stat", "-c", "%h", path).Trim();

    private static string Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, $"{program} {string.Join(' ', arguments)}: {errors}{output}");
        return output;
    }

    /// <summary>The NuGet cache's copy of TorchSharp's native glue (never edited).</summary>
    private static string CachedGlue()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                       ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(packages, "torchsharp", typeof(torch).Assembly.GetName().Version!.ToString(3), "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
    }

    [TestMethod]
    public void TheFixtureReadsAsTheRealLibraryDoes()
    {
        var needs = ElfVersionNeeds.Needs(Write("lib.so", ElfFixture.NeedingLibrary()));
        Assert.HasCount(2, needs);
        var recent = needs.Single(n => n.Version == "GLIBCXX_3.4.32");
        Assert.AreEqual("libstdc++.so.6", recent.Library);
        Assert.IsFalse(recent.Weak);
        CollectionAssert.AreEqual(new[] { ElfFixture.IosBaseLibraryInit }, recent.UnreferencedSymbols.ToArray());
        Assert.IsEmpty(recent.ReferencedSymbols);
        Assert.IsTrue(recent.RelocationsKnown && recent.Unused);
        // The real library (as it comes in the NuGet package) reads the same way for that version.
        var real = ElfVersionNeeds.Needs(CachedGlue()).Single(n => n.Library == "libstdc++.so.6" && n.Version == "GLIBCXX_3.4.32");
        Assert.IsFalse(real.Weak);
        Assert.IsTrue(real.RelocationsKnown && real.Unused);
        CollectionAssert.AreEqual(recent.UnreferencedSymbols.ToArray(), real.UnreferencedSymbols.ToArray());
        CollectionAssert.AreEqual(new[] { ElfFixture.IosBaseInit }, needs.Single(n => n.Version == "GLIBCXX_3.4").ReferencedSymbols.ToArray());
        CollectionAssert.AreEqual(HostVersions, ElfVersionNeeds.DefinedVersions(Write("host.so", ElfFixture.DefiningLibrary(HostVersions))).ToArray());
    }

    [TestMethod]
    public void WeakeningSetsOneFlagAndChangesNothingElse()
    {
        var original = ElfFixture.NeedingLibrary();
        var path = Write("lib.so", original);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead);
        var stamp = new DateTime(2026, 5, 7, 12, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, stamp);

        var (weakened, unfixable) = Weaken(path);

        Assert.AreEqual("GLIBCXX_3.4.32", weakened.Single().Version);
        Assert.IsEmpty(unfixable);
        var patched = File.ReadAllBytes(path);
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        var flags = weakened.Single().FlagsOffset;
        CollectionAssert.AreEqual(new[] { (int)flags }, changed, "only the low byte of vna_flags changes");
        Assert.AreEqual(ElfVersionNeeds.WeakFlag, patched[flags]);
        Assert.AreEqual(original.Length, patched.Length);
        Assert.IsTrue(ElfVersionNeeds.Needs(path).Single(n => n.Version == "GLIBCXX_3.4.32").Weak);
        Assert.IsFalse(ElfVersionNeeds.Needs(path).Single(n => n.Version == "GLIBCXX_3.4").Weak);
        Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead, File.GetUnixFileMode(path));
        Assert.AreEqual(stamp, File.GetLastWriteTimeUtc(path), "the copy keeps its time, so an incremental build does not copy the original back");
        Assert.IsEmpty(Directory.GetFiles(folder, "*.tmp", SearchOption.AllDirectories), "no temporary file is left behind");
    }

    [TestMethod]
    public void ASecondRunChangesNothing()
    {
        var path = Write("lib.so", ElfFixture.NeedingLibrary());
        Weaken(path);
        var once = File.ReadAllBytes(path);
        // A second name for the file: a rewrite (a new file renamed over the path) would leave the path with one name again.
        Run("ln", path, Path.Combine(folder, "second-name.so"));
        Assert.AreEqual("2", LinkCount(path));

        var (weakened, unfixable) = Weaken(path);

        Assert.IsEmpty(weakened);
        Assert.IsEmpty(unfixable);
        Assert.AreEqual("2", LinkCount(path), "the file was not rewritten");
        CollectionAssert.AreEqual(once, File.ReadAllBytes(path));
    }

    [TestMethod]
    public void RelocationsThatCannotAllBeReadMakeNothingUnused()
    {
        // The loader's relocation table (DT_RELA) lies in a section this reader cannot attribute to the dynamic symbols.
        var original = ElfFixture.NeedingLibrary(unattributedRelocations: true);
        var path = Write("lib.so", original);
        var recent = ElfVersionNeeds.Needs(path).Single(n => n.Version == "GLIBCXX_3.4.32");
        Assert.IsFalse(recent.RelocationsKnown);
        Assert.IsFalse(recent.Unused);

        var (weakened, unfixable) = Weaken(path);

        Assert.IsEmpty(weakened);
        Assert.AreEqual("GLIBCXX_3.4.32", unfixable.Single().Version);
        CollectionAssert.AreEqual(original, File.ReadAllBytes(path));
    }

    [TestMethod]
    public void ForAnyHostEveryUnusedRequirementIsWeakenedAndNoOther()
    {
        var path = Write("lib.so", ElfFixture.NeedingLibrary());
        var (weakened, unfixable) = ElfVersionNeeds.WeakenMissing(path, "libstdc++.so.6", hostDefined: null);
        Assert.AreEqual("GLIBCXX_3.4.32", weakened.Single().Version);
        Assert.IsEmpty(unfixable, "a used version is no problem on a host that has it");
        Assert.IsFalse(ElfVersionNeeds.Needs(path).Single(n => n.Version == "GLIBCXX_3.4").Weak);
    }

    [TestMethod]
    public void TheHostLibraryIsTheOneBuiltForTheFilesMachine()
    {
        var arm = Path.Combine(folder, "arm");
        var intel = Path.Combine(folder, "intel");
        Directory.CreateDirectory(arm);
        Directory.CreateDirectory(intel);
        File.WriteAllBytes(Path.Combine(arm, "libstdc++.so.6"), ElfFixture.DefiningLibraryFor(ElfFixture.AArch64, HostVersions));
        File.WriteAllBytes(Path.Combine(intel, "libstdc++.so.6"), ElfFixture.DefiningLibraryFor(ElfFixture.X86_64, HostVersions));
        File.WriteAllText(Path.Combine(folder, "libstdc++.so.6"), "not a library");
        string[] folders = [folder, arm, intel];
        Assert.AreEqual(Path.Combine(intel, "libstdc++.so.6"), WeakenMissingLibraryVersions.FindHostLibrary("libstdc++.so.6", ElfFixture.X86_64, folders));
        Assert.AreEqual(Path.Combine(arm, "libstdc++.so.6"), WeakenMissingLibraryVersions.FindHostLibrary("libstdc++.so.6", ElfFixture.AArch64, folders));
        Assert.IsNull(WeakenMissingLibraryVersions.FindHostLibrary("libstdc++.so.6", 3, folders));
    }

    [TestMethod]
    public void AVersionWhoseSymbolIsRelocatedIsLeftAloneAsUnfixable()
    {
        var original = ElfFixture.NeedingLibrary(relocateNewSymbol: true);
        var path = Write("lib.so", original);

        var (weakened, unfixable) = Weaken(path);

        Assert.IsEmpty(weakened);
        CollectionAssert.AreEqual(new[] { ElfFixture.IosBaseLibraryInit }, unfixable.Single().ReferencedSymbols.ToArray());
        CollectionAssert.AreEqual(original, File.ReadAllBytes(path), "an unfixable library is not touched");
    }

    [TestMethod]
    public void TheOriginalOfAHardLinkIsNeverWrittenThrough()
    {
        // A copy that is a hard link (MSBuild can link instead of copying) shares its bytes with the NuGet cache.
        var original = ElfFixture.NeedingLibrary();
        var cache = Write("cache.so", original);
        var output = Path.Combine(folder, "output.so");
        using (var ln = Process.Start(new ProcessStartInfo("ln", [cache, output]) { RedirectStandardError = true })!)
        {
            ln.WaitForExit();
            Assert.AreEqual(0, ln.ExitCode, ln.StandardError.ReadToEnd());
        }

        Weaken(output);

        CollectionAssert.AreEqual(original, File.ReadAllBytes(cache), "the linked original is unchanged");
        Assert.IsTrue(ElfVersionNeeds.Needs(output).Single(n => n.Version == "GLIBCXX_3.4.32").Weak);
    }

    [TestMethod]
    public void MalformedFilesGiveAnErrorThatNamesTheFileAndTheProblem()
    {
        var library = ElfFixture.NeedingLibrary();
        var sectionHeaders = (int)BitConverter.ToUInt64(library, 0x28);
        byte[] Edited(int offset, ulong value, int bytes = 8)
        {
            var copy = library.ToArray();
            BitConverter.GetBytes(value).AsSpan(0, bytes).CopyTo(copy.AsSpan(offset));
            return copy;
        }
        var dynsymHeader = sectionHeaders + 2 * 64;
        var cases = new (string Name, byte[] Bytes, string Problem)[]
        {
            ("text.so", "not a library"u8.ToArray(), "it does not start with the ELF magic number"),
            ("elf32.so", library.Select((b, i) => i == 4 ? (byte)1 : b).ToArray(), "it is not a 64-bit little-endian ELF file"),
            ("truncated.so", library[..200], "its section headers lie outside the file"),
            ("oversized.so", Edited(sectionHeaders + 64 + 32, 1UL << 20), "section 1 lies outside the file"),
            ("wrapping.so", Edited(sectionHeaders + 64 + 32, ulong.MaxValue - 8), "section 1 lies outside the file"),
            ("no-sections.so", Edited(0x28, 0), "it has no section headers"),
            ("too-many-sections.so", Edited(0x3c, 5000, bytes: 2), "section headers lie outside the file"),
            ("narrow-symbols.so", Edited(dynsymHeader + 56, 16), "its dynamic symbols are 16 bytes each, not 24"),
            ("empty.so", Array.Empty<byte>(), "it does not start with the ELF magic number"),
        };
        foreach (var (name, bytes, problem) in cases)
        {
            var path = Write(name, bytes);
            var error = Assert.ThrowsExactly<InvalidDataException>(() => Weaken(path), name);
            StringAssert.StartsWith(error.Message, $"{path} is not a readable ELF shared library: ", name);
            StringAssert.Contains(error.Message, problem, name);
            CollectionAssert.AreEqual(bytes, File.ReadAllBytes(path), $"{name} is not touched");
        }
    }

    // ---- the MSBuild task ------------------------------------------------------------------------------------------

    /// <summary>Runs the task on one library with a host libstdc++ defining <paramref name="hostVersions"/>.</summary>
    private (bool Succeeded, RecordingEngine Log, string Library) RunTask(string[] hostVersions, bool relocateNewSymbol = false)
    {
        var library = Write("libLibTorchSharp.so", ElfFixture.NeedingLibrary(relocateNewSymbol));
        var engine = new RecordingEngine();
        var task = new WeakenMissingLibraryVersions
        {
            BuildEngine = engine,
            Files = [new TaskItem(library)],
            HostLibrary = Write("libstdc++.so.6", ElfFixture.DefiningLibrary(hostVersions)),
        };
        return (task.Execute(), engine, library);
    }

    [TestMethod]
    public void OnAHostWithoutTheVersionTheTaskWeakensItAndSaysSo()
    {
        var (succeeded, log, library) = RunTask(HostVersions);
        Assert.IsTrue(succeeded);
        Assert.IsTrue(ElfVersionNeeds.Needs(library).Single(n => n.Version == "GLIBCXX_3.4.32").Weak);
        var message = log.Messages.Single(m => m.Importance == MessageImportance.High).Message;
        StringAssert.Contains(message, "needs GLIBCXX_3.4.32 of libstdc++.so.6, which this host's");
        StringAssert.Contains(message, ElfFixture.IosBaseLibraryInit);
        StringAssert.Contains(message, "the NuGet package itself is unchanged");
        Assert.IsEmpty(log.Warnings);
    }

    [TestMethod]
    public void OnAHostWithTheVersionTheTaskChangesNothing()
    {
        var (succeeded, log, library) = RunTask([.. HostVersions, "GLIBCXX_3.4.31", "GLIBCXX_3.4.32"]);
        Assert.IsTrue(succeeded);
        CollectionAssert.AreEqual(ElfFixture.NeedingLibrary(), File.ReadAllBytes(library));
        Assert.IsFalse(log.Messages.Any(m => m.Importance == MessageImportance.High));
    }

    [TestMethod]
    public void AnUnfixableLibraryGivesAWarningThatNamesTheSymbol()
    {
        var (succeeded, log, library) = RunTask(HostVersions, relocateNewSymbol: true);
        Assert.IsTrue(succeeded, "a warning, not an error: the library may never be loaded");
        CollectionAssert.AreEqual(ElfFixture.NeedingLibrary(relocateNewSymbol: true), File.ReadAllBytes(library));
        StringAssert.Contains(log.Warnings.Single(), $"uses {ElfFixture.IosBaseLibraryInit} from it: it cannot load here");
    }

    [TestMethod]
    public void AMalformedHostLibraryIsABuildError()
    {
        var engine = new RecordingEngine();
        var task = new WeakenMissingLibraryVersions
        {
            BuildEngine = engine,
            Files = [new TaskItem(Write("libLibTorchSharp.so", ElfFixture.NeedingLibrary()))],
            HostLibrary = Write("libstdc++.so.6", "garbage"u8.ToArray()),
        };
        Assert.IsFalse(task.Execute());
        StringAssert.Contains(engine.Errors.Single(), "is not a readable ELF shared library");
    }

    // ---- the targets' wiring ---------------------------------------------------------------------------------------

    /// <summary>
    /// Runs build/LibStdCxxCompat.targets through MSBuild on a project whose "build" and "publish" each copy the fixture
    /// library into their output, with <paramref name="properties"/>; returns whether each copy ended up weakened.
    /// </summary>
    private (bool Built, bool Published) RunTargets(params string[] properties)
    {
        var fixture = Write("fixture.so", ElfFixture.NeedingLibrary());
        var project = Path.Combine(folder, $"wiring-{Guid.NewGuid():N}.proj");
        string output = Path.Combine(folder, "bin") + "/", published = Path.Combine(folder, "publish") + "/";
        File.WriteAllText(project, $"""
            <Project>
              <PropertyGroup>
                <OutDir>{output}</OutDir>
                <PublishDir>{published}</PublishDir>
              </PropertyGroup>
              <Import Project="{TorchLossesTests.Docs.Repository.PathOf("build/LibStdCxxCompat.targets")}" />
              <Target Name="CopyFilesToOutputDirectory">
                <Copy SourceFiles="{fixture}" DestinationFiles="$(OutDir)runtimes/linux-x64/native/libLibTorchSharp.so" />
              </Target>
              <Target Name="Publish">
                <Copy SourceFiles="{fixture}" DestinationFiles="$(PublishDir)libLibTorchSharp.so" />
              </Target>
            </Project>
            """);
        Run("dotnet", ["msbuild", project, "-nologo", "-t:CopyFilesToOutputDirectory;Publish", .. properties.Select(p => "-p:" + p)]);
        bool Weak(string path) => ElfVersionNeeds.Needs(path).Single(n => n.Version == "GLIBCXX_3.4.32").Weak;
        return (Weak(output + "runtimes/linux-x64/native/libLibTorchSharp.so"), Weak(published + "libLibTorchSharp.so"));
    }

    [TestMethod]
    public void ABuildFollowsThisHostAndAPublishForLinuxWeakensForAnyHost()
    {
        var withVersion = Write("libstdc++-13.so.6", ElfFixture.DefiningLibrary([.. HostVersions, "GLIBCXX_3.4.31", "GLIBCXX_3.4.32"]));
        var withoutVersion = Write("libstdc++-12.so.6", ElfFixture.DefiningLibrary(HostVersions));
        Assert.AreEqual((false, true), RunTargets("TorchSharpLibStdCxxCompat=true", $"TorchSharpLibStdCxxHost={withVersion}", "RuntimeIdentifier=linux-x64"),
            "host with the version: the build is left alone, a publish for linux-x64 is weakened");
        Assert.AreEqual((true, false), RunTargets("TorchSharpLibStdCxxCompat=true", $"TorchSharpLibStdCxxHost={withoutVersion}", "RuntimeIdentifier=win-x64"),
            "host without the version: the build is weakened, a publish for Windows is left alone");
        Assert.AreEqual((false, false), RunTargets("TorchSharpLibStdCxxCompat=false", $"TorchSharpLibStdCxxHost={withoutVersion}", "RuntimeIdentifier=linux-x64"),
            "turned off: nothing changes");
    }

    // ---- the real library --------------------------------------------------------------------------------------------

    /// <summary>
    /// The copy of libLibTorchSharp.so next to this test assembly was edited by the build exactly when this host's
    /// libstdc++ lacks GLIBCXX_3.4.32, and TorchSharp loads from it. The NuGet cache's copy is never edited.
    /// </summary>
    [TestMethod]
    public void TheOutputCopyOfTorchSharpsGlueIsWeakenedExactlyWhereTheHostNeedsItAndLoads()
    {
        var output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.IsTrue(File.Exists(output), output);
        var host = WeakenMissingLibraryVersions.FindHostLibrary("libstdc++.so.6", ElfVersionNeeds.Machine(output));
        Assert.IsNotNull(host, "this host has a libstdc++.so.6 for the library's machine");
        bool hostLacks = !ElfVersionNeeds.DefinedVersions(host).Contains("GLIBCXX_3.4.32");
        var need = ElfVersionNeeds.Needs(output).Single(n => n.Library == "libstdc++.so.6" && n.Version == "GLIBCXX_3.4.32");
        Assert.AreEqual(hostLacks, need.Weak, $"host {host} lacks GLIBCXX_3.4.32: {hostLacks}");

        var cached = CachedGlue();
        Assert.IsTrue(File.Exists(cached), cached);
        Assert.IsFalse(ElfVersionNeeds.Needs(cached).Single(n => n.Version == "GLIBCXX_3.4.32").Weak, $"{cached} was edited");

        using var scope = torch.NewDisposeScope();
        Assert.AreEqual(6.0, torch.arange(4, ScalarType.Float64).sum().item<double>(), "TorchSharp's native library loaded and ran");
    }

    /// <summary>An MSBuild engine that keeps what a task logs.</summary>
    private sealed class RecordingEngine : IBuildEngine
    {
        public List<BuildMessageEventArgs> Messages { get; } = new();
        public List<string> Warnings { get; } = new();
        public List<string> Errors { get; } = new();

        public bool ContinueOnError => false;
        public int LineNumberOfTaskNode => 0;
        public int ColumnNumberOfTaskNode => 0;
        public string ProjectFileOfTaskNode => "test.proj";

        public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Add(e.Message!);
        public void LogWarningEvent(BuildWarningEventArgs e) => Warnings.Add(e.Message!);
        public void LogMessageEvent(BuildMessageEventArgs e) => Messages.Add(e);
        public void LogCustomEvent(CustomBuildEventArgs e) { }
        public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) => false;
    }
}
