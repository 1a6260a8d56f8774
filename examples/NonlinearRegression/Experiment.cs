using System.Diagnostics;
using Examples.Common;

namespace Examples.NonlinearRegression;

/// <summary>The experiment's settings; the defaults are the documented run.</summary>
/// <param name="TrainPoints">Noisy training samples.</param>
/// <param name="TestPoints">Clean test points on a grid over the same interval.</param>
/// <param name="NoiseScale">Scale of the Student-t noise.</param>
/// <param name="DegreesOfFreedom">ν of the Student-t noise (2: heavy tails, infinite variance).</param>
/// <param name="Hidden">Width of the MLP's two hidden layers.</param>
/// <param name="Epochs">Full-batch Adam steps per loss.</param>
/// <param name="Seed">Seeds the data and the initial weights.</param>
/// <param name="Threshold">Huber's δ and SmoothL1's β (where each turns from quadratic to linear).</param>
/// <param name="EvalEvery">Test error recorded every this many epochs (the training curves).</param>
public sealed record Options(
    int TrainPoints = 256,
    int TestPoints = 200,
    double NoiseScale = 0.2,
    double DegreesOfFreedom = 2,
    int Hidden = 32,
    int Epochs = 600,
    int Seed = 1,
    double Threshold = 0.2,
    int EvalEvery = 10);

/// <summary>Training samples and the clean test grid.</summary>
public sealed record Dataset(float[] TrainX, float[] TrainY, float[] TestX, float[] TestY);

/// <summary>One trained MLP.</summary>
/// <param name="Loss">The loss's display name.</param>
/// <param name="TestRmse">RMSE against the clean function on the test grid, after training.</param>
/// <param name="TestMae">Mean absolute error on the test grid, after training.</param>
/// <param name="TestPrediction">The MLP's output on the test grid.</param>
/// <param name="Curve">(epoch, training loss, test RMSE) every <see cref="Options.EvalEvery"/> epochs.</param>
/// <param name="Time">Wall-clock training time.</param>
public sealed record Fit(string Loss, double TestRmse, double TestMae, float[] TestPrediction,
    IReadOnlyList<(int Epoch, double TrainLoss, double TestRmse)> Curve, TimeSpan Time);

/// <summary>The data and every fit.</summary>
public sealed record Result(Dataset Data, IReadOnlyList<Fit> Fits)
{
    /// <summary>The fit whose loss name starts with <paramref name="loss"/>.</summary>
    public Fit Get(string loss) => Fits.Single(f => f.Loss.StartsWith(loss, StringComparison.Ordinal));
}

/// <summary>
/// Nonlinear regression with an MLP (<c>nn.Sequential</c> of Linear/Tanh) on y = sin(2x) + 0.3x over
/// [−3, 3] with Student-t noise (ν = 2). A few samples land far from the curve; MSE bends the fit
/// towards them, Huber and SmoothL1 treat them as L1 would and fit the curve itself. Compared on a
/// clean test grid.
/// </summary>
public static class Experiment
{
    private const double LearningRate = 0.01;

    /// <summary>The function to learn.</summary>
    public static double Truth(double x) => Math.Sin(2 * x) + 0.3 * x;

    /// <summary>Draws the data for <paramref name="options"/> (deterministic for a seed).</summary>
    public static Dataset MakeData(Options options)
    {
        var random = new Random(options.Seed);
        var trainX = new float[options.TrainPoints];
        var trainY = new float[options.TrainPoints];
        for (var i = 0; i < trainX.Length; i++)
        {
            trainX[i] = (float)random.Uniform(-3, 3);
            trainY[i] = (float)(Truth(trainX[i]) + options.NoiseScale * random.StudentT(options.DegreesOfFreedom));
        }
        var testX = new float[options.TestPoints];
        var testY = new float[options.TestPoints];
        for (var i = 0; i < testX.Length; i++)
        {
            testX[i] = (float)(-3 + 6.0 * i / (testX.Length - 1));
            testY[i] = (float)Truth(testX[i]);
        }
        return new Dataset(trainX, trainY, testX, testY);
    }

    /// <summary>The losses compared: TorchLosses modules.</summary>
    public static IEnumerable<(string Name, Func<Loss<Tensor, Tensor, Tensor>> Create)> Losses(Options options)
    {
        yield return ("MSE", () => losses.MSELoss());
        yield return ($"Huber δ={Format.G(options.Threshold)}", () => losses.HuberLoss(delta: options.Threshold));
        yield return ($"SmoothL1 β={Format.G(options.Threshold)}", () => losses.SmoothL1Loss(beta: options.Threshold));
    }

    /// <summary>The MLP: 1 → hidden → hidden → 1 with Tanh.</summary>
    public static torch.nn.Module<Tensor, Tensor> CreateModel(int hidden) =>
        nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(), nn.Linear(hidden, 1));

    /// <summary>Trains one MLP per loss, from the same initial weights.</summary>
    public static Result Run(Options options, Action<TrainingProgress>? progress = null)
    {
        var data = MakeData(options);
        var fits = new List<Fit>();
        // One untimed step first, so the first run's time does not include loading libtorch's kernels.
        using (var warmupLoss = losses.MSELoss()) Train(data, "warm-up", warmupLoss, options with { Epochs = 1 }, null);
        foreach (var (name, create) in Losses(options))
        {
            using var loss = create();
            fits.Add(Train(data, name, loss, options, progress));
        }
        return new Result(data, fits);
    }

    private static Fit Train(Dataset data, string lossName, Loss<Tensor, Tensor, Tensor> loss, Options options,
        Action<TrainingProgress>? progress)
    {
        var clock = Stopwatch.StartNew();
        using var x = torch.tensor(data.TrainX).reshape(-1, 1);
        using var y = torch.tensor(data.TrainY).reshape(-1, 1);
        using var testX = torch.tensor(data.TestX).reshape(-1, 1);

        using var model = CreateModel(options.Hidden);
        SeededInit.Reset(model, new Random(options.Seed));
        using var optimizer = torch.optim.Adam(model.parameters(), lr: LearningRate);

        var curve = new List<(int, double, double)>();
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            using var scope = torch.NewDisposeScope();      // frees this step's tensors; parameters live on
            model.train();
            optimizer.zero_grad();
            var output = loss.call(model.call(x), y);
            output.backward();
            // ScalarOwnership: TorchSharp's Adam makes Scalars of its hyperparameters inside step(); no caller can own them.
            optimizer.step();
            if (epoch % options.EvalEvery == 0 || epoch == options.Epochs)
                curve.Add((epoch, output.item<float>(), Rmse(Predict(model, testX), data.TestY)));
            progress?.Invoke(new TrainingProgress(lossName, epoch, options.Epochs, epoch == options.Epochs));
        }

        var prediction = Predict(model, testX);
        var mae = prediction.Zip(data.TestY, (p, t) => Math.Abs(p - t)).Average();
        return new Fit(lossName, Rmse(prediction, data.TestY), mae, prediction, curve, clock.Elapsed);
    }

    private static float[] Predict(torch.nn.Module<Tensor, Tensor> model, Tensor x)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        model.eval();
        return model.call(x).data<float>().ToArray();
    }

    private static double Rmse(float[] prediction, float[] truth) =>
        Math.Sqrt(prediction.Zip(truth, (p, t) => (double)(p - t) * (p - t)).Average());
}
