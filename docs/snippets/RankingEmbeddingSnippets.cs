// The code quoted by docs/losses/ranking-embedding.md (see RegressionSnippets.cs for how snippets work).

using TorchSharp;
using static TorchSharp.torch;
using losses = TorchLosses.nn;
using F = TorchLosses.nn.functional;

namespace TorchLossesDocs;

/// <summary>The ranking and embedding page's code: margin ranking, hinge, cosine and triplet losses.</summary>
public static class RankingEmbeddingSnippets
{
    /// <summary>The margin ranking example: per-pair losses and the gradients of their sum for both scores and the target.</summary>
    public static (double[] perPair, double[] input1Grad, double[] input2Grad, double[] targetGrad) MarginRanking()
    {
        using var scope = NewDisposeScope();
        // snippet:ranking_margin_example
        var input1 = tensor(new[] { 2.0, 1.0, 0.5, 3.0, 1.5 }).requires_grad_();
        var input2 = tensor(new[] { 1.0, 1.0, 1.5, 1.0, 1.0 }).requires_grad_();
        var target = tensor(new[] { 1.0, 1.0, -1.0, -1.0, 1.0 }).requires_grad_();   // differentiable too
        var perPair = F.margin_ranking_loss(input1, input2, target, margin: 0.5, reduction: torch.nn.Reduction.None);
        perPair.sum().backward();
        // end-snippet
        return (Values(perPair), Values(input1.grad!), Values(input2.grad!), Values(target.grad!));
    }

    /// <summary>Tied scores, margin 0: the gradient of the clamp form and of the relu form of the same value.</summary>
    public static (double clampValue, double clampGrad, double reluValue, double reluGrad) TiedScores()
    {
        using var scope = NewDisposeScope();
        // snippet:ranking_tied_scores
        var input1 = tensor(0.0).requires_grad_();            // a fresh model: both scores equal
        var input2 = tensor(0.0);
        var target = tensor(1.0);                             // input1 should rank higher
        var clamped = F.margin_ranking_loss(input1, input2, target);   // margin 0: max(0, −y·(x1 − x2))
        var viaRelu = (-target * (input1 - input2)).relu();             // the same value
        var clampGradient = autograd.grad(new[] { clamped }, new[] { input1 })[0]!;
        var reluGradient = autograd.grad(new[] { viaRelu }, new[] { input1 })[0]!;
        // end-snippet
        return (clamped.item<double>(), clampGradient.item<double>(), viaRelu.item<double>(), reluGradient.item<double>());
    }

    /// <summary>The hinge embedding example: per-pair losses and the gradient of their sum.</summary>
    public static (double[] perPair, double[] gradient, double mean) Hinge()
    {
        using var scope = NewDisposeScope();
        // snippet:ranking_hinge_example
        var distance = tensor(new[] { 0.25, 2.0, 0.25, 1.0, 1.5, 0.5 }).requires_grad_();
        var target = tensor(new[] { 1.0, 1.0, -1.0, -1.0, 0.0, 0.0 });   // 0 is not a label: both terms apply
        var perPair = F.hinge_embedding_loss(distance, target, margin: 1.0, reduction: torch.nn.Reduction.None);
        perPair.sum().backward();
        // end-snippet
        double mean = F.hinge_embedding_loss(distance.detach(), target).item<double>();
        return (Values(perPair), Values(distance.grad!), mean);
    }

    /// <summary>The cosine embedding example's pairs and labels.</summary>
    public static (Tensor input1, Tensor input2, Tensor target) CosineExample()
    {
        // snippet:ranking_cosine_data
        var input1 = tensor(new[,] { { 1.0, 0.0 }, { 1.0, 1.0 }, { 0.0, 0.0 }, { 3.0, 4.0 } });
        var input2 = tensor(new[,] { { 1.0, 0.0 }, { 1.0, 0.0 }, { 1.0, 0.0 }, { 4.0, 3.0 } });
        var target = tensor(new[] { 1.0, -1.0, 1.0, -1.0 });
        // end-snippet
        return (input1, input2, target);
    }

    /// <summary>The cosine example: per-pair losses (margin 0.5), the mean, and the gradient of the sum for input1.</summary>
    public static (double[] perPair, double mean, double[] input1Grad) Cosine()
    {
        using var scope = NewDisposeScope();
        var (data1, input2, target) = CosineExample();
        // snippet:ranking_cosine_call
        var input1 = data1.requires_grad_();
        var perPair = F.cosine_embedding_loss(input1, input2, target, margin: 0.5, reduction: torch.nn.Reduction.None);
        perPair.sum().backward();
        // end-snippet
        double mean = F.cosine_embedding_loss(input1.detach(), input2, target, margin: 0.5).item<double>();
        return (Values(perPair), mean, Values(input1.grad!));
    }

    /// <summary>The textbook cosine of the example's pairs, without ε.</summary>
    public static double[] NaiveCosine()
    {
        using var scope = NewDisposeScope();
        var (input1, input2, _) = CosineExample();
        // snippet:ranking_cosine_naive
        var cosine = (input1 * input2).sum(1) / (input1.square().sum(1).sqrt() * input2.square().sum(1).sqrt());
        // end-snippet
        return Values(cosine);
    }

    /// <summary>The triplet example: per-triplet losses without and with the distance swap.</summary>
    public static (double[] plain, double[] swapped) Triplets()
    {
        using var scope = NewDisposeScope();
        // snippet:ranking_triplet_example
        var anchor = tensor(new[,] { { 0.0, 0.0 }, { 0.0, 0.0 }, { 0.0, 0.0 } });
        var positive = tensor(new[,] { { 0.0, 1.0 }, { 3.0, 4.0 }, { 4.0, 0.0 } });
        var negative = tensor(new[,] { { 3.0, 4.0 }, { 0.0, 1.0 }, { 6.0, 0.0 } });
        var plain = F.triplet_margin_loss(anchor, positive, negative, reduction: torch.nn.Reduction.None);
        var swapped = F.triplet_margin_loss(anchor, positive, negative, swap: true, reduction: torch.nn.Reduction.None);
        // end-snippet
        return (Values(plain), Values(swapped));
    }

    /// <summary>A swap tie: the gradients of the three inputs.</summary>
    public static (double loss, double[] anchorGrad, double[] positiveGrad, double[] negativeGrad) SwapTie(bool swap = true)
    {
        using var scope = NewDisposeScope();
        // snippet:ranking_swap_tie
        var anchor = tensor(new[,] { { 0.0, 0.0 } }).requires_grad_();
        var positive = tensor(new[,] { { -2.0, 2.0 } }).requires_grad_();
        var negative = tensor(new[,] { { 1.0, 3.0 } }).requires_grad_();   // d(anchor, negative) == d(positive, negative)
        var loss = F.triplet_margin_loss(anchor, positive, negative, swap: swap);
        loss.backward();
        // end-snippet
        return (loss.item<double>(), Values(anchor.grad!), Values(positive.grad!), Values(negative.grad!));
    }

    /// <summary>The with-distance loss with a cosine distance, as a module.</summary>
    public static double WithCosineDistance(Tensor anchor, Tensor positive, Tensor negative)
    {
        using var scope = NewDisposeScope();
        // snippet:ranking_with_distance
        Func<Tensor, Tensor, Tensor> cosineDistance = (x, y) => 1.0 - torch.nn.functional.cosine_similarity(x, y);
        using var criterion = losses.TripletMarginWithDistanceLoss(distance_function: cosineDistance, margin: 0.5, swap: true);
        var loss = criterion.call(anchor, positive, negative);
        // end-snippet
        return loss.item<double>();
    }

    private static double[] Values(Tensor t) => t.detach().reshape(-1).data<double>().ToArray();
}
