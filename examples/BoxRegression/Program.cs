using System.CommandLine;
using Examples.Common;

namespace Examples.BoxRegression;

/// <summary>dotnet run -c Release --project examples/BoxRegression [-- --label-noise 0.2 --seed 7]</summary>
public static class Program
{
    /// <summary>Parses the options, trains with a progress bar, prints the table and draws the figure.</summary>
    public static int Main(string[] args)
    {
        var cli = new ExampleCli("Fast R-CNN-style box regression: SmoothL1 (β = 1/9, 1), L1 and MSE on R-CNN box offsets; reports mean IoU.", "box-regression");
        var boxes = cli.Add("--boxes", "Number of training proposals.", 512);
        var labelNoise = cli.Add("--label-noise", "Share of training proposals matched to a wrong box, in [0, 1).", 0.1);
        var epochs = cli.Add("--epochs", "Full-batch Adam steps per loss.", 200);
        return cli.Run(args, parsed =>
        {
            var options = new Options(TrainBoxes: parsed.GetValue(boxes), LabelNoise: parsed.GetValue(labelNoise),
                Epochs: parsed.GetValue(epochs), Seed: parsed.GetValue(cli.Seed));
            if (options.LabelNoise is < 0 or >= 1)
            {
                Console.Error.WriteLine("--label-noise must be in [0, 1).");
                return 2;
            }
            var result = ExampleConsole.Train(progress => Experiment.Run(options, progress));
            ExampleConsole.Table(
                $"Box regression: {options.TrainBoxes} training proposals ({Format.G(options.LabelNoise * 100)}% wrongly matched), {result.Test.Proposals.Length} test proposals, seed {options.Seed}",
                ["loss", "mean IoU before", "mean IoU after", "IoU ≥ 0.7", "epochs", "time"],
                result.Fits.Select(f => (IReadOnlyList<string>)[f.Loss, Format.F(f.IoUBefore), Format.F(f.IoUAfter),
                    Format.F(100 * f.Above07, 1) + " %", options.Epochs.ToString(), Format.Ms(f.Time)]));
            ExampleConsole.Note($"The proposals themselves (zero offsets) have mean IoU {Format.F(result.ProposalIoU)} with their ground truth.");
            ExampleConsole.Figure(cli.FigurePath(parsed), path => Plot(result, path));
            return 0;
        });
    }

    private static string? Plot(Result result, string path)
    {
        var figure = new GnuplotFigure("box-regression");
        string[] colors = ["#1f77b4", "#2ca02c", "#ff7f0e", "#d62728"];
        var curves = figure.Blocks("curves.dat", "epoch mean_test_iou (one block per loss)",
            result.Fits.Select(f => f.Curve.Select(c => new double[] { c.Epoch, c.IoU })));

        // Six test proposals, each drawn in its own 100 × 100 cell (3 × 2 grid).
        const int Shown = 6;
        var headline = result.Fits[0];
        IEnumerable<double[]> Cells(Func<int, Box> box) => Enumerable.Range(0, Shown).Select(k =>
        {
            var b = box(k);
            double ox = 100 * (k % 3), oy = 100 * (1 - k / 3);
            return new[] { ox + b.Cx, oy + b.Cy, ox + b.Cx - b.W / 2, ox + b.Cx + b.W / 2, oy + b.Cy - b.H / 2, oy + b.Cy + b.H / 2 };
        });
        var truth = figure.Data("truth.dat", "x y xlo xhi ylo yhi", Cells(k => result.Test.Truth[k]));
        var proposals = figure.Data("proposals.dat", "x y xlo xhi ylo yhi", Cells(k => result.Test.Proposals[k]));
        var predicted = figure.Data("predicted.dat", "x y xlo xhi ylo yhi", Cells(k => headline.Predictions[k]));

        var curveSeries = result.Fits.Select((f, i) =>
            $"{curves} index {i} using 1:2 with lines lw 2.5 lc rgb '{colors[i % colors.Length]}' title '{GnuplotFigure.Label($"{f.Loss} ({Format.F(f.IoUAfter)})")}'");
        var body = $"""
            set multiplot layout 1,2 title 'Fast R-CNN-style box regression (R-CNN offsets, weights 10, 10, 5, 5)' font ',14'
            set grid lc rgb '#dddddd'
            set title 'Mean IoU of the predicted test boxes with their ground truth'
            set xlabel 'epoch'; set ylabel 'mean IoU'; set yrange [0.5:1]
            set key bottom right box opaque font ',10'
            plot {string.Join(", \\\n     ", curveSeries)}, \
                 {Format.G(result.ProposalIoU)} with lines dt 2 lw 2 lc rgb 'black' title 'proposals as they are ({Format.F(result.ProposalIoU)})'
            set title '{GnuplotFigure.Label($"Six test proposals: ground truth, proposal, {headline.Loss} prediction")}'
            unset grid; set xrange [0:300]; set yrange [0:200]; set size ratio -1
            set xtics 100 format ''; set ytics 100 format ''; set grid front lc rgb '#999999' lw 1
            unset xlabel; unset ylabel
            set key below horizontal font ',10'
            plot {truth} using 1:2:3:4:5:6 with boxxyerror fs empty lw 6 lc rgb '#98df8a' title 'ground truth', \
                 {proposals} using 1:2:3:4:5:6 with boxxyerror fs empty dt 2 lw 2 lc rgb '#7f7f7f' title 'proposal', \
                 {predicted} using 1:2:3:4:5:6 with boxxyerror fs empty lw 1.5 lc rgb '#1f77b4' title '{GnuplotFigure.Label(headline.Loss)} prediction'
            unset multiplot
            """;
        return figure.Render(path, 1400, 620, body);
    }
}
