// The code quoted by docs/losses/classification.md (see RegressionSnippets.cs for how snippets work).

using TorchSharp;
using static TorchSharp.torch;
using losses = TorchLosses.nn;
using F = TorchLosses.nn.functional;

namespace TorchLossesDocs;

/// <summary>The classification page's code: NLL and cross entropy.</summary>
public static class ClassificationSnippets
{
    /// <summary>The NLL example's rows of log-probabilities (used as given), targets and class weights.</summary>
    public static (Tensor input, Tensor target, Tensor weight) NllExample()
    {
        // snippet:nll_example_data
        var input = tensor(new[,] {
            { -0.5, -1.0, -2.0 },
            { -3.0, -0.25, -1.5 },
            { -1.0, -1.0, -3.0 },
            { -2.0, -0.5, -4.0 } });
        var target = tensor(new long[] { 0, 1, 2, -100 });   // the last row is ignored (ignore_index = -100)
        var weight = tensor(new[] { 1.0, 2.0, 0.5 });
        // end-snippet
        return (input, target, weight);
    }

    /// <summary>The NLL example through the module: the weighted mean and the gradient of the input.</summary>
    public static (double loss, double[] gradient) NllWeightedMean()
    {
        using var scope = NewDisposeScope();
        var (logProbabilities, target, weight) = NllExample();
        // snippet:nll_weighted_mean
        var input = logProbabilities.requires_grad_();
        using var criterion = losses.NLLLoss(weight: weight);     // reduction: mean, ignore_index: -100
        var loss = criterion.call(input, target);
        loss.backward();
        // end-snippet
        return (loss.item<double>(), input.grad!.data<double>().ToArray());
    }

    /// <summary>The cross-entropy example's logits and class-index targets.</summary>
    public static (Tensor logits, Tensor target) CrossEntropyExample()
    {
        // snippet:cross_entropy_example_data
        var logits = tensor(new[,] {
            { 2.0, 1.0, 0.1 },
            { 0.5, 2.5, 0.3 },
            { 1.2, 0.2, 3.0 } });
        var target = tensor(new long[] { 0, 1, 2 });
        // end-snippet
        return (logits, target);
    }

    /// <summary>Cross entropy of the example with optional class weights and label smoothing (one value per row for reduction none).</summary>
    public static double[] CrossEntropy(torch.nn.Reduction reduction, Tensor? weight = null, double labelSmoothing = 0.0)
    {
        using var scope = NewDisposeScope();
        var (logits, target) = CrossEntropyExample();
        // snippet:cross_entropy_call
        var loss = F.cross_entropy(logits, target, weight: weight, reduction: reduction, label_smoothing: labelSmoothing);
        // end-snippet
        return loss.reshape(-1).data<double>().ToArray();
    }

    /// <summary>The example's logits against soft (probability) targets, and the gradients of both.</summary>
    public static (double loss, double[] logitGradient, double[] targetGradient) SoftTargets()
    {
        using var scope = NewDisposeScope();
        var (exampleLogits, _) = CrossEntropyExample();
        // snippet:probability_targets
        var logits = exampleLogits.requires_grad_();
        var probabilities = tensor(new[,] {
            { 0.7, 0.2, 0.1 },
            { 0.0, 1.0, 0.0 },
            { 0.25, 0.25, 0.5 } }).requires_grad_();               // same shape as the logits: soft targets
        var loss = F.cross_entropy(logits, probabilities);          // mean over the 3 rows
        loss.backward();                                            // the targets get a gradient too
        // end-snippet
        return (loss.item<double>(), logits.grad!.data<double>().ToArray(), probabilities.grad!.data<double>().ToArray());
    }

    /// <summary>Large logits in float32: the log-sum-exp form against the textbook softmax.</summary>
    public static (float stable, float naive) LargeLogits()
    {
        using var scope = NewDisposeScope();
        // snippet:large_logits
        var logits = tensor(new[,] { { 100f, 0f } });
        var target = tensor(new long[] { 1 });
        float stable = F.cross_entropy(logits, target).item<float>();

        var probabilities = logits.exp() / logits.exp().sum(1, keepdim: true);   // exp(100) overflows float32
        float naive = -probabilities[0, 1].log().item<float>();
        // end-snippet
        return (stable, naive);
    }
}
