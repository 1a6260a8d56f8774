namespace Examples.Common;

/// <summary>Where the examples write their figures.</summary>
public static class RepoPaths
{
    /// <summary>
    /// The repository root (the directory holding TorchLosses.sln), searched upwards from the working
    /// directory and then from the program's own directory; null when run outside the repository.
    /// </summary>
    public static string? Root { get; } = FindRoot(Environment.CurrentDirectory) ?? FindRoot(AppContext.BaseDirectory);

    private static string? FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TorchLosses.sln"))) return dir.FullName;
        return null;
    }

    /// <summary><c>docs/examples/&lt;name&gt;.png</c> in the repository, or <c>&lt;name&gt;.png</c> in the working directory (an .svg is written beside it).</summary>
    public static string DefaultFigure(string name) =>
        Root is null ? Path.GetFullPath(name + ".png") : Path.Combine(Root, "docs", "examples", name + ".png");
}
