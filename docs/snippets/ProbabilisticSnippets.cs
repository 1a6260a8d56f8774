// The code quoted by docs/losses/probabilistic.md (see RegressionSnippets.cs for how snippets work).

using TorchSharp;
using static TorchSharp.torch;
using TorchLosses;
using losses = TorchLosses.nn;
using F = TorchLosses.nn.functional;

namespace TorchLossesDocs;

/// <summary>The probabilistic page's code: Poisson NLL, Gaussian NLL and KL divergence.</summary>
public static class ProbabilisticSnippets
{
    /// <summary>The Poisson example: per-element losses and the input and target gradients of their sum.</summary>
    public static (double[] values, double[] inputGradient, double[] targetGradient) Poisson(bool full)
    {
        using var scope = NewDisposeScope();
        // snippet:poisson_worked_example
        var logRate = tensor(new[] { 0.0, 0.5, 1.0 }).requires_grad_();     // x = log λ
        var counts = tensor(new[] { 0.0, 1.0, 3.0 }).requires_grad_();      // y, observed counts
        var perElement = F.poisson_nll_loss(logRate, counts, full: full, reduction: torch.nn.Reduction.None);
        perElement.sum().backward();
        // end-snippet
        return (perElement.detach().data<double>().ToArray(), logRate.grad!.data<double>().ToArray(),
            counts.grad!.data<double>().ToArray());
    }

    /// <summary>The Poisson example with the rate itself as the input.</summary>
    public static double[] PoissonOfRate(double[] rates, double[] observed)
    {
        using var scope = NewDisposeScope();
        var counts = tensor(observed);
        // snippet:poisson_rate_input
        var rate = tensor(rates);                                          // λ itself, not its log
        var loss = F.poisson_nll_loss(rate, counts, log_input: false, reduction: torch.nn.Reduction.None);
        // end-snippet
        return loss.data<double>().ToArray();
    }

    /// <summary>The second derivative of the summed Poisson loss (log input) at each element, by double backward.</summary>
    public static double[] PoissonSecondDerivative(double[] values, double[] observed)
    {
        using var scope = NewDisposeScope();
        var counts = tensor(observed);
        // snippet:poisson_double_backward
        var x = tensor(values).requires_grad_();
        var loss = F.poisson_nll_loss(x, counts, reduction: torch.nn.Reduction.Sum);
        var gradient = autograd.grad(new[] { loss }, new[] { x }, retain_graph: true, create_graph: true)[0]!;
        var second = autograd.grad(new[] { gradient.sum() }, new[] { x })[0]!;
        // end-snippet
        return second.data<double>().ToArray();
    }

    /// <summary>The Gaussian example's means, targets and per-sample variances.</summary>
    public static (Tensor input, Tensor target, Tensor variance) GaussianExample()
    {
        // snippet:gaussian_example_data
        var input = tensor(new[,] { { 0.5, 1.0, 2.0 }, { 0.0, 3.5, -1.0 } });    // means: 2 samples × 3 features
        var target = tensor(new[,] { { 1.0, 1.0, 0.5 }, { 0.5, 3.0, 1.0 } });
        var variance = tensor(new[] { 0.25, 1.0 });                             // one variance per sample
        // end-snippet
        return (input, target, variance);
    }

    /// <summary>The Gaussian example through the module: the mean and the gradients of input and variance.</summary>
    public static (double loss, double[] inputGradient, double[] varianceGradient) GaussianMean(bool full)
    {
        using var scope = NewDisposeScope();
        var (means, target, variances) = GaussianExample();
        // snippet:gaussian_module
        var input = means.requires_grad_();
        var variance = variances.requires_grad_();
        using var criterion = losses.GaussianNLLLoss(full: full);     // eps: 1e-6, reduction: mean
        var loss = criterion.call(input, target, variance);
        loss.backward();
        // end-snippet
        return (loss.item<double>(), input.grad!.data<double>().ToArray(), variance.grad!.data<double>().ToArray());
    }

    /// <summary>PyTorch's clamp of the variance, written out in user code (the page's tests compare it with the library).</summary>
    public static Tensor GaussianWrittenOut(Tensor input, Tensor target, Tensor variance, double eps)
    {
        // snippet:gaussian_clamp_on_a_copy
        var v = variance.clone();                          // a copy: the caller's tensor stays as it is
        using (torch.no_grad()) v.clamp_(min: eps);        // not recorded: the gradient skips the clamp
        var loss = 0.5 * (v.log() + (input - target).square() / v);
        // end-snippet
        return loss;
    }

    /// <summary>The KL example's target distributions p and model distributions q, one row per sample.</summary>
    public static (Tensor p, Tensor q) KlExample()
    {
        // snippet:kl_example_data
        var p = tensor(new[,] { { 0.7, 0.2, 0.1 }, { 0.5, 0.5, 0.0 } });        // target distributions
        var q = tensor(new[,] { { 0.5, 0.3, 0.2 }, { 0.25, 0.5, 0.25 } });      // the model's distributions
        // end-snippet
        return (p, q);
    }

    /// <summary>The KL example with batchmean: the loss and the gradient of log q.</summary>
    public static (double loss, double[] gradient) KlBatchMean()
    {
        using var scope = NewDisposeScope();
        var (p, q) = KlExample();
        // snippet:kl_batchmean
        var input = q.log().requires_grad_();                  // kl_div takes log q, not q
        var loss = F.kl_div(input, p, "batchmean");            // Σ p·(log p − log q) ÷ batch size
        loss.backward();
        // end-snippet
        return (loss.item<double>(), input.grad!.data<double>().ToArray());
    }

    /// <summary>The KL example with reduction mean, and the warnings it raised.</summary>
    public static (double loss, List<string> warnings) KlMean()
    {
        using var scope = NewDisposeScope();
        var (p, q) = KlExample();
        var input = q.log();
        // snippet:kl_mean_warning
        var warnings = new List<string>();
        EventHandler<LossWarningEventArgs> collect = (_, e) => { if (e.Loss == "kl_div") warnings.Add(e.Message); };
        LossWarnings.Warned += collect;
        var mean = F.kl_div(input, p);                         // reduction: mean, the default
        LossWarnings.Warned -= collect;
        // end-snippet
        return (mean.item<double>(), warnings);
    }

    /// <summary>The KL example with log-probability targets: the per-element losses.</summary>
    public static double[] KlLogTarget()
    {
        using var scope = NewDisposeScope();
        var (p, q) = KlExample();
        var input = q.log();
        // snippet:kl_log_target
        var logP = p.log();                                    // log 0 = −∞ in the second row
        var perElement = F.kl_div(input, logP, torch.nn.Reduction.None, log_target: true);
        // end-snippet
        return perElement.flatten().data<double>().ToArray();
    }
}
