using System.CommandLine;
using Examples.Common;

namespace Examples.RobustRegression;

/// <summary>dotnet run -c Release --project examples/RobustRegression [-- --outliers 0.3 --seed 7]</summary>
public static class Program
{
    /// <summary>Parses the options, trains with a progress bar, prints the table and draws the figure.</summary>
    public static int Main(string[] args)
    {
        var cli = new ExampleCli("Fits y = 3x + 2 with gross outliers using MSE, L1, SmoothL1 and Huber losses.", "robust-regression");
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
                ["loss", "optimizer", "slope", "intercept", "|slope − 3|", "|intercept − 2|", "epochs", "time"],
                result.Fits.Select(f => (IReadOnlyList<string>)[f.Loss, f.Optimizer, Format.F(f.Slope), Format.F(f.Intercept),
                    Format.F(f.SlopeError), Format.F(f.InterceptError), f.Epochs.ToString(), Format.Ms(f.Time)]));
            ExampleConsole.Note("Adam is invariant to the loss's scale, so HuberLoss(δ) = δ·SmoothL1Loss(β=δ) gives the same line with Adam; " +
                "with SGD the two differ only in speed. Small β/δ behave like L1 (robust), large ones like MSE.");
            ExampleConsole.Figure(cli.FigurePath(parsed), path => Plot(result, path));
            return 0;
        });
    }

    private static string? Plot(Result result, string path)
    {
        var figure = new GnuplotFigure("robust-regression");
        var d = result.Data;
        var inliers = figure.Data("inliers.dat", "x y", Enumerable.Range(0, d.X.Length).Where(i => !d.IsOutlier[i]).Select(i => new double[] { d.X[i], d.Y[i] }));
        var outliers = figure.Data("outliers.dat", "x y", Enumerable.Range(0, d.X.Length).Where(i => d.IsOutlier[i]).Select(i => new double[] { d.X[i], d.Y[i] }));
        var optimizers = result.Fits.Select(f => f.Optimizer).Distinct().ToList();
        var lossNames = result.Fits.Select(f => f.Loss).Distinct().ToList();
        string[] palette = ["#d62728", "#1f77b4", "#2ca02c", "#17becf", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#bcbd22", "#7f7f7f"];

        var body = new System.Text.StringBuilder();
        body.AppendLine($"set multiplot layout 1,{optimizers.Count} title 'Robust linear regression: y = 3x + 2 with {Format.G(d.IsOutlier.Count(o => o))} gross outliers out of {d.X.Length} points' font ',14'");
        body.AppendLine("set xlabel 'x'; set ylabel 'y'; set grid lc rgb '#dddddd'; set key bottom left box opaque font ',9' spacing 1.1 width -2");
        body.AppendLine("set xrange [-2.1:2.1]; set yrange [-17:20]");
        foreach (var optimizer in optimizers)
        {
            body.AppendLine($"set title '{optimizer}'");
            var series = new List<string>
            {
                $"{inliers} using 1:2 with points pt 7 ps 0.5 lc rgb '#9a9a9a' title 'inliers'",
                $"{outliers} using 1:2 with points pt 2 ps 0.9 lw 1.5 lc rgb '#d62728' title 'outliers'",
                $"3*x + 2 with lines dt 2 lw 3 lc rgb 'black' title 'truth: 3x + 2'",
            };
            for (var i = 0; i < lossNames.Count; i++)
            {
                var fit = result.Get(lossNames[i], optimizer);
                var dash = fit.Loss.StartsWith("Huber", StringComparison.Ordinal) ? "dt 4 " : "";
                series.Add($"{Format.G(fit.Slope)}*x + {Format.G(fit.Intercept)} with lines {dash}lw 2 lc rgb '{palette[i % palette.Length]}' " +
                           $"title '{GnuplotFigure.Label($"{fit.Loss}: {Format.F(fit.Slope, 2)}x + {Format.F(fit.Intercept, 2)}")}'");
            }
            body.AppendLine("plot " + string.Join(", \\\n     ", series));
        }
        body.AppendLine("unset multiplot");
        return figure.Render(path, 700 * optimizers.Count, 620, body.ToString());
    }
}
