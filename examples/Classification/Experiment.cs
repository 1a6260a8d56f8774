using System.Diagnostics;
using Examples.Common;

namespace Examples.Classification;

/// <summary>The experiment's settings; the defaults are the documented run.</summary>
/// <param name="TrainCounts">Training samples per class (imbalanced).</param>
/// <param name="TestPerClass">Test samples per class (balanced, so accuracy is the mean per-class recall).</param>
/// <param name="Spread">Standard deviation of each blob.</param>
/// <param name="LabelSmoothing">CrossEntropyLoss's label_smoothing for the smoothed run. Range: [0, 1].</param>
/// <param name="Epochs">Full-batch Adam steps per run.</param>
/// <param name="Seed">Seeds the data and the initial weights.</param>
public sealed record Options(
    IReadOnlyList<int>? TrainCounts = null,
    int TestPerClass = 250,
    double Spread = 1.0,
    double LabelSmoothing = 0.1,
    int Epochs = 300,
    int Seed = 1)
{
    /// <summary>Per-class training counts, default 400, 150, 50, 20.</summary>
    public IReadOnlyList<int> Counts => TrainCounts ?? [400, 150, 50, 20];
}

/// <summary>Points (row-major n × 2) and their class labels.</summary>
public sealed record Split(float[] Points, long[] Labels);

/// <summary>One trained classifier.</summary>
/// <param name="Loss">The run's name.</param>
/// <param name="Recall">Per-class recall on the balanced test set.</param>
/// <param name="Accuracy">Test accuracy (= mean recall, the test set being balanced).</param>
/// <param name="Confidence">Mean of the largest softmax probability on the test set.</param>
/// <param name="Grid">Predicted class on the plotting grid (<see cref="Experiment.GridSize"/>², row-major, y outer).</param>
/// <param name="Time">Wall-clock training time.</param>
public sealed record Fit(string Loss, double[] Recall, double Accuracy, double Confidence, int[] Grid, TimeSpan Time);

/// <summary>The data and every fit.</summary>
public sealed record Result(Split Train, Split Test, double[] ClassWeights, IReadOnlyList<Fit> Fits)
{
    /// <summary>The fit named <paramref name="loss"/>.</summary>
    public Fit Get(string loss) => Fits.Single(f => f.Loss == loss);
}

/// <summary>
/// Four Gaussian blobs in the plane with 400, 150, 50 and 20 training samples. A small MLP is trained
/// with CrossEntropyLoss three ways: plain; with label smoothing (softer, less over-confident
/// probabilities); with class weights n / (C · n_c) (the rare classes count as much as the common
/// ones, so their recall rises at the common classes' expense).
/// </summary>
public static class Experiment
{
    /// <summary>Blob centres, one per class.</summary>
    public static readonly (double X, double Y)[] Centres = [(-1.2, -1.2), (1.2, -1.2), (1.2, 1.2), (-1.2, 1.2)];

    /// <summary>The plotting grid covers [−Extent, Extent]².</summary>
    public const double Extent = 4;

    /// <summary>Grid points per side.</summary>
    public const int GridSize = 120;

    private const double LearningRate = 0.02;

    /// <summary>Draws the train and test splits (deterministic for a seed).</summary>
    public static (Split Train, Split Test) MakeData(Options options)
    {
        var random = new Random(options.Seed);
        return (Draw(options.Counts), Draw(Enumerable.Repeat(options.TestPerClass, Centres.Length).ToArray()));

        Split Draw(IReadOnlyList<int> counts)
        {
            var points = new List<float>();
            var labels = new List<long>();
            for (var c = 0; c < counts.Count; c++)
                for (var i = 0; i < counts[c]; i++)
                {
                    points.Add((float)(Centres[c].X + options.Spread * random.Normal()));
                    points.Add((float)(Centres[c].Y + options.Spread * random.Normal()));
                    labels.Add(c);
                }
            return new Split(points.ToArray(), labels.ToArray());
        }
    }

    /// <summary>Inverse-frequency class weights n / (C · n_c) (1 for every class when balanced).</summary>
    public static double[] ClassWeights(IReadOnlyList<int> counts) =>
        counts.Select(n => counts.Sum() / (double)(counts.Count * n)).ToArray();

    /// <summary>The three runs: TorchLosses' CrossEntropyLoss with different arguments.</summary>
    public static IEnumerable<(string Name, Func<Loss<Tensor, Tensor, Tensor>> Create)> Losses(Options options, double[] weights)
    {
        yield return ("CE", () => losses.CrossEntropyLoss());
        yield return ($"CE, smoothing {Format.G(options.LabelSmoothing)}", () => losses.CrossEntropyLoss(label_smoothing: options.LabelSmoothing));
        yield return ("CE, class weights", () => losses.CrossEntropyLoss(weight: torch.tensor(weights.Select(w => (float)w).ToArray())));
    }

    /// <summary>The classifier: 2 → 32 → 32 → C with ReLU.</summary>
    public static torch.nn.Module<Tensor, Tensor> CreateModel(int classes) =>
        nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, classes));

    /// <summary>Trains one classifier per loss, from the same initial weights.</summary>
    public static Result Run(Options options, Action<TrainingProgress>? progress = null)
    {
        var (train, test) = MakeData(options);
        var weights = ClassWeights(options.Counts);
        var fits = new List<Fit>();
        // One untimed step first, so the first run's time does not include loading libtorch's kernels.
        using (var warmupLoss = losses.CrossEntropyLoss()) Train(train, test, "warm-up", warmupLoss, options with { Epochs = 1 }, null);
        foreach (var (name, create) in Losses(options, weights))
        {
            using var loss = create();
            fits.Add(Train(train, test, name, loss, options, progress));
        }
        return new Result(train, test, weights, fits);
    }

    private static Fit Train(Split train, Split test, string lossName, Loss<Tensor, Tensor, Tensor> loss, Options options,
        Action<TrainingProgress>? progress)
    {
        var clock = Stopwatch.StartNew();
        var classes = Centres.Length;
        using var x = torch.tensor(train.Points).reshape(-1, 2);
        using var y = torch.tensor(train.Labels);

        using var model = CreateModel(classes);
        SeededInit.Reset(model, new Random(options.Seed));
        using var optimizer = torch.optim.Adam(model.parameters(), lr: LearningRate);

        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            using (var scope = torch.NewDisposeScope())     // frees this step's tensors; parameters live on
            {
                optimizer.zero_grad();
                var output = loss.call(model.call(x), y);
                output.backward();
                // ScalarOwnership: TorchSharp's Adam makes Scalars of its hyperparameters inside step(); no caller can own them.
                optimizer.step();
            }
            progress?.Invoke(new TrainingProgress(lossName, epoch, options.Epochs, epoch == options.Epochs));
        }

        var (predicted, confidence) = Predict(model, test.Points, classes);
        var recall = Enumerable.Range(0, classes).Select(c =>
        {
            var members = Enumerable.Range(0, test.Labels.Length).Where(i => test.Labels[i] == c).ToList();
            return members.Count(i => predicted[i] == c) / (double)members.Count;
        }).ToArray();
        var accuracy = predicted.Where((p, i) => p == test.Labels[i]).Count() / (double)predicted.Length;

        var grid = new float[GridSize * GridSize * 2];
        for (var row = 0; row < GridSize; row++)
            for (var col = 0; col < GridSize; col++)
            {
                grid[2 * (row * GridSize + col)] = (float)GridCoordinate(col);
                grid[2 * (row * GridSize + col) + 1] = (float)GridCoordinate(row);
            }
        var (gridClasses, _) = Predict(model, grid, classes);
        return new Fit(lossName, recall, accuracy, confidence.Average(), gridClasses, clock.Elapsed);
    }

    /// <summary>The coordinate of grid index <paramref name="i"/> (cell centres).</summary>
    public static double GridCoordinate(int i) => -Extent + 2 * Extent * (i + 0.5) / GridSize;

    private static (int[] Classes, double[] Confidence) Predict(torch.nn.Module<Tensor, Tensor> model, float[] points, int classes)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var probabilities = model.call(torch.tensor(points).reshape(-1, 2)).softmax(1).data<float>().ToArray();
        var n = probabilities.Length / classes;
        var predicted = new int[n];
        var confidence = new double[n];
        for (var i = 0; i < n; i++)
            for (var c = 0; c < classes; c++)
                if (probabilities[i * classes + c] > confidence[i])
                    (predicted[i], confidence[i]) = (c, probabilities[i * classes + c]);
        return (predicted, confidence);
    }
}
