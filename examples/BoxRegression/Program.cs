using System.CommandLine;
using Examples.Common;
using ScottPlot;
using TorchLosses.Figures;

namespace Examples.BoxRegression;

/// <summary>dotnet run -c Release --project examples/BoxRegression [-- --label-noise 0.2 --seed 7]</summary>
public static class Program
{
    /// <summary>Parses the options, trains with a progress bar, prints the table and draws the figure.</summary>
    public static int Main(string[] args)
    {
        var cli = new ExampleCli("Fast R-CNN-style box regression: SmoothL1 (β = 1/9, 1), L1 and MSE on R-CNN box offsets, GIoU, DIoU and CIoU on the decoded boxes; reports mean IoU.", "box-regression");
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
            ExampleConsole.Figure(cli.FigurePath(parsed), () => Plot(result));
            return 0;
        });
    }

    private static Figure Plot(Result result)
    {
        var figure = new Figure("Fast R-CNN-style box regression (R-CNN offsets, weights 10, 10, 5, 5)", 1, 2, 760, 660);
        Color[] colors = [Style.Runs[1], Style.Runs[2], Style.Runs[5], Style.Runs[0], Style.Runs[4], Style.Runs[6], Style.Runs[7]];

        var curves = figure[0].Labels("Mean test IoU (IoU-family losses dashed)", "epoch", "mean IoU");
        for (var i = 0; i < result.Fits.Count; i++)
        {
            var f = result.Fits[i];
            var onBoxes = Experiment.Losses().Any(l => l.Name == f.Loss && l.Space == LossSpace.Boxes);
            curves.Curve(f.Curve.Select(c => (double)c.Epoch).ToList(), f.Curve.Select(c => c.IoU).ToList(), colors[i % colors.Length],
                $"{f.Loss} ({Format.F(f.IoUAfter)})", width: 2.5f, pattern: onBoxes ? LinePattern.Dashed : LinePattern.Solid);
        }
        var lastEpoch = result.Fits.Max(f => f.Curve[^1].Epoch);
        curves.Curve([0, lastEpoch], [result.ProposalIoU, result.ProposalIoU], Colors.Black, $"proposals as they are ({Format.F(result.ProposalIoU)})",
            width: 2, pattern: LinePattern.Dashed);
        curves.Limits(0, lastEpoch, 0.62, 0.96).Legend(Alignment.LowerRight);

        // Six test proposals, each drawn in its own 100 × 100 cell (3 × 2 grid).
        const int Shown = 6;
        var headline = result.Fits[0];
        var boxes = figure[1].Labels($"Six test proposals: ground truth, proposal, {headline.Loss} prediction", "", "");
        void Cell(int k, Box b, Color color, string? label, float width, LinePattern pattern)
        {
            double ox = 100 * (k % 3), oy = 100 * (1 - k / 3);
            boxes.Box(ox + b.Cx - b.W / 2, ox + b.Cx + b.W / 2, oy + b.Cy - b.H / 2, oy + b.Cy + b.H / 2, color, label, width, pattern);
        }
        for (var k = 0; k < Shown; k++)
        {
            Cell(k, result.Test.Truth[k], Color.FromHex("#98df8a"), k == 0 ? "ground truth" : null, 6, LinePattern.Solid);
            Cell(k, result.Test.Proposals[k], Color.FromHex("#7f7f7f"), k == 0 ? "proposal" : null, 2, LinePattern.Dashed);
            Cell(k, headline.Predictions[k], Style.Runs[1], k == 0 ? $"{headline.Loss} prediction" : null, 2, LinePattern.Solid);
        }
        foreach (var x in new[] { 100.0, 200.0 }) boxes.Add.VerticalLine(x, 1, Color.FromHex("#999999"));
        boxes.Add.HorizontalLine(100, 1, Color.FromHex("#999999"));
        boxes.Limits(0, 300, 0, 200).SquareUnits().LegendBelow();
        boxes.Axes.Bottom.TickLabelStyle.IsVisible = false;
        boxes.Axes.Left.TickLabelStyle.IsVisible = false;
        boxes.Grid.IsVisible = false;
        return figure;
    }
}
