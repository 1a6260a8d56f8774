using System.CommandLine;
using Examples.Common;
using ScottPlot;
using TorchLosses.Figures;

namespace Examples.RobustRegression;

/// <summary>dotnet run -c Release --project examples/RobustRegression [-- --outliers 0.3 --seed 7]</summary>
public static class Program
{
    /// <summary>Parses the options, trains with a progress bar, prints the table and draws the figure.</summary>
    public static int Main(string[] args)
    {
        var cli = new ExampleCli("Fits y = 3x + 2 with gross outliers using MSE, L1, SmoothL1, Huber and Barron's adaptive losses.", "robust-regression");
        var points = cli.Add("--points", "Number of samples.", 200);
        var outliers = cli.Add("--outliers", "Fraction of samples that are gross outliers, in [0, 1).", 0.2);
        var noise = cli.Add("--noise", "Standard deviation of the inliers' Gaussian noise.", 0.3);
        var epochs = cli.Add("--epochs", "Epoch budget per run (runs stop early when the loss stalls).", 1000);
        return cli.Run(args, parsed =>
        {
            var options = new Options(parsed.GetValue(points), parsed.GetValue(outliers), parsed.GetValue(noise),
                parsed.GetValue(cli.Seed), parsed.GetValue(epochs));
            if (options.OutlierFraction is < 0 or >= 1 || options.Points < 2)
            {
                Console.Error.WriteLine("--outliers must be in [0, 1) and --points at least 2.");
                return 2;
            }
            var result = ExampleConsole.Train(progress => Experiment.Run(options, progress));
            ExampleConsole.Table(
                $"y = 3x + 2, {options.Points} points, {Format.G(options.OutlierFraction * 100)}% gross outliers, seed {options.Seed}",
                ["loss", "optimizer", "slope", "intercept", "|slope − 3|", "|intercept − 2|", "learned α", "learned c", "epochs", "time"],
                result.Fits.Select(f => (IReadOnlyList<string>)[f.Loss, f.Optimizer, Format.F(f.Slope), Format.F(f.Intercept),
                    Format.F(f.SlopeError), Format.F(f.InterceptError), f.Alpha is { } a ? Format.F(a) : "—",
                    f.Scale is { } c ? Format.F(c) : "—", f.Epochs.ToString(), Format.Ms(f.Time)]));
            ExampleConsole.Note("Adam is invariant to the loss's scale, so HuberLoss(δ) = δ·SmoothL1Loss(β=δ) gives the same line with Adam; " +
                "with SGD the two differ only in speed. Small β/δ behave like L1 (robust), large ones like MSE. " +
                "The adaptive loss learns its shape α (2 = MSE-like, 1 = pseudo-Huber, → 0 = Cauchy) and scale c with the line.");
            ExampleConsole.Figure(cli.FigurePath(parsed), () => Plot(result));
            return 0;
        });
    }

    private static Figure Plot(Result result)
    {
        var d = result.Data;
        var optimizers = result.Fits.Select(f => f.Optimizer).Distinct().ToList();
        var lossNames = result.Fits.Select(f => f.Loss).Distinct().ToList();
        var inliers = Enumerable.Range(0, d.X.Length).Where(i => !d.IsOutlier[i]).ToList();
        var outliers = Enumerable.Range(0, d.X.Length).Where(i => d.IsOutlier[i]).ToList();
        var figure = new Figure($"Robust linear regression: y = 3x + 2 with {d.IsOutlier.Count(o => o)} gross outliers out of {d.X.Length} points",
            1, optimizers.Count, 760, 680);
        for (var k = 0; k < optimizers.Count; k++)
        {
            var panel = figure[k].Labels(optimizers[k], "x", "y");
            panel.Points(inliers.Select(i => (double)d.X[i]).ToList(), inliers.Select(i => (double)d.Y[i]).ToList(), Style.Grey, "inliers", size: 5);
            panel.Points(outliers.Select(i => (double)d.X[i]).ToList(), outliers.Select(i => (double)d.Y[i]).ToList(), Style.Runs[0], "outliers",
                size: 8, shape: MarkerShape.Cross);
            panel.Function(x => 3 * x + 2, -2.1, 2.1, Colors.Black, "truth: 3x + 2", width: 3, pattern: LinePattern.Dashed);
            for (var i = 0; i < lossNames.Count; i++)
            {
                var fit = result.Get(lossNames[i], optimizers[k]);
                var pattern = fit.Loss.StartsWith("Huber", StringComparison.Ordinal) ? LinePattern.DenselyDashed : LinePattern.Solid;
                var name = fit.Alpha is { } alpha ? $"Adaptive α={Format.F(alpha, 3)} c={Format.F(fit.Scale!.Value, 2)}" : fit.Loss;
                panel.Function(x => fit.Slope * x + fit.Intercept, -2.1, 2.1, Style.Runs[i % Style.Runs.Length],
                    $"{name}: {Format.F(fit.Slope, 2)}x + {Format.F(fit.Intercept, 2)}", width: fit.Alpha is null ? 2 : 3.5f, pattern: pattern);
            }
            panel.Limits(-2.1, 2.1, -17, 20).Legend(Alignment.LowerLeft);
        }
        return figure;
    }
}
