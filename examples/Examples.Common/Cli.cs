using System.CommandLine;

namespace Examples.Common;

/// <summary>
/// The command line every example shares (<c>--seed</c>, <c>--figure</c>, <c>--no-plot</c>, <c>--threads</c>), plus the
/// options an example adds with <see cref="Add{T}"/>. <c>--help</c> lists them with their defaults.
/// </summary>
public sealed class ExampleCli
{
    private readonly RootCommand root;

    /// <summary>Creates the command; <paramref name="figureName"/> names the default figure file.</summary>
    public ExampleCli(string description, string figureName, int defaultSeed = 1)
    {
        root = new RootCommand(description);
        FigureName = figureName;
        Seed = Add("--seed", "Seed of the data and of the initial weights (same seed, same numbers).", defaultSeed);
        Figure = new Option<string?>("--figure")
        {
            Description = $"Where to write the figure, as PNG and SVG (path.png and path.svg); default docs/examples/{figureName}.png and .svg in the repository.",
        };
        root.Add(Figure);
        NoPlot = Add("--no-plot", "Skip the figure.", false);
        Threads = Add("--threads", "libtorch's intra-op threads. The models are tiny: more threads only add overhead, and on a busy " +
                                   "machine libtorch's default (one per core) made a fit 5 to 30 times slower.", 1);
        Threads.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1) result.AddError("--threads must be at least 1.");
        });
    }

    /// <summary>The default figure's file name, without extension.</summary>
    public string FigureName { get; }

    /// <summary>--seed.</summary>
    public Option<int> Seed { get; }

    /// <summary>--figure.</summary>
    public Option<string?> Figure { get; }

    /// <summary>--no-plot.</summary>
    public Option<bool> NoPlot { get; }

    /// <summary>--threads.</summary>
    public Option<int> Threads { get; }

    /// <summary>Adds an option with a default value shown in <c>--help</c>.</summary>
    public Option<T> Add<T>(string name, string description, T defaultValue)
    {
        var option = new Option<T>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        root.Add(option);
        return option;
    }

    /// <summary>The figure path chosen on the command line, or the default one; null with <c>--no-plot</c>.</summary>
    public string? FigurePath(ParseResult parsed) =>
        parsed.GetValue(NoPlot) ? null : parsed.GetValue(Figure) ?? RepoPaths.DefaultFigure(FigureName);

    /// <summary>
    /// Parses <paramref name="args"/>, sets libtorch's thread count and runs <paramref name="action"/> (or prints help or
    /// the parse errors).
    /// </summary>
    public int Run(string[] args, Func<ParseResult, int> action)
    {
        root.SetAction(parsed =>
        {
            torch.set_num_threads(parsed.GetValue(Threads));
            return action(parsed);
        });
        return root.Parse(args).Invoke();
    }
}
