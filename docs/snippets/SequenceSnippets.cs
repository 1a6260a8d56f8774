// The code quoted by docs/losses/sequence.md (see RegressionSnippets.cs for how snippets work).

using TorchSharp;
using static TorchSharp.torch;
using losses = TorchLosses.nn;
using F = TorchLosses.nn.functional;

namespace TorchLossesDocs;

/// <summary>The sequence page's code: CTC, its α recursion by hand, the sum over alignments, and libtorch's gradient form.</summary>
public static class SequenceSnippets
{
    /// <summary>The worked example: three frames over {blank, a, b}, log-probabilities (T, N = 1, C), target "ab".</summary>
    public static (Tensor logProbs, Tensor target) Example()
    {
        // snippet:ctc_example_data
        var probabilities = tensor(new[,] {
            { 0.5, 0.4, 0.1 },      // frame 1: blank, a, b
            { 0.5, 0.3, 0.2 },      // frame 2
            { 0.4, 0.1, 0.5 } });   // frame 3
        var logProbs = probabilities.log().unsqueeze(1);      // (T = 3, N = 1, C = 3)
        var target = tensor(new long[,] { { 1, 2 } });        // "ab"
        // end-snippet
        return (logProbs, target);
    }

    /// <summary>The example through the module (sum reduction): the loss and libtorch's gradient form, (T, C) row-major.</summary>
    public static (double loss, double[] gradient) ModuleCall()
    {
        using var scope = NewDisposeScope();
        var (logProbs, target) = Example();
        // snippet:ctc_module_call
        var input = logProbs.requires_grad_();
        using var criterion = losses.CTCLoss(reduction: torch.nn.Reduction.Sum);   // blank = 0
        var loss = criterion.call(input, target, tensor(new long[] { 3 }), tensor(new long[] { 2 }));
        loss.backward();
        // end-snippet
        return (loss.item<double>(), input.grad!.reshape(-1).data<double>().ToArray());
    }

    /// <summary>The example's frames for a batch of two samples: the first uses all 3 frames, the second the first 2.</summary>
    public static Tensor Batch(Tensor targets, Tensor targetLengths, torch.nn.Reduction reduction, bool zeroInfinity, out Tensor input)
    {
        var (logProbs, _) = Example();
        // snippet:ctc_batch
        input = logProbs.expand(3, 2, 3).detach().clone().requires_grad_();   // the same frames for both samples
        var inputLengths = tensor(new long[] { 3, 2 });                       // the second sample stops after frame 2
        var loss = F.ctc_loss(input, targets, inputLengths, targetLengths, reduction: reduction, zero_infinity: zeroInfinity);
        // end-snippet
        return loss;
    }

    /// <summary>
    /// log α after every frame for one sample, (T, C) log-probabilities: one array of 2L + 1 states per
    /// frame, null where a state cannot be reached yet. Differentiable (no −∞ enters the graph).
    /// </summary>
    public static List<Tensor?[]> Alpha(Tensor logProbs, long[] labels, long blank = 0)
    {
        long frames = logProbs.shape[0];
        // snippet:ctc_alpha_recursion
        var extended = new List<long> { blank };              // l' = (blank, l1, blank, l2, ..., blank)
        foreach (var label in labels) { extended.Add(label); extended.Add(blank); }
        int states = extended.Count;
        var alpha = new Tensor?[states];                      // null: not reachable (log α = −∞)
        alpha[0] = logProbs[0, blank];                        // start with a blank ...
        if (states > 1) alpha[1] = logProbs[0, extended[1]];  // ... or with the first label
        var history = new List<Tensor?[]> { alpha };
        for (long t = 1; t < frames; t++)
        {
            var next = new Tensor?[states];
            for (int s = 0; s < states; s++)
            {
                var incoming = new List<Tensor>();
                if (alpha[s] is { } stay) incoming.Add(stay);
                if (s >= 1 && alpha[s - 1] is { } advance) incoming.Add(advance);
                if (s >= 2 && extended[s] != blank && extended[s] != extended[s - 2] && alpha[s - 2] is { } skip)
                    incoming.Add(skip);                           // skip the blank between two different labels
                if (incoming.Count > 0) next[s] = logsumexp(stack(incoming), 0) + logProbs[t, extended[s]];
            }
            alpha = next;
            history.Add(alpha);
        }
        // end-snippet
        return history;
    }

    /// <summary>−log p(labels) from the last frame's α: the sum of the last two states (only the last for an empty target).</summary>
    public static Tensor NegativeLogLikelihood(Tensor logProbs, long[] labels, long blank = 0)
    {
        var alpha = Alpha(logProbs, labels, blank)[^1];
        // snippet:ctc_alpha_readout
        var ends = new[] { alpha[^1], alpha.Length > 1 ? alpha[^2] : null }.OfType<Tensor>().ToList();
        var nll = ends.Count == 0 ? tensor(double.PositiveInfinity) : -logsumexp(stack(ends), 0);
        // end-snippet
        return nll;
    }

    /// <summary>Every path of classes over the frames, with its probability, grouped by the label sequence it collapses to.</summary>
    public static Dictionary<string, List<(string path, double probability)>> Alignments(double[,] probabilities, string alphabet)
    {
        int frames = probabilities.GetLength(0), classes = probabilities.GetLength(1);
        var byTarget = new Dictionary<string, List<(string, double)>>();
        for (int code = 0; code < (int)Math.Pow(classes, frames); code++)
        {
            var path = new int[frames];
            for (int t = frames - 1, rest = code; t >= 0; t--, rest /= classes) path[t] = rest % classes;
            double probability = 1;
            for (int t = 0; t < frames; t++) probability *= probabilities[t, path[t]];
            string target = Collapse(path, alphabet);
            if (!byTarget.TryGetValue(target, out var list)) byTarget[target] = list = new();
            list.Add((string.Concat(path.Select(c => alphabet[c])), probability));
        }
        return byTarget;
    }

    /// <summary>CTC's collapse: merge repeated classes, then drop the blanks (class 0, written '-').</summary>
    public static string Collapse(int[] path, string alphabet)
    {
        // snippet:ctc_collapse
        var labels = new List<char>();
        for (int t = 0; t < path.Length; t++)
            if (path[t] != 0 && (t == 0 || path[t] != path[t - 1]))   // not blank, not a repeat
                labels.Add(alphabet[path[t]]);
        // end-snippet
        return new string(labels.ToArray());
    }

    /// <summary>A loss whose gradient is the mathematical partial, given a zero-valued term that adds exp(log_probs) to it.</summary>
    public static Tensor WithZeroValuedTerm(Tensor nll, Tensor logProbs)
    {
        // snippet:ctc_zero_valued_term
        var z = logProbs - logProbs.detach();                        // 0 in value, ∂z/∂log_probs = 1
        var withTerm = nll + (logProbs.detach().exp() * z).sum();    // same value; gradient + exp(log_probs)
        // end-snippet
        return withTerm;
    }
}
