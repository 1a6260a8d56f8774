using Examples.Common;
using ScottPlot;
using TorchLosses.Figures;

namespace Examples.Embedding;

/// <summary>dotnet run -c Release --project examples/Embedding [-- --steps 300 --seed 7]</summary>
public static class Program
{
    /// <summary>Parses the options, trains with a progress bar, prints the table and draws the figure.</summary>
    public static int Main(string[] args)
    {
        var cli = new ExampleCli("Representation learning: a tiny encoder trained with the supervised contrastive loss (SupCon) on clustered data hidden in noise; reports held-out nearest-neighbour accuracy against the untrained encoder.", "embedding");
        var steps = cli.Add("--steps", "Adam steps on random batches.", 300);
        var noiseDims = cli.Add("--noise-dims", "Input dimensions of pure noise (the class lives in 4 others).", 28);
        var temperature = cli.Add("--temperature", "SupCon's temperature τ, > 0.", 0.1);
        return cli.Run(args, parsed =>
        {
            var options = new Options(Steps: parsed.GetValue(steps), NoiseDims: parsed.GetValue(noiseDims),
                Temperature: parsed.GetValue(temperature), Seed: parsed.GetValue(cli.Seed));
            if (options.Steps < 0 || options.NoiseDims < 0 || !(options.Temperature > 0))
            {
                Console.Error.WriteLine("--steps and --noise-dims must be at least 0 and --temperature positive.");
                return 2;
            }
            var result = ExampleConsole.Train(progress => Experiment.Run(options, progress));
            ExampleConsole.Table(
                $"{options.Classes} clusters in {options.SignalDims} of {options.SignalDims + options.NoiseDims} dimensions, {result.Train.Count} training / {result.Test.Count} held-out samples, seed {options.Seed}",
                ["representation", "nearest-neighbour accuracy", "dimensions"],
                new[] { result.Raw, result.Untrained, result.Trained }.Select(r => (IReadOnlyList<string>)[r.Name, Format.F(r.Accuracy), r.Dims.ToString()]));
            ExampleConsole.Note($"Each held-out sample takes the class of its nearest training sample by cosine similarity; chance is {Format.F(1.0 / options.Classes)}. " +
                $"SupCon τ = {Format.G(options.Temperature)}, {options.Steps} Adam steps on batches of {options.Batch}, {Format.Ms(result.Time)}; " +
                $"loss {Format.F(result.Losses.FirstOrDefault())} → {Format.F(result.Losses.LastOrDefault())}.");
            ExampleConsole.Figure(cli.FigurePath(parsed), () => Plot(result));
            return 0;
        });
    }

    private static Figure Plot(Result result)
    {
        var figure = new Figure("Held-out embeddings (first two principal components, unit-normalised rows), coloured by class", 1, 2, 620, 600);
        foreach (var (panel, representation) in new[] { (figure[0], result.Untrained), (figure[1], result.Trained) })
        {
            var (x, y) = Projection.FirstTwoComponents(representation.TestEmbeddings, representation.Dims);
            panel.Labels($"{representation.Name}: nearest-neighbour accuracy {Format.F(representation.Accuracy)}", "PC 1", "PC 2");
            var classes = result.Test.Labels.Distinct().Order().ToList();
            foreach (var k in classes)
            {
                var rows = Enumerable.Range(0, result.Test.Count).Where(i => result.Test.Labels[i] == k).ToList();
                panel.Points(rows.Select(i => x[i]).ToList(), rows.Select(i => y[i]).ToList(), Style.Runs[(int)k % Style.Runs.Length],
                    $"class {k}", size: 6);
            }
            panel.Legend(null);
        }
        return figure;
    }
}

/// <summary>A two-dimensional view of embeddings for the figure.</summary>
public static class Projection
{
    /// <summary>The rows scaled to unit length, centred, and projected on their first two principal components.</summary>
    public static (double[] X, double[] Y) FirstTwoComponents(float[] rowMajor, int dims)
    {
        using var scope = torch.NewDisposeScope();
        var rows = nn.functional.normalize(torch.tensor(rowMajor).reshape(-1, dims).to(torch.float64), dim: 1);
        var centred = rows - rows.mean(new long[] { 0 }, keepdim: true);
        var (_, _, v) = torch.linalg.svd(centred, fullMatrices: false);
        var projected = centred.matmul(v[..2].t()).contiguous();
        return (projected[.., 0].contiguous().data<double>().ToArray(), projected[.., 1].contiguous().data<double>().ToArray());
    }
}
