using System.CommandLine;
using Examples.Common;
using ScottPlot;
using TorchLosses.Figures;

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
            ExampleConsole.Figure(cli.FigurePath(parsed), () => Plot(result));
            return 0;
        });
    }

    private static Figure Plot(Result result)
    {
        var d = result.Data;
        var figure = new Figure("MLP regression with heavy-tailed (Student-t, ν = 2) noise", 1, 2, 760, 640);
        var fit = figure[0].Labels("Fit (samples beyond the y range are not drawn)", "x", "y");
        var curves = figure[1].Labels("Training curves", "epoch", "RMSE against the clean function (test grid)");
        fit.Points(d.TrainX.Doubles(), d.TrainY.Doubles(), Style.Grey, "noisy training samples", size: 4);
        fit.Curve(d.TestX.Doubles(), d.TestY.Doubles(), Colors.Black, "truth: sin(2x) + 0.3x", width: 3, pattern: LinePattern.Dashed);
        for (var i = 0; i < result.Fits.Count; i++)
        {
            var f = result.Fits[i];
            var color = Style.Runs[i % Style.Runs.Length];
            fit.Curve(d.TestX.Doubles(), f.TestPrediction.Doubles(), color, $"{f.Loss} (test RMSE {Format.F(f.TestRmse)})", width: 2.5f);
            curves.Curve(f.Curve.Select(c => (double)c.Epoch).ToList(), Draw.Log10(f.Curve.Select(c => c.TestRmse)), color, f.Loss, width: 2.5f);
        }
        fit.Limits(-3, 3, -2.5, 2.5).Legend(Alignment.LowerRight);
        var rmse = result.Fits.SelectMany(f => f.Curve.Select(c => c.TestRmse)).ToList();
        curves.LogY(rmse.Min(), rmse.Max()).Legend(Alignment.UpperRight);
        return figure;
    }
}
