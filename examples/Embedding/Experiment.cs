using System.Diagnostics;
using Examples.Common;

namespace Examples.Embedding;

/// <summary>The experiment's settings; the defaults are the documented run.</summary>
/// <param name="Classes">Number of clusters (classes).</param>
/// <param name="TrainPerClass">Training samples per class (also the nearest-neighbour gallery).</param>
/// <param name="TestPerClass">Held-out samples per class (the queries).</param>
/// <param name="SignalDims">Input dimensions that carry the class (the cluster centres live there).</param>
/// <param name="NoiseDims">Input dimensions of pure noise, N(0, <paramref name="NoiseStd"/>²), that hide the clusters.</param>
/// <param name="NoiseStd">Standard deviation of the noise, on every input dimension.</param>
/// <param name="Steps">Adam steps (lr 0.01) on random batches of <paramref name="Batch"/> training samples.</param>
/// <param name="Batch">Batch size of the contrastive loss.</param>
/// <param name="Temperature">SupCon's temperature τ.</param>
/// <param name="Seed">Seeds the data, the batches and the initial weights.</param>
public sealed record Options(
    int Classes = 8,
    int TrainPerClass = 100,
    int TestPerClass = 40,
    int SignalDims = 4,
    int NoiseDims = 28,
    double NoiseStd = 1.0,
    int Steps = 300,
    int Batch = 128,
    double Temperature = 0.1,
    int Seed = 1);

/// <summary>Samples as rows of <see cref="Features"/> (float32, row-major) and their classes.</summary>
public sealed record Samples(float[] Features, long[] Labels, int Dims)
{
    /// <summary>Number of samples.</summary>
    public int Count => Labels.Length;
}

/// <summary>Nearest-neighbour accuracy of one representation, and the embeddings of the test set (for the figure).</summary>
/// <param name="Name">"raw input", "untrained encoder" or "SupCon encoder".</param>
/// <param name="Accuracy">Share of test samples whose nearest training sample (cosine similarity) has their class.</param>
/// <param name="TestEmbeddings">The test samples in this representation, row-major.</param>
/// <param name="Dims">Width of a row of <paramref name="TestEmbeddings"/>.</param>
public sealed record Representation(string Name, double Accuracy, float[] TestEmbeddings, int Dims);

/// <summary>The data, the three representations and the training curve.</summary>
/// <param name="Losses">SupCon loss per step.</param>
/// <param name="Time">Training time.</param>
public sealed record Result(Samples Train, Samples Test, Representation Raw, Representation Untrained, Representation Trained,
    IReadOnlyList<double> Losses, TimeSpan Time);

/// <summary>
/// Representation learning with a contrastive loss. Each class is a cluster whose centre, drawn N(0, 1), lives in a few
/// signal dimensions; many more dimensions carry only noise of the same size. Nearest neighbours in the raw input, or
/// through a randomly initialised encoder (which mixes all dimensions), are mostly decided by the noise. The same encoder
/// trained with the supervised contrastive loss (SupCon: pull same-class embeddings together on the unit sphere, push the
/// others apart) learns to read the signal dimensions, and its nearest neighbours find the class.
/// </summary>
public static class Experiment
{
    private const double LearningRate = 0.01;
    private const int Hidden = 64, EmbeddingDims = 16;

    /// <summary>Draws the training and test samples (deterministic for a seed).</summary>
    public static (Samples Train, Samples Test) MakeData(Options options)
    {
        var random = new Random(options.Seed);
        var centres = new double[options.Classes, options.SignalDims];
        for (var k = 0; k < options.Classes; k++)
        for (var d = 0; d < options.SignalDims; d++)
            centres[k, d] = 3 * random.Normal();
        Samples Draw(int perClass)
        {
            int dims = options.SignalDims + options.NoiseDims, n = options.Classes * perClass;
            var features = new float[n * dims];
            var labels = new long[n];
            for (var i = 0; i < n; i++)
            {
                var k = i % options.Classes;
                labels[i] = k;
                for (var d = 0; d < dims; d++)
                    features[i * dims + d] = (float)((d < options.SignalDims ? centres[k, d] : 0) + options.NoiseStd * random.Normal());
            }
            return new Samples(features, labels, dims);
        }
        var train = Draw(options.TrainPerClass);
        return (train, Draw(options.TestPerClass));
    }

    /// <summary>The encoder: Linear → ReLU → Linear to a 16-dimensional embedding.</summary>
    private static torch.nn.Module<Tensor, Tensor> Encoder(int inputs) =>
        nn.Sequential(("fc1", nn.Linear(inputs, Hidden)), ("relu", nn.ReLU()), ("fc2", nn.Linear(Hidden, EmbeddingDims)));

    /// <summary>Trains the encoder with SupCon and measures nearest-neighbour accuracy before and after.</summary>
    public static Result Run(Options options, Action<TrainingProgress>? progress = null)
    {
        if (options.Classes < 2 || options.TrainPerClass < 2 || options.TestPerClass < 1 || options.Batch < 2 || options.Steps < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options, "Need at least 2 classes, 2 training samples per class, 1 test sample per class, a batch of 2 and steps >= 0.");
        var (train, test) = MakeData(options);
        using var trainX = torch.tensor(train.Features).reshape(train.Count, train.Dims);
        using var testX = torch.tensor(test.Features).reshape(test.Count, test.Dims);
        using var trainY = torch.tensor(train.Labels);

        var raw = Measure("raw input", trainX, testX, train, test);
        using var encoder = Encoder(train.Dims);
        SeededInit.Reset(encoder, new Random(options.Seed));
        Representation untrained;
        using (torch.no_grad()) untrained = Measure("untrained encoder", encoder.call(trainX), encoder.call(testX), train, test);

        var clock = Stopwatch.StartNew();
        var batches = new Random(options.Seed + 1);
        var losses = new List<double>();
        using var loss = global::TorchLosses.nn.SupConLoss(temperature: options.Temperature);
        using var optimizer = torch.optim.Adam(encoder.parameters(), lr: LearningRate);
        for (var step = 1; step <= options.Steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            var rows = torch.tensor(batches.Choose(train.Count, Math.Min(options.Batch, train.Count)).Select(i => (long)i).ToArray());
            optimizer.zero_grad();
            var value = loss.call(encoder.call(trainX.index_select(0, rows)), trainY.index_select(0, rows));
            value.backward();
            optimizer.step();
            losses.Add(value.item<float>());
            progress?.Invoke(new TrainingProgress("SupCon", step, options.Steps));
        }
        progress?.Invoke(new TrainingProgress("SupCon", options.Steps, options.Steps, Finished: true));
        var time = clock.Elapsed;

        Representation trained;
        using (torch.no_grad()) trained = Measure("SupCon encoder", encoder.call(trainX), encoder.call(testX), train, test);
        return new Result(train, test, raw, untrained, trained, losses, time);
    }

    /// <summary>Nearest-neighbour (cosine) accuracy of the test rows against the training rows.</summary>
    private static Representation Measure(string name, Tensor trainEmbeddings, Tensor testEmbeddings, Samples train, Samples test)
    {
        using var scope = torch.NewDisposeScope();
        var gallery = nn.functional.normalize(trainEmbeddings, dim: 1);
        var queries = nn.functional.normalize(testEmbeddings, dim: 1);
        var nearest = queries.matmul(gallery.t()).argmax(1).data<long>().ToArray();
        var correct = Enumerable.Range(0, test.Count).Count(i => train.Labels[nearest[i]] == test.Labels[i]);
        return new Representation(name, (double)correct / test.Count, testEmbeddings.contiguous().data<float>().ToArray(), (int)testEmbeddings.shape[1]);
    }
}
