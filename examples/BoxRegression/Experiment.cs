using System.Diagnostics;
using Examples.Common;

namespace Examples.BoxRegression;

/// <summary>The experiment's settings; the defaults are the documented run.</summary>
/// <param name="TrainBoxes">Training proposals (one ground-truth box each).</param>
/// <param name="TestBoxes">Test proposals.</param>
/// <param name="Features">Length of each proposal's feature vector.</param>
/// <param name="FeatureNoise">Standard deviation of the noise added to the features.</param>
/// <param name="LabelNoise">Share of training proposals matched to a wrong ground-truth box (gross target errors).</param>
/// <param name="Epochs">Full-batch Adam steps per loss.</param>
/// <param name="Seed">Seeds the data and the initial weights.</param>
/// <param name="EvalEvery">Test IoU recorded every this many epochs.</param>
public sealed record Options(
    int TrainBoxes = 512,
    int TestBoxes = 256,
    int Features = 16,
    double FeatureNoise = 0.1,
    double LabelNoise = 0.1,
    int Epochs = 200,
    int Seed = 1,
    int EvalEvery = 10);

/// <summary>What a loss compares: the normalised offsets, or the boxes they decode to.</summary>
public enum LossSpace
{
    /// <summary>Predicted offsets against target offsets (the L1 family, as Fast R-CNN).</summary>
    Offsets,

    /// <summary>Decoded boxes (x1, y1, x2, y2) against target boxes (the IoU family).</summary>
    Boxes,
}

/// <summary>A box by centre and size.</summary>
public readonly record struct Box(double Cx, double Cy, double W, double H)
{
    /// <summary>Intersection over union with <paramref name="other"/>.</summary>
    public double IoU(Box other)
    {
        var iw = Math.Min(Cx + W / 2, other.Cx + other.W / 2) - Math.Max(Cx - W / 2, other.Cx - other.W / 2);
        var ih = Math.Min(Cy + H / 2, other.Cy + other.H / 2) - Math.Max(Cy - H / 2, other.Cy - other.H / 2);
        if (iw <= 0 || ih <= 0) return 0;
        var intersection = iw * ih;
        return intersection / (W * H + other.W * other.H - intersection);
    }
}

/// <summary>Proposals, their ground truth, features and regression targets.</summary>
/// <param name="Proposals">The proposal boxes.</param>
/// <param name="Truth">The ground-truth box of each proposal.</param>
/// <param name="Features">Row-major (count × features) feature matrix.</param>
/// <param name="Targets">Row-major (count × 4) normalised targets; for label-noise samples, those of a wrong box.</param>
public sealed record Split(Box[] Proposals, Box[] Truth, float[] Features, float[] Targets);

/// <summary>One trained box regressor.</summary>
/// <param name="Loss">The loss's display name.</param>
/// <param name="IoUBefore">Mean test IoU of the predicted boxes with the initial weights.</param>
/// <param name="IoUAfter">Mean test IoU after training.</param>
/// <param name="Above07">Share of test predictions with IoU ≥ 0.7 after training.</param>
/// <param name="Curve">(epoch, mean test IoU).</param>
/// <param name="Predictions">The predicted test boxes after training.</param>
/// <param name="Time">Wall-clock training time.</param>
public sealed record Fit(string Loss, double IoUBefore, double IoUAfter, double Above07,
    IReadOnlyList<(int Epoch, double IoU)> Curve, Box[] Predictions, TimeSpan Time);

/// <summary>The data and every fit.</summary>
/// <param name="Train">Training split.</param>
/// <param name="Test">Test split (clean targets).</param>
/// <param name="ProposalIoU">Mean test IoU of the proposals themselves (predicting zero offsets).</param>
/// <param name="Fits">One per loss.</param>
public sealed record Result(Split Train, Split Test, double ProposalIoU, IReadOnlyList<Fit> Fits)
{
    /// <summary>The fit named <paramref name="loss"/>.</summary>
    public Fit Get(string loss) => Fits.Single(f => f.Loss == loss);
}

/// <summary>
/// Bounding-box regression as in Fast R-CNN. Each proposal P has a ground-truth box G; the network
/// predicts the standard R-CNN offsets tx = (Gx − Px)/Pw, ty = (Gy − Py)/Ph, tw = log(Gw/Pw),
/// th = log(Gh/Ph), scaled by the usual weights (10, 10, 5, 5). The features stand in for a
/// detector's pooled features: a fixed random nonlinear function of the true offsets, plus noise. A
/// share of training proposals is matched to a wrong box, giving gross target errors. The L1-family losses compare the
/// offsets; the IoU-family losses compare the boxes the offsets decode to with the target boxes (as detectors that train
/// with GIoU do), so their gradient reaches the offsets through the decoding.
/// </summary>
public static class Experiment
{
    /// <summary>The target weights (wx, wy, ww, wh) of Fast R-CNN / Detectron's box coder.</summary>
    public static readonly double[] Weights = [10, 10, 5, 5];

    private const double LearningRate = 3e-3;
    private static readonly double MaxLogScale = Math.Log(1000.0 / 16);   // Detectron's clamp on tw, th

    /// <summary>Draws the train and test splits (deterministic for a seed).</summary>
    public static (Split Train, Split Test) MakeData(Options options)
    {
        var random = new Random(options.Seed);
        // The "backbone": a fixed random map from the normalised offsets to the features.
        var mixing = new double[options.Features, 4];
        var bias = new double[options.Features];
        for (var f = 0; f < options.Features; f++)
        {
            for (var k = 0; k < 4; k++) mixing[f, k] = random.Normal() / 2;
            bias[f] = random.Normal() / 4;
        }
        return (Draw(random, options.TrainBoxes, options.LabelNoise), Draw(random, options.TestBoxes, 0));

        Split Draw(Random r, int count, double labelNoise)
        {
            var proposals = new Box[count];
            var truth = new Box[count];
            var features = new float[count * options.Features];
            var targets = new float[count * 4];
            var wrong = new HashSet<int>(r.Choose(count, (int)Math.Round(labelNoise * count)));
            for (var i = 0; i < count; i++)
            {
                var g = new Box(r.Uniform(20, 80), r.Uniform(20, 80), r.Uniform(10, 40), r.Uniform(10, 40));
                double[] t = [0.1 * r.Normal(), 0.1 * r.Normal(), 0.15 * r.Normal(), 0.15 * r.Normal()];
                var pw = g.W * Math.Exp(-t[2]);
                var ph = g.H * Math.Exp(-t[3]);
                var p = new Box(g.Cx - pw * t[0], g.Cy - ph * t[1], pw, ph);
                (proposals[i], truth[i]) = (p, g);
                var normalised = t.Select((v, k) => v * Weights[k]).ToArray();
                for (var f = 0; f < options.Features; f++)
                {
                    var z = bias[f];
                    for (var k = 0; k < 4; k++) z += mixing[f, k] * normalised[k];
                    features[i * options.Features + f] = (float)(Math.Tanh(z) + options.FeatureNoise * r.Normal());
                }
                // A wrongly matched proposal: its target points at some other nearby box.
                var target = wrong.Contains(i)
                    ? Encode(p, new Box(g.Cx + r.Uniform(-15, 15), g.Cy + r.Uniform(-15, 15), r.Uniform(10, 40), r.Uniform(10, 40)))
                    : normalised;
                for (var k = 0; k < 4; k++) targets[i * 4 + k] = (float)target[k];
            }
            return new Split(proposals, truth, features, targets);
        }
    }

    /// <summary>The normalised R-CNN offsets that move <paramref name="p"/> onto <paramref name="g"/>.</summary>
    public static double[] Encode(Box p, Box g) =>
    [
        Weights[0] * (g.Cx - p.Cx) / p.W, Weights[1] * (g.Cy - p.Cy) / p.H,
        Weights[2] * Math.Log(g.W / p.W), Weights[3] * Math.Log(g.H / p.H),
    ];

    /// <summary>Applies normalised offsets <paramref name="d"/> (from index <paramref name="at"/>) to <paramref name="p"/>.</summary>
    public static Box Decode(Box p, float[] d, int at)
    {
        var tw = Math.Min(d[at + 2] / Weights[2], MaxLogScale);
        var th = Math.Min(d[at + 3] / Weights[3], MaxLogScale);
        return new Box(p.Cx + p.W * d[at] / Weights[0], p.Cy + p.H * d[at + 1] / Weights[1], p.W * Math.Exp(tw), p.H * Math.Exp(th));
    }

    /// <summary>
    /// The losses compared: TorchLosses modules, and what they compare. The L1 family compares the predicted offsets with the
    /// target offsets; the IoU family compares the decoded boxes (x1, y1, x2, y2) with the target boxes.
    /// </summary>
    public static IEnumerable<(string Name, LossSpace Space, Func<Loss<Tensor, Tensor, Tensor>> Create)> Losses()
    {
        yield return ("SmoothL1 β=1/9", LossSpace.Offsets, () => losses.SmoothL1Loss(beta: 1.0 / 9));
        yield return ("SmoothL1 β=1", LossSpace.Offsets, () => losses.SmoothL1Loss(beta: 1.0));
        yield return ("L1", LossSpace.Offsets, () => losses.L1Loss());
        yield return ("MSE", LossSpace.Offsets, () => losses.MSELoss());
        yield return ("GIoU", LossSpace.Boxes, () => losses.GeneralizedBoxIouLoss(reduction: torch.nn.Reduction.Mean));
        yield return ("DIoU", LossSpace.Boxes, () => losses.DistanceBoxIouLoss(reduction: torch.nn.Reduction.Mean));
        yield return ("CIoU", LossSpace.Boxes, () => losses.CompleteBoxIouLoss(reduction: torch.nn.Reduction.Mean));
    }

    /// <summary>
    /// Decodes normalised offsets (N, 4) for proposals (N, 4: cx, cy, w, h) into boxes (N, 4: x1, y1, x2, y2), differentiably:
    /// the tensor form of <see cref="Decode"/>, through which an IoU loss's gradient reaches the offsets.
    /// </summary>
    public static Tensor DecodeBoxes(Tensor proposals, Tensor offsets)
    {
        using var scope = torch.NewDisposeScope();
        var t = offsets / torch.tensor(Weights, dtype: offsets.dtype);
        var centre = proposals.narrow(1, 0, 2).Plus(proposals.narrow(1, 2, 2) * t.narrow(1, 0, 2));
        var logScale = torch.minimum(t.narrow(1, 2, 2), torch.tensor(MaxLogScale, dtype: offsets.dtype));
        var half = proposals.narrow(1, 2, 2) * logScale.exp() * torch.tensor(0.5, dtype: offsets.dtype);
        return torch.cat([centre - half, centre.Plus(half)], 1).MoveToOuterDisposeScope();
    }

    /// <summary>The regressor: features → 32 → 32 → 4 with ReLU.</summary>
    public static torch.nn.Module<Tensor, Tensor> CreateModel(int features) =>
        nn.Sequential(nn.Linear(features, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 4));

    /// <summary>Trains one regressor per loss, from the same initial weights.</summary>
    public static Result Run(Options options, Action<TrainingProgress>? progress = null)
    {
        var (train, test) = MakeData(options);
        var proposalIoU = test.Proposals.Select((p, i) => p.IoU(test.Truth[i])).Average();
        var fits = new List<Fit>();
        // One untimed step first, so the first run's time does not include loading libtorch's kernels.
        using (var warmupLoss = losses.MSELoss()) Train(train, test, "warm-up", LossSpace.Offsets, warmupLoss, options with { Epochs = 1 }, null);
        foreach (var (name, space, create) in Losses())
        {
            using var loss = create();
            fits.Add(Train(train, test, name, space, loss, options, progress));
        }
        return new Result(train, test, proposalIoU, fits);
    }

    private static Fit Train(Split train, Split test, string lossName, LossSpace space, Loss<Tensor, Tensor, Tensor> loss, Options options,
        Action<TrainingProgress>? progress)
    {
        var clock = Stopwatch.StartNew();
        using var x = torch.tensor(train.Features).reshape(-1, options.Features);
        using var targetOffsets = torch.tensor(train.Targets).reshape(-1, 4);
        using var proposals = torch.tensor(train.Proposals.SelectMany(p => new[] { (float)p.Cx, (float)p.Cy, (float)p.W, (float)p.H }).ToArray())
            .reshape(-1, 4);
        using var y = space == LossSpace.Boxes ? DecodeBoxes(proposals, targetOffsets) : targetOffsets.alias();
        using var testX = torch.tensor(test.Features).reshape(-1, options.Features);

        using var model = CreateModel(options.Features);
        SeededInit.Reset(model, new Random(options.Seed));
        using var optimizer = torch.optim.Adam(model.parameters(), lr: LearningRate);

        var before = MeanIoU(Predict(model, testX, test));
        var curve = new List<(int, double)> { (0, before) };
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            using (var scope = torch.NewDisposeScope())     // frees this step's tensors; parameters live on
            {
                model.train();
                optimizer.zero_grad();
                var offsets = model.call(x);
                var output = loss.call(space == LossSpace.Boxes ? DecodeBoxes(proposals, offsets) : offsets, y);
                output.backward();
                // ScalarOwnership: TorchSharp's Adam makes Scalars of its hyperparameters inside step(); no caller can own them.
                optimizer.step();
            }
            if (epoch % options.EvalEvery == 0 || epoch == options.Epochs)
                curve.Add((epoch, MeanIoU(Predict(model, testX, test))));
            progress?.Invoke(new TrainingProgress(lossName, epoch, options.Epochs, epoch == options.Epochs));
        }

        var predictions = Predict(model, testX, test);
        var after = MeanIoU(predictions);
        var above = predictions.Select(p => p.Prediction.IoU(p.Truth)).Count(iou => iou >= 0.7) / (double)predictions.Length;
        return new Fit(lossName, before, after, above, curve, predictions.Select(p => p.Prediction).ToArray(), clock.Elapsed);
    }

    private static (Box Prediction, Box Truth)[] Predict(torch.nn.Module<Tensor, Tensor> model, Tensor features, Split split)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        model.eval();
        var offsets = model.call(features).data<float>().ToArray();
        return split.Proposals.Select((p, i) => (Decode(p, offsets, 4 * i), split.Truth[i])).ToArray();
    }

    private static double MeanIoU((Box Prediction, Box Truth)[] pairs) => pairs.Average(p => p.Prediction.IoU(p.Truth));
}
