using System.Diagnostics;
using Examples.Common;

namespace Examples.Segmentation;

/// <summary>The experiment's settings; the defaults are the documented run.</summary>
/// <param name="TrainImages">Training images.</param>
/// <param name="TestImages">Held-out images.</param>
/// <param name="Size">Side of the square images in pixels.</param>
/// <param name="Noise">Standard deviation of the pixel noise (the objects are +1 over the background).</param>
/// <param name="Epochs">Full-batch Adam steps per loss.</param>
/// <param name="Seed">Seeds the data and the initial weights.</param>
/// <param name="EvalEvery">Test IoU recorded every this many epochs.</param>
public sealed record Options(
    int TrainImages = 48,
    int TestImages = 48,
    int Size = 32,
    double Noise = 0.6,
    int Epochs = 120,
    int Seed = 1,
    int EvalEvery = 10);

/// <summary>Images (N × Size × Size, row-major) and their 0/1 foreground masks.</summary>
/// <param name="Images">Pixel values.</param>
/// <param name="Masks">1 on the foreground, 0 elsewhere.</param>
/// <param name="Count">Number of images.</param>
/// <param name="Size">Side of each image.</param>
public sealed record Split(float[] Images, float[] Masks, int Count, int Size)
{
    /// <summary>Share of foreground pixels.</summary>
    public double ForegroundShare => Masks.Average(m => (double)m);
}

/// <summary>One trained segmenter.</summary>
/// <param name="Loss">The loss's display name.</param>
/// <param name="IoU">Foreground IoU on the test set after training (pixels with probability &gt; 0.5 against the masks, pooled over all test images).</param>
/// <param name="Precision">Share of predicted foreground pixels that are foreground.</param>
/// <param name="Recall">Share of foreground pixels predicted as foreground.</param>
/// <param name="Curve">(epoch, test foreground IoU).</param>
/// <param name="Predictions">Predicted 0/1 masks of the test images, like <see cref="Split.Masks"/>.</param>
/// <param name="Time">Wall-clock training time.</param>
public sealed record Fit(string Loss, double IoU, double Precision, double Recall, IReadOnlyList<(int Epoch, double IoU)> Curve,
    float[] Predictions, TimeSpan Time);

/// <summary>The data and every fit.</summary>
/// <param name="Train">Training split.</param>
/// <param name="Test">Held-out split.</param>
/// <param name="Fits">One per loss.</param>
public sealed record Result(Split Train, Split Test, IReadOnlyList<Fit> Fits)
{
    /// <summary>The fit named <paramref name="loss"/>.</summary>
    public Fit Get(string loss) => Fits.Single(f => f.Loss == loss);
}

/// <summary>
/// Binary segmentation with a small foreground. Each image holds one to three small bright discs (the foreground, about 5% of
/// the pixels) and one or two larger, dimmer blobs (background that looks a little like foreground), under Gaussian pixel
/// noise. A three-layer conv net predicts a foreground logit per pixel; each loss trains it from the same initial weights, and
/// the held-out foreground IoU scores it.
/// </summary>
public static class Experiment
{
    private const double LearningRate = 0.01;

    /// <summary>Draws the train and test splits (deterministic for a seed).</summary>
    public static (Split Train, Split Test) MakeData(Options options)
    {
        var random = new Random(options.Seed);
        return (Draw(random, options.TrainImages, options), Draw(random, options.TestImages, options));
    }

    private static Split Draw(Random random, int count, Options options)
    {
        int size = options.Size, pixels = size * size;
        var images = new float[count * pixels];
        var masks = new float[count * pixels];
        for (var n = 0; n < count; n++)
        {
            var clean = new double[pixels];
            // Distractors: wide, dim blobs (a Gaussian bump of height 0.6), background all the same.
            for (int k = 0, blobs = random.Next(1, 3); k < blobs; k++)
            {
                double cx = random.Uniform(0, size), cy = random.Uniform(0, size), s = random.Uniform(3, 5);
                for (var y = 0; y < size; y++)
                for (var x = 0; x < size; x++)
                    clean[y * size + x] += 0.6 * Math.Exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * s * s));
            }
            // Foreground: small discs of radius 2 to 3.5 at height 1.
            for (int k = 0, discs = random.Next(1, 4); k < discs; k++)
            {
                double cx = random.Uniform(3, size - 3), cy = random.Uniform(3, size - 3), r = random.Uniform(2, 3.5);
                for (var y = 0; y < size; y++)
                for (var x = 0; x < size; x++)
                    if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) masks[n * pixels + y * size + x] = 1;
            }
            for (var i = 0; i < pixels; i++)
                images[n * pixels + i] = (float)(clean[i] + masks[n * pixels + i] + options.Noise * random.Normal());
        }
        return new Split(images, masks, count, size);
    }

    /// <summary>The losses compared, each a function of (logits, masks) of shape (N, 1, H, W).</summary>
    public static IEnumerable<(string Name, Func<LossFunction> Create)> Losses()
    {
        yield return ("BCE", () => new LossFunction(losses.BCEWithLogitsLoss()));
        yield return ("focal α=0.25 γ=2", () => new LossFunction(losses.SigmoidFocalLoss(reduction: torch.nn.Reduction.Mean)));
        yield return ("Dice", () => new LossFunction(losses.DiceLoss(mode: TorchLosses.SegmentationMode.Binary)));
        yield return ("BCE + Dice", () => new LossFunction(losses.BCEWithLogitsLoss(), losses.DiceLoss(mode: TorchLosses.SegmentationMode.Binary)));
    }

    /// <summary>The segmenter: 3×3 conv (8 channels), 3×3 conv with dilation 2 (8 channels), 1×1 conv to one logit per pixel.</summary>
    public static torch.nn.Module<Tensor, Tensor> CreateModel() =>
        nn.Sequential(nn.Conv2d(1, 8, 3, padding: 1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding: 2, dilation: 2), nn.ReLU(), nn.Conv2d(8, 1, 1));

    /// <summary>Trains one segmenter per loss, from the same initial weights.</summary>
    public static Result Run(Options options, Action<TrainingProgress>? progress = null)
    {
        var (train, test) = MakeData(options);
        var fits = new List<Fit>();
        // One untimed step first, so the first run's time does not include loading libtorch's kernels.
        using (var warmup = new LossFunction(losses.BCEWithLogitsLoss())) Train(train, test, "warm-up", warmup, options with { Epochs = 1 }, null);
        foreach (var (name, create) in Losses())
        {
            using var loss = create();
            fits.Add(Train(train, test, name, loss, options, progress));
        }
        return new Result(train, test, fits);
    }

    private static Fit Train(Split train, Split test, string lossName, LossFunction loss, Options options, Action<TrainingProgress>? progress)
    {
        var clock = Stopwatch.StartNew();
        using var x = Images(train.Images, train);
        using var y = Images(train.Masks, train);
        using var testX = Images(test.Images, test);

        using var model = CreateModel();
        SeededInit.Reset(model, new Random(options.Seed));
        using var optimizer = torch.optim.Adam(model.parameters(), lr: LearningRate);

        var curve = new List<(int, double)>();
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            using (var scope = torch.NewDisposeScope())     // frees this step's tensors; parameters live on
            {
                model.train();
                optimizer.zero_grad();
                loss.Call(model.call(x), y).backward();
                // ScalarOwnership: TorchSharp's Adam makes Scalars of its hyperparameters inside step(); no caller can own them.
                optimizer.step();
            }
            if (epoch % options.EvalEvery == 0 || epoch == options.Epochs)
                curve.Add((epoch, Score(Predict(model, testX), test.Masks).IoU));
            progress?.Invoke(new TrainingProgress(lossName, epoch, options.Epochs, epoch == options.Epochs));
        }
        var predictions = Predict(model, testX);
        var (iou, precision, recall) = Score(predictions, test.Masks);
        return new Fit(lossName, iou, precision, recall, curve, predictions, clock.Elapsed);
    }

    private static Tensor Images(float[] values, Split split) => torch.tensor(values).reshape(split.Count, 1, split.Size, split.Size);

    /// <summary>0/1 masks: probability above ½, i.e. a positive logit.</summary>
    private static float[] Predict(torch.nn.Module<Tensor, Tensor> model, Tensor images)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        model.eval();
        return model.call(images).gt(Scalars.Zero).to(ScalarType.Float32).flatten().data<float>().ToArray();
    }

    /// <summary>Foreground IoU, precision and recall of 0/1 predictions, pooled over all pixels (0 where undefined).</summary>
    public static (double IoU, double Precision, double Recall) Score(float[] predicted, float[] truth)
    {
        long both = 0, predictedOnly = 0, truthOnly = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            bool p = predicted[i] > 0.5f, t = truth[i] > 0.5f;
            if (p && t) both++;
            else if (p) predictedOnly++;
            else if (t) truthOnly++;
        }
        static double Ratio(long a, long b) => b == 0 ? 0 : (double)a / b;
        return (Ratio(both, both + predictedOnly + truthOnly), Ratio(both, both + predictedOnly), Ratio(both, both + truthOnly));
    }
}

/// <summary>A training loss of (logits, masks): one TorchLosses module, or the sum of several (BCE + Dice). It owns the modules.</summary>
public sealed class LossFunction(params Loss<Tensor, Tensor, Tensor>[] terms) : IDisposable
{
    /// <summary>The sum of the terms' values.</summary>
    public Tensor Call(Tensor logits, Tensor masks)
    {
        var total = terms[0].call(logits, masks);
        for (var i = 1; i < terms.Length; i++) total = total.Plus(terms[i].call(logits, masks));
        return total;
    }

    /// <summary>Disposes the modules.</summary>
    public void Dispose()
    {
        foreach (var term in terms) term.Dispose();
    }
}
