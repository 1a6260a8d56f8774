using System.CommandLine;
using Examples.Common;

namespace Examples.NonlinearRegression;

/// <summary>dotnet run -c Release --project examples/NonlinearRegression [-- --seed 7 --epochs 3000]</summary>
public static class Program
{
    /// <summary>Parses the options, trains with a progress bar, prints the table and draws the figure.</summary>
    public static int Main(string[] args)
    {
        var cli = new ExampleCli("Fits an MLP to sin(2x) + 0.3x with heavy-tailed noise using MSE, Huber and SmoothL1 losses.", "nonlinear-regression");
        var points = cli.Add("--points", "Number of noisy training samples.", 256);
        var noise = cli.Add("--noise", "Scale of the Student-t (ν = 2) noise.", 0.2);
        var threshold = cli.Add("--threshold", "Huber's δ and SmoothL1's β.", 0.2);
        var epochs = cli.Add("--epochs", "Full-batch Adam steps per loss.", 600);
        return cli.Run(args, parsed =>
        {
            var options = new Options(TrainPoints: parsed.GetValue(points), NoiseScale: parsed.GetValue(noise),
                Threshold: parsed.GetValue(threshold), Epochs: parsed.GetValue(epochs), Seed: parsed.GetValue(cli.Seed));
            var result = ExampleConsole.Train(progress => Experiment.Run(options, progress));
            ExampleConsole.Table(
                $"MLP on sin(2x) + 0.3x, {options.TrainPoints} samples with {Format.G(options.NoiseScale)}·t(ν=2) noise, clean test grid, seed {options.Seed}",
                ["loss", "test RMSE", "test MAE", "final train loss", "epochs", "time"],
                result.Fits.Select(f => (IReadOnlyList<string>)[f.Loss, Format.F(f.TestRmse), Format.F(f.TestMae),
                    Format.F(f.Curve[^1].TrainLoss, 4), options.Epochs.ToString(), Format.Ms(f.Time)]));
            var d = result.Data;
            var far = d.TrainX.Select((x, i) => Math.Abs(d.TrainY[i] - Experiment.Truth(x))).Count(r => r > 1);
            ExampleConsole.Note($"{far} of {d.TrainX.Length} training samples lie more than 1 away from the curve; MSE's gradient grows with that distance, Huber's and SmoothL1's does not.");
            ExampleConsole.Figure(cli.FigurePath(parsed), path => Plot(result, path));
            return 0;
        });
    }

    private static string? Plot(Result result, string path)
    {
        var figure = new GnuplotFigure("nonlinear-regression");
        var d = result.Data;
        var train = figure.Data("train.dat", "x y", d.TrainX.Select((x, i) => new double[] { x, d.TrainY[i] }));
        var fits = figure.Data("fits.dat", "x truth " + string.Join(' ', result.Fits.Select(f => f.Loss.Replace(' ', '_'))),
            d.TestX.Select((x, i) => new double[] { x, d.TestY[i] }.Concat(result.Fits.Select(f => (double)f.TestPrediction[i]))));
        var curves = figure.Blocks("curves.dat", "epoch train_loss test_rmse (one block per loss)",
            result.Fits.Select(f => f.Curve.Select(c => new double[] { c.Epoch, c.TrainLoss, c.TestRmse })));
        string[] colors = ["#d62728", "#1f77b4", "#2ca02c"];

        var left = new List<string>
        {
            $"{train} using 1:2 with points pt 7 ps 0.45 lc rgb '#9a9a9a' title 'noisy training samples'",
            $"{fits} using 1:2 with lines dt 2 lw 3 lc rgb 'black' title 'truth: sin(2x) + 0.3x'",
        };
        var right = new List<string>();
        for (var i = 0; i < result.Fits.Count; i++)
        {
            var f = result.Fits[i];
            var label = GnuplotFigure.Label(f.Loss);
            left.Add($"{fits} using 1:{i + 3} with lines lw 2.5 lc rgb '{colors[i % colors.Length]}' title '{label} (test RMSE {Format.F(f.TestRmse)})'");
            right.Add($"{curves} index {i} using 1:3 with lines lw 2.5 lc rgb '{colors[i % colors.Length]}' title '{label}'");
        }
        var body = $"""
            set multiplot layout 1,2 title 'MLP regression with heavy-tailed (Student-t, ν = 2) noise' font ',14'
            set grid lc rgb '#dddddd'
            set title 'Fit (samples beyond the y range are not drawn)'
            set xlabel 'x'; set ylabel 'y'; set xrange [-3:3]; set yrange [-2.5:2.5]
            set key bottom right box opaque font ',9'
            plot {string.Join(", \\\n     ", left)}
            set title 'Training curves'
            set xlabel 'epoch'; set ylabel 'RMSE against the clean function (test grid)'
            set autoscale x; set autoscale y; set logscale y; set format y '%g'
            set key top right box opaque font ',10'
            plot {string.Join(", \\\n     ", right)}
            unset multiplot
            """;
        return figure.Render(path, 1400, 600, body);
    }
}
