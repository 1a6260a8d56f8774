using System.CommandLine;
using Examples.Common;
using ScottPlot;
using TorchLosses.Figures;

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
            ExampleConsole.Figure(cli.FigurePath(parsed), () => Plot(result));
            return 0;
        });
    }

    private static Figure Plot(Result result)
    {
        var figure = new Figure("CrossEntropyLoss on imbalanced blobs: decision regions and training points", 1, result.Fits.Count, 560, 600);
        Color[] regions = [Color.FromHex("#c6dbef"), Color.FromHex("#fdd0a2"), Color.FromHex("#c7e9c0"), Color.FromHex("#e6d5f0")];
        Color[] points = [Style.Runs[1], Style.Runs[5], Style.Runs[2], Style.Runs[4]];
        var train = result.Train;
        const double e = Experiment.Extent;
        for (var k = 0; k < result.Fits.Count; k++)
        {
            var f = result.Fits[k];
            var classes = new int[Experiment.GridSize, Experiment.GridSize];
            for (var i = 0; i < f.Grid.Length; i++) classes[i / Experiment.GridSize, i % Experiment.GridSize] = f.Grid[i];
            var panel = figure[k].Labels($"{f.Loss}\nrecall per class: {string.Join(", ", f.Recall.Select(r => Format.F(r, 2)))}", "x₁", "x₂");
            panel.Regions(classes, regions, -e, e, -e, e);
            for (var c = 0; c < points.Length; c++)
            {
                var members = Enumerable.Range(0, train.Labels.Length).Where(i => train.Labels[i] == c).ToList();
                panel.Points(members.Select(i => (double)train.Points[2 * i]).ToList(), members.Select(i => (double)train.Points[2 * i + 1]).ToList(),
                    points[c], $"class {c}", size: 4);
            }
            panel.Limits(-e, e, -e, e).SquareUnits().Legend(k == 0 ? Alignment.UpperLeft : null);
        }
        return figure;
    }
}
