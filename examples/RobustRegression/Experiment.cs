using System.Diagnostics;
using Examples.Common;

namespace Examples.RobustRegression;

/// <summary>The experiment's settings; the defaults are the documented run.</summary>
/// <param name="Points">Number of samples.</param>
/// <param name="OutlierFraction">Share of samples turned into gross outliers. Range: [0, 1).</param>
/// <param name="NoiseStd">Standard deviation of the Gaussian noise on the inliers.</param>
/// <param name="Seed">Seeds the data and the initial weights.</param>
/// <param name="MaxEpochs">Epoch budget per run (full-batch steps); a run stops early once its loss stalls.</param>
/// <param name="Betas">SmoothL1Loss β values to try.</param>
/// <param name="Deltas">HuberLoss δ values to try.</param>
/// <param name="Optimizers">"SGD" (lr 0.05, momentum 0.9) and/or "Adam" (lr 0.05).</param>
/// <param name="Adaptive">Whether to also fit with Barron's adaptive loss (α and c learned with the line).</param>
public sealed record Options(
    int Points = 200,
    double OutlierFraction = 0.2,
    double NoiseStd = 0.3,
    int Seed = 1,
    int MaxEpochs = 1000,
    IReadOnlyList<double>? Betas = null,
    IReadOnlyList<double>? Deltas = null,
    IReadOnlyList<string>? Optimizers = null,
    bool Adaptive = true)
{
    /// <summary>β values, default 0.1, 0.5 and 2.</summary>
    public IReadOnlyList<double> BetaValues => Betas ?? [0.1, 0.5, 2.0];

    /// <summary>δ values, default 0.1, 0.5 and 2.</summary>
    public IReadOnlyList<double> DeltaValues => Deltas ?? [0.1, 0.5, 2.0];

    /// <summary>Optimizers, default both.</summary>
    public IReadOnlyList<string> OptimizerNames => Optimizers ?? ["SGD", "Adam"];
}

/// <summary>The samples: x, y, and which samples are outliers.</summary>
public sealed record Dataset(float[] X, float[] Y, bool[] IsOutlier);

/// <summary>One trained line.</summary>
/// <param name="Loss">The loss, e.g. "SmoothL1 β=0.5" (SmoothL1Loss with beta 0.5).</param>
/// <param name="Optimizer">"SGD" or "Adam".</param>
/// <param name="Slope">The learned weight.</param>
/// <param name="Intercept">The learned bias.</param>
/// <param name="Epochs">Epochs run (fewer than the budget when the loss stalled first).</param>
/// <param name="Time">Wall-clock training time.</param>
/// <param name="Alpha">The shape α the adaptive loss learned (null for the fixed losses).</param>
/// <param name="Scale">The scale c the adaptive loss learned (null for the fixed losses).</param>
public sealed record Fit(string Loss, string Optimizer, double Slope, double Intercept, int Epochs, TimeSpan Time,
    double? Alpha = null, double? Scale = null)
{
    /// <summary>|slope − 3|.</summary>
    public double SlopeError => Math.Abs(Slope - Experiment.TrueSlope);

    /// <summary>|intercept − 2|.</summary>
    public double InterceptError => Math.Abs(Intercept - Experiment.TrueIntercept);
}

/// <summary>The data and every fit.</summary>
public sealed record Result(Dataset Data, IReadOnlyList<Fit> Fits)
{
    /// <summary>The fit of <paramref name="loss"/> with <paramref name="optimizer"/>.</summary>
    public Fit Get(string loss, string optimizer) => Fits.Single(f => f.Loss == loss && f.Optimizer == optimizer);
}

/// <summary>
/// Robust linear regression. The data follow y = 3x + 2 + N(0, σ²) for x in [−2, 2], except a fraction
/// of samples whose y is displaced by a gross error of 8 to 16 against the trend (down where x &gt; 0,
/// up where x &lt; 0), as a faulty sensor might. The same <c>nn.Linear(1, 1)</c> is trained on them
/// with each loss. MSE follows the outliers (its gradient grows with the residual); L1 and, for small
/// β/δ, SmoothL1 and Huber cap each sample's pull and recover the true line. Barron's adaptive loss
/// (<c>AdaptiveRobustLoss</c>, α in (0.001, 1.999), starting at α = 1, c = 1) learns its shape α and scale c
/// with the line, by maximum likelihood: on data with outliers it lowers α toward the heavy-tailed end.
/// </summary>
public static class Experiment
{
    /// <summary>The true slope.</summary>
    public const double TrueSlope = 3;

    /// <summary>The true intercept.</summary>
    public const double TrueIntercept = 2;

    /// <summary>Display name of Barron's adaptive loss.</summary>
    public const string AdaptiveName = "Adaptive (Barron)";

    private const double LearningRate = 0.05;
    private const int Patience = 50;           // epochs without a new best loss before a run stops
    private const double RelativeTolerance = 1e-6;

    /// <summary>Draws the data set for <paramref name="options"/> (deterministic for a seed).</summary>
    public static Dataset MakeData(Options options)
    {
        var random = new Random(options.Seed);
        var n = options.Points;
        var x = new float[n];
        var y = new float[n];
        for (var i = 0; i < n; i++)
        {
            x[i] = (float)random.Uniform(-2, 2);
            y[i] = (float)(TrueSlope * x[i] + TrueIntercept + options.NoiseStd * random.Normal());
        }
        var outlier = new bool[n];
        foreach (var i in random.Choose(n, (int)Math.Round(options.OutlierFraction * n)))
        {
            outlier[i] = true;
            y[i] -= (float)(Math.Sign(x[i]) * random.Uniform(8, 16));
        }
        return new Dataset(x, y, outlier);
    }

    /// <summary>The losses compared, by display name: TorchLosses modules, used as any TorchSharp loss.</summary>
    public static IEnumerable<(string Name, Func<Loss<Tensor, Tensor, Tensor>> Create)> Losses(Options options)
    {
        yield return ("MSE", () => losses.MSELoss());
        yield return ("L1", () => losses.L1Loss());
        foreach (var beta in options.BetaValues)
            yield return ($"SmoothL1 β={Format.G(beta)}", () => losses.SmoothL1Loss(beta: beta));
        foreach (var delta in options.DeltaValues)
            yield return ($"Huber δ={Format.G(delta)}", () => losses.HuberLoss(delta: delta));
        if (options.Adaptive) yield return (AdaptiveName, () => losses.AdaptiveRobustLoss());
    }

    /// <summary>Trains one line per (loss, optimizer) and reports progress per run.</summary>
    public static Result Run(Options options, Action<TrainingProgress>? progress = null)
    {
        var data = MakeData(options);
        var fits = new List<Fit>();
        // One untimed step first, so the first run's time does not include loading libtorch's kernels.
        using (var warmupLoss = losses.MSELoss()) Train(data, "warm-up", warmupLoss, "SGD", options with { MaxEpochs = 1 }, null);
        foreach (var optimizer in options.OptimizerNames)
            foreach (var (name, create) in Losses(options))
            {
                using var loss = create();
                fits.Add(Train(data, name, loss, optimizer, options, progress));
            }
        return new Result(data, fits);
    }

    private static Fit Train(Dataset data, string lossName, Loss<Tensor, Tensor, Tensor> loss, string optimizerName,
        Options options, Action<TrainingProgress>? progress)
    {
        var runName = $"{lossName} / {optimizerName}";
        var clock = Stopwatch.StartNew();
        using var x = torch.tensor(data.X).reshape(-1, 1);
        using var y = torch.tensor(data.Y).reshape(-1, 1);

        using var model = nn.Linear(1, 1);
        SeededInit.Reset(model, new Random(options.Seed));
        // A loss with parameters of its own (the adaptive loss's α and c) learns them with the line.
        var parameters = model.parameters().Concat(loss.parameters()).ToList();
        using torch.optim.Optimizer optimizer = optimizerName switch
        {
            "SGD" => torch.optim.SGD(parameters, LearningRate, momentum: 0.9),
            "Adam" => torch.optim.Adam(parameters, lr: LearningRate),
            _ => throw new ArgumentException($"Unknown optimizer '{optimizerName}' (SGD or Adam).", nameof(optimizerName)),
        };

        var best = double.PositiveInfinity;
        var sinceBest = 0;
        var epoch = 0;
        while (epoch < options.MaxEpochs && sinceBest < Patience)
        {
            epoch++;
            using (var scope = torch.NewDisposeScope())     // frees this step's tensors; parameters live on
            {
                optimizer.zero_grad();
                var output = loss.call(model.call(x), y);
                output.backward();
                optimizer.step();
                var value = output.item<float>();
                if (epoch == 1 || value < best - RelativeTolerance * Math.Abs(best)) (best, sinceBest) = (value, 0);
                else sinceBest++;
            }
            progress?.Invoke(new TrainingProgress(runName, epoch, options.MaxEpochs));
        }
        progress?.Invoke(new TrainingProgress(runName, epoch, options.MaxEpochs, Finished: true));

        var slope = model.weight.item<float>();
        var intercept = model.bias!.item<float>();
        double? alpha = null, scale = null;
        if (loss is TorchLosses.Modules.AdaptiveRobustLoss adaptive)
            using (torch.no_grad())
            using (var a = adaptive.alpha())
            using (var c = adaptive.scale())
                (alpha, scale) = (a.item<float>(), c.item<float>());
        return new Fit(lossName, optimizerName, slope, intercept, epoch, clock.Elapsed, alpha, scale);
    }
}
