using System.CommandLine;
using Examples.Common;

namespace Examples.Classification;

/// <summary>dotnet run -c Release --project examples/Classification [-- --smoothing 0.2 --seed 7]</summary>
public static class Program
{
    /// <summary>Parses the options, trains with a progress bar, prints the table and draws the figure.</summary>
    public static int Main(string[] args)
    {
        var cli = new ExampleCli("CrossEntropyLoss plain, with label smoothing and with class weights on four imbalanced Gaussian blobs.", "classification");
        var smoothing = cli.Add("--smoothing", "label_smoothing of the smoothed run, in [0, 1].", 0.1);
        var spread = cli.Add("--spread", "Standard deviation of each blob (larger: more overlap).", 1.0);
        var epochs = cli.Add("--epochs", "Full-batch Adam steps per run.", 300);
        return cli.Run(args, parsed =>
        {
            var options = new Options(LabelSmoothing: parsed.GetValue(smoothing), Spread: parsed.GetValue(spread),
                Epochs: parsed.GetValue(epochs), Seed: parsed.GetValue(cli.Seed));
            if (options.LabelSmoothing is < 0 or > 1)
            {
                Console.Error.WriteLine("--smoothing must be in [0, 1].");
                return 2;
            }
            var result = ExampleConsole.Train(progress => Experiment.Run(options, progress));
            var counts = options.Counts;
            ExampleConsole.Table(
                $"Four blobs, training counts {string.Join("/", counts)}, balanced test set of {options.TestPerClass} per class, seed {options.Seed}",
                ["run", .. counts.Select((n, c) => $"recall {c} (n={n})"), "accuracy", "mean confidence", "time"],
                result.Fits.Select(f => (IReadOnlyList<string>)[f.Loss, .. f.Recall.Select(r => Format.F(r)), Format.F(f.Accuracy),
                    Format.F(f.Confidence), Format.Ms(f.Time)]));
            ExampleConsole.Note($"Class weights n/(C·n_c): {string.Join(", ", result.ClassWeights.Select(w => Format.F(w, 2)))}. " +
                "The test set is balanced, so accuracy is the mean per-class recall; mean confidence is the average largest softmax probability.");
            ExampleConsole.Figure(cli.FigurePath(parsed), path => Plot(result, path));
            return 0;
        });
    }

    private static string? Plot(Result result, string path)
    {
        var figure = new GnuplotFigure("classification");
        var train = result.Train;
        var points = figure.Data("train.dat", "x y class", train.Labels.Select((c, i) => new double[] { train.Points[2 * i], train.Points[2 * i + 1], c }));
        var body = new System.Text.StringBuilder($"""
            set multiplot layout 1,{result.Fits.Count} title 'CrossEntropyLoss on imbalanced blobs: decision regions and training points' font ',14'
            set palette defined (0 '#c6dbef', 1 '#fdd0a2', 2 '#c7e9c0', 3 '#e6d5f0'); set cbrange [0:3]; set palette maxcolors 4; unset colorbox
            set linetype 1 lc rgb '#1f77b4'; set linetype 2 lc rgb '#ff7f0e'; set linetype 3 lc rgb '#2ca02c'; set linetype 4 lc rgb '#9467bd'
            set xrange [{-Experiment.Extent}:{Experiment.Extent}]; set yrange [{-Experiment.Extent}:{Experiment.Extent}]; set size ratio -1
            set xlabel 'x_1'; set ylabel 'x_2'; set key off
            """).AppendLine();
        for (var k = 0; k < result.Fits.Count; k++)
        {
            var f = result.Fits[k];
            var grid = figure.Data($"grid{k}.dat", "x y predicted_class", Enumerable.Range(0, Experiment.GridSize * Experiment.GridSize).Select(i =>
                new double[] { Experiment.GridCoordinate(i % Experiment.GridSize), Experiment.GridCoordinate(i / Experiment.GridSize), f.Grid[i] }));
            var recalls = string.Join(", ", f.Recall.Select(r => Format.F(r, 2)));
            body.AppendLine($"set title '{GnuplotFigure.Label(f.Loss)} — recall per class: {recalls}' font ',11'");
            body.AppendLine($"plot {grid} using 1:2:3 with image, {points} using 1:2:($3+1) with points pt 7 ps 0.6 lc variable");
        }
        body.AppendLine("unset multiplot");
        return figure.Render(path, 1500, 560, body.ToString());
    }
}
