using Examples.Common;
using ScottPlot;
using TorchLosses.Figures;

namespace Examples.Segmentation;

/// <summary>dotnet run -c Release --project examples/Segmentation [-- --epochs 300 --seed 7]</summary>
public static class Program
{
    /// <summary>Parses the options, trains with a progress bar, prints the table and draws the figure.</summary>
    public static int Main(string[] args)
    {
        var cli = new ExampleCli("Segmentation with a small foreground (about 5% of the pixels): a tiny conv net trained with BCE, sigmoid focal, Dice and BCE + Dice; reports the held-out foreground IoU.", "segmentation");
        var images = cli.Add("--images", "Number of training images.", 48);
        var noise = cli.Add("--noise", "Standard deviation of the pixel noise (objects are +1 over the background), > 0.", 0.6);
        var epochs = cli.Add("--epochs", "Full-batch Adam steps per loss.", 120);
        return cli.Run(args, parsed =>
        {
            var options = new Options(TrainImages: parsed.GetValue(images), Noise: parsed.GetValue(noise), Epochs: parsed.GetValue(epochs),
                Seed: parsed.GetValue(cli.Seed));
            if (options.Noise <= 0 || options.TrainImages < 1 || options.Epochs < 1)
            {
                Console.Error.WriteLine("--noise must be positive, --images and --epochs at least 1.");
                return 2;
            }
            var result = ExampleConsole.Train(progress => Experiment.Run(options, progress));
            ExampleConsole.Table(
                $"Segmentation: {options.TrainImages} training and {result.Test.Count} held-out {options.Size}×{options.Size} images, foreground {Format.F(100 * result.Test.ForegroundShare, 1)} % of the test pixels, seed {options.Seed}",
                ["loss", "foreground IoU", "precision", "recall", "epochs", "time"],
                result.Fits.Select(f => (IReadOnlyList<string>)[f.Loss, Format.F(f.IoU), Format.F(f.Precision), Format.F(f.Recall),
                    options.Epochs.ToString(), Format.Ms(f.Time)]));
            ExampleConsole.Note("Foreground IoU, precision and recall pool every pixel of the held-out images; a pixel is predicted foreground where its probability exceeds 0.5.");
            ExampleConsole.Figure(cli.FigurePath(parsed), () => Plot(result));
            return 0;
        });
    }

    private static Figure Plot(Result result)
    {
        var test = result.Test;
        int size = test.Size, pixels = size * size;
        // The held-out image with the most foreground among the first eight: the one with the most to see.
        var shown = Enumerable.Range(0, Math.Min(8, test.Count)).MaxBy(n => test.Masks.Skip(n * pixels).Take(pixels).Sum());

        var figure = new Figure($"Small-foreground segmentation ({Format.F(100 * test.ForegroundShare, 1)} % of the pixels): one held-out image; IoU over all of them",
            2, 4, 340, 380);
        Plot Square(Plot panel, string title)
        {
            panel.Labels(title, "", "").Limits(0, size, 0, size).SquareUnits();
            foreach (IAxis axis in new IAxis[] { panel.Axes.Bottom, panel.Axes.Left })
            {
                axis.TickLabelStyle.IsVisible = false;
                axis.MajorTickStyle.Length = 0;
                axis.MinorTickStyle.Length = 0;
            }
            panel.Grid.IsVisible = false;
            return panel;
        }

        var image = new double[size, size];
        for (var r = 0; r < size; r++)
        for (var c = 0; c < size; c++)
            image[size - 1 - r, c] = test.Images[shown * pixels + r * size + c];   // image row 0 at the top
        Square(figure[0], "input image").Image(image, image.Cast<double>().Min(), image.Cast<double>().Max(), 0, size, 0, size);

        // Classes: 0 background, 1 foreground found, 2 false alarm, 3 foreground missed.
        Color[] colors = [Colors.White, Color.FromHex("#2ca02c"), Color.FromHex("#ff7f0e"), Color.FromHex("#1f77b4")];
        int[,] Classes(float[] predicted)
        {
            var classes = new int[size, size];
            for (var r = 0; r < size; r++)
            for (var c = 0; c < size; c++)
            {
                var i = shown * pixels + r * size + c;
                bool p = predicted[i] > 0.5f, t = test.Masks[i] > 0.5f;
                classes[size - 1 - r, c] = p && t ? 1 : p ? 2 : t ? 3 : 0;
            }
            return classes;
        }
        Square(figure[1], "ground truth").Regions(Classes(test.Masks), colors, 0, size, 0, size);

        Color[] runs = [Style.Runs[0], Style.Runs[5], Style.Runs[1], Style.Runs[4]];   // no green: green is "foreground found"
        var curves = figure[2].Labels("held-out foreground IoU", "epoch", "IoU");
        for (var k = 0; k < result.Fits.Count; k++)
        {
            var fit = result.Fits[k];
            curves.Curve(fit.Curve.Select(c => (double)c.Epoch).ToList(), fit.Curve.Select(c => c.IoU).ToList(), runs[k % runs.Length], fit.Loss);
        }
        curves.Limits(0, result.Fits.Max(f => f.Curve[^1].Epoch), -0.02, 1).Legend(Alignment.UpperLeft);

        // The colour key: a panel holding only a legend (its markers lie outside the view).
        var key = Square(figure[3], "");
        key.Axes.Frameless();
        string[] names = ["foreground found", "false alarm", "foreground missed"];
        for (var k = 1; k < colors.Length; k++) key.Points([-10], [-10], colors[k], names[k - 1], size: 14, shape: MarkerShape.FilledSquare);
        key.Legend(Alignment.MiddleCenter);

        for (var k = 0; k < result.Fits.Count && k < 4; k++)
        {
            var fit = result.Fits[k];
            Square(figure[4 + k], $"{fit.Loss}: IoU {Format.F(fit.IoU)}").Regions(Classes(fit.Predictions), colors, 0, size, 0, size);
        }
        return figure;
    }
}
