// The code quoted by the binary and margin sections of docs/losses/classification.md
// (see RegressionSnippets.cs for how snippets work).

using TorchSharp;
using static TorchSharp.torch;
using losses = TorchLosses.nn;
using F = TorchLosses.nn.functional;

namespace TorchLossesDocs;

/// <summary>The classification page's code for BCE, BCE with logits, the soft-margin and the multi-margin losses.</summary>
public static class BinaryMarginSnippets
{
    /// <summary>The BCE example: probabilities, 0/1 targets and per-element weights.</summary>
    public static (Tensor probabilities, Tensor target, Tensor weight) BceExample()
    {
        // snippet:bce_example_data
        var probabilities = tensor(new[] { 0.9, 0.2, 0.6 });
        var target = tensor(new[] { 1.0, 0.0, 1.0 });
        var weight = tensor(new[] { 1.0, 2.0, 0.5 });    // one weight per element
        // end-snippet
        return (probabilities, target, weight);
    }

    /// <summary>BCE of the example (optionally weighted): the loss (one value per element for none) and the input's gradient.</summary>
    public static (double[] loss, double[] gradient) Bce(torch.nn.Reduction reduction, bool weighted)
    {
        using var scope = NewDisposeScope();
        var (probabilities, target, exampleWeight) = BceExample();
        var weight = weighted ? exampleWeight : null;
        // snippet:bce_call
        var input = probabilities.requires_grad_();
        var loss = F.binary_cross_entropy(input, target, weight: weight, reduction: reduction);
        loss.sum().backward();
        // end-snippet
        return (loss.detach().reshape(-1).data<double>().ToArray(), input.grad!.data<double>().ToArray());
    }

    /// <summary>BCE at probabilities 0 and 1: the clamped values, the textbook form, and both gradients.</summary>
    public static (double[] loss, double[] naive, double[] inputGradient, double[] targetGradient) BceEdges()
    {
        using var scope = NewDisposeScope();
        // snippet:bce_edges
        var probabilities = tensor(new[] { 0.0, 0.0, 1.0, 1.0 }).requires_grad_();
        var target = tensor(new[] { 1.0, 0.0, 0.0, 1.0 }).requires_grad_();
        var loss = F.binary_cross_entropy(probabilities, target, reduction: torch.nn.Reduction.None);
        loss.sum().backward();

        var (x, y) = (probabilities.detach(), target.detach());
        var naive = -(y * x.log() + (1 - y) * (1 - x).log());    // the textbook formula, unclamped
        // end-snippet
        return (loss.detach().data<double>().ToArray(), naive.data<double>().ToArray(),
            probabilities.grad!.data<double>().ToArray(), target.grad!.data<double>().ToArray());
    }

    /// <summary>Saturated logits in float32: the textbook formula, BCE of the sigmoid, and BCE with logits.</summary>
    public static (float[] naive, float[] viaProbabilities, float[] stable) SaturatedLogits()
    {
        using var scope = NewDisposeScope();
        // snippet:bce_with_logits_saturation
        var logits = tensor(new[] { -200f, 20f });
        var target = tensor(new[] { 1f, 0f });
        var none = torch.nn.Reduction.None;
        var p = logits.sigmoid();                                  // rounds to 0 and to 1 in float32
        var naive = -(target * p.log() + (1 - target) * (1 - p).log());
        var viaProbabilities = F.binary_cross_entropy(p, target, reduction: none);
        var stable = F.binary_cross_entropy_with_logits(logits, target, reduction: none);
        // end-snippet
        return (naive.data<float>().ToArray(), viaProbabilities.data<float>().ToArray(), stable.data<float>().ToArray());
    }

    /// <summary>The gradient in z of the mean BCE-with-logits loss of a constant logit z over one positive and three negatives.</summary>
    public static double ConstantPredictorSlope(double z, double positiveWeight)
    {
        using var scope = NewDisposeScope();
        // snippet:pos_weight_constant_predictor
        var logit = tensor(z).requires_grad_();
        var logits = logit.expand(4);                              // one logit for every example
        var labels = tensor(new[] { 1.0, 0.0, 0.0, 0.0 });         // one positive in four
        using var criterion = losses.BCEWithLogitsLoss(pos_weight: tensor(new[] { positiveWeight }));
        criterion.call(logits, labels).backward();
        // end-snippet
        return logit.grad!.item<double>();
    }

    /// <summary>The soft-margin example: per-element losses and the gradient of their sum.</summary>
    public static (double[] loss, double[] gradient) SoftMargin()
    {
        using var scope = NewDisposeScope();
        // snippet:soft_margin_example
        var scores = tensor(new[] { 2.0, -1.0, 0.5 }).requires_grad_();
        var labels = tensor(new[] { 1.0, 1.0, -1.0 });
        var perElement = F.soft_margin_loss(scores, labels, torch.nn.Reduction.None);
        perElement.sum().backward();
        // end-snippet
        return (perElement.detach().data<double>().ToArray(), scores.grad!.data<double>().ToArray());
    }

    /// <summary>Soft margin in float32 where 1 + e rounds to 1 and where e overflows.</summary>
    public static (float[] loss, float[] gradient) SoftMarginFloat32Edges()
    {
        using var scope = NewDisposeScope();
        // snippet:soft_margin_float32_edges
        var scores = tensor(new[] { 17f, -89f }).requires_grad_();
        var labels = tensor(new[] { 1f, 1f });
        var perElement = F.soft_margin_loss(scores, labels, torch.nn.Reduction.None);
        perElement.sum().backward();
        // end-snippet
        return (perElement.detach().data<float>().ToArray(), scores.grad!.data<float>().ToArray());
    }

    /// <summary>The multi-label soft-margin example: logits and 0/1 labels for two samples and three classes, and the per-sample losses.</summary>
    public static (Tensor logits, Tensor labels, double[] perSample) MultiLabelSoftMarginExample()
    {
        // snippet:multilabel_soft_margin_example
        var logits = tensor(new[,] { { 1.5, -0.5, 0.2 }, { -2.0, 3.0, 0.0 } });
        var labels = tensor(new[,] { { 1.0, 0.0, 1.0 }, { 0.0, 1.0, 1.0 } });
        var perSample = F.multilabel_soft_margin_loss(logits, labels, reduction: torch.nn.Reduction.None);
        // end-snippet
        return (logits, labels, perSample.data<double>().ToArray());
    }

    /// <summary>The multi-margin example: three samples, three classes.</summary>
    public static (Tensor scores, Tensor target) MultiMarginExample()
    {
        // snippet:multi_margin_example_data
        var scores = tensor(new[,] {
            { 1.0, 0.0, 0.5 },
            { 0.2, 0.9, 0.4 },
            { 0.3, 0.6, 0.1 } });
        var target = tensor(new long[] { 0, 1, 2 });
        // end-snippet
        return (scores, target);
    }

    /// <summary>Multi-margin loss of the example: the loss (one value per sample for none) and the gradient of the scores.</summary>
    public static (double[] loss, double[] gradient) MultiMargin(int p, torch.nn.Reduction reduction, Tensor? weight = null)
    {
        using var scope = NewDisposeScope();
        var (exampleScores, target) = MultiMarginExample();
        // snippet:multi_margin_call
        var scores = exampleScores.requires_grad_();
        var loss = F.multi_margin_loss(scores, target, p: p, margin: 1.0, weight: weight, reduction: reduction);
        loss.sum().backward();
        // end-snippet
        return (loss.detach().reshape(-1).data<double>().ToArray(), scores.grad!.data<double>().ToArray());
    }

    /// <summary>The multilabel-margin example: a class listed twice, and an entry after the −1.</summary>
    public static (double loss, double[] gradient) MultiLabelMargin()
    {
        using var scope = NewDisposeScope();
        // snippet:multilabel_margin_example
        var scores = tensor(new[,] { { 0.1, 0.2, 0.4, 0.8 } }).requires_grad_();
        var target = tensor(new long[,] { { 0, 0, -1, 1 } });    // the list ends at the first −1
        var loss = F.multilabel_margin_loss(scores, target);
        loss.backward();
        // end-snippet
        return (loss.item<double>(), scores.grad!.data<double>().ToArray());
    }
}
