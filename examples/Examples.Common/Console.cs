using Spectre.Console;

namespace Examples.Common;

/// <summary>How far one training run is: reported by an example's experiment after each epoch.</summary>
/// <param name="Run">The run's name (one progress bar per name).</param>
/// <param name="Epoch">Epochs done.</param>
/// <param name="MaxEpochs">The epoch budget.</param>
/// <param name="Finished">True on the last report of the run (it may stop early).</param>
public readonly record struct TrainingProgress(string Run, int Epoch, int MaxEpochs, bool Finished = false);

/// <summary>The console side of the examples: progress bars while training, tables and notes after.</summary>
public static class ExampleConsole
{
    /// <summary>
    /// Runs <paramref name="work"/> under a live display with one progress bar per training run.
    /// <paramref name="work"/> receives the callback to report progress with.
    /// </summary>
    public static T Train<T>(Func<Action<TrainingProgress>, T> work)
    {
        // Output to a file or pipe: Spectre assumes 80 columns; give the tables room instead of wrapping.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 140;
        return AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                return work(progress =>
                {
                    if (!tasks.TryGetValue(progress.Run, out var task))
                        tasks[progress.Run] = task = context.AddTask(Markup.Escape(progress.Run), maxValue: progress.MaxEpochs);
                    task.Value = progress.Finished ? task.MaxValue : progress.Epoch;
                    if (progress.Finished) task.StopTask();
                });
            });
    }

    /// <summary>Prints a table; columns after the first are right-aligned (they hold numbers).</summary>
    public static void Table(string title, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var table = new Table().Title(Markup.Escape(title)).Border(TableBorder.Rounded);
        for (var i = 0; i < headers.Count; i++)
        {
            var column = new TableColumn(Markup.Escape(headers[i]));
            table.AddColumn(i == 0 ? column.LeftAligned() : column.RightAligned());
        }
        foreach (var row in rows) table.AddRow(row.Select(cell => new Markup(Markup.Escape(cell))).ToArray());
        AnsiConsole.Write(table);
    }

    /// <summary>Prints a line of explanation (dim) or a figure note.</summary>
    public static void Note(string text) => AnsiConsole.MarkupLine("[grey]" + Markup.Escape(text) + "[/]");

    /// <summary>
    /// Draws the figure <paramref name="draw"/> makes and writes it as PNG and SVG at <paramref name="path"/> (its extension
    /// replaced), then says where it went; nothing with a null path (<c>--no-plot</c>).
    /// </summary>
    public static void Figure(string? path, Func<TorchLosses.Figures.Figure> draw)
    {
        if (path is null) return;
        var written = draw().Save(path);
        Note($"Figure written to {string.Join(" and ", written)}");
    }
}
