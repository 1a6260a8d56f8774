// The code quoted by docs/losses/regression.md. Each "snippet:" region is copied into the page
// byte for byte (DocPageTests checks that), the file is compiled into the test project, and the page's
// tests run every method, so the page cannot show code that does not compile or does not do what it says.

// snippet:usings
using TorchSharp;
using static TorchSharp.torch;
using TorchLosses;                          // LossGradients, GradientMode, LossWarnings
using losses = TorchLosses.nn;              // modules:     losses.SmoothL1Loss(beta: 0.5)
using F = TorchLosses.nn.functional;        // functionals: F.smooth_l1_loss(input, target)
// end-snippet

namespace TorchLossesDocs;

/// <summary>The regression page's code: L1, MSE, SmoothL1 and Huber.</summary>
public static class RegressionSnippets
{
    /// <summary>The worked example: three rows, each off by 0.5, default β = 1, mean.</summary>
    public static float WorkedExample()
    {
        using var scope = NewDisposeScope();
        // snippet:smooth_l1_worked_example
        var input = tensor(new[] { 0.5f, 1.5f, 2.5f }, new long[] { 3, 1 });
        var target = tensor(new[] { 1f, 2f, 3f }, new long[] { 3, 1 });
        using var criterion = losses.SmoothL1Loss();          // reduction: mean, beta: 1
        float loss = criterion.call(input, target).item<float>();
        // end-snippet
        return loss;
    }

    /// <summary>
    /// Per-element losses and the gradient of their sum with respect to the input, for one loss given
    /// as a functional with reduction none.
    /// </summary>
    public static (double[] perElement, double[] gradient) PerElementAndGradient(
        Func<Tensor, Tensor, torch.nn.Reduction, Tensor> loss, double[] inputValues, double[] targetValues)
    {
        using var scope = NewDisposeScope();
        // snippet:per_element_and_gradient
        var input = tensor(inputValues).requires_grad_();
        var target = tensor(targetValues);
        var perElement = loss(input, target, torch.nn.Reduction.None);  // one loss per element
        perElement.sum().backward();                                    // input.grad = ∂(Σℓ)/∂input
        double[] values = perElement.detach().data<double>().ToArray();
        double[] gradient = input.grad!.data<double>().ToArray();
        // end-snippet
        return (values, gradient);
    }

    /// <summary>The four losses as functionals with their parameter, for <see cref="PerElementAndGradient"/>.</summary>
    public static Func<Tensor, Tensor, torch.nn.Reduction, Tensor> Functional(string name, double parameter = double.NaN) => name switch
    {
        // snippet:functionals
        "l1" => (x, y, r) => F.l1_loss(x, y, r),
        "mse" => (x, y, r) => F.mse_loss(x, y, r),
        "smooth_l1" => (x, y, r) => F.smooth_l1_loss(x, y, r, beta: parameter),
        "huber" => (x, y, r) => F.huber_loss(x, y, r, delta: parameter),
        // end-snippet
        _ => throw new ArgumentException($"unknown loss {name}", nameof(name)),
    };

    /// <summary>
    /// Huber's loss written the naive way, a <c>where</c> between the two branches. It has the right
    /// values but a NaN gradient wherever d is infinite: the unselected branch 0.5·d² receives a zero
    /// gradient, and 0·∞ is NaN.
    /// </summary>
    public static Tensor NaiveHuber(Tensor input, Tensor target, double delta)
    {
        // snippet:naive_where_form
        var d = input - target;
        var quadratic = 0.5 * d.square();
        var linear = delta * (d.abs() - 0.5 * delta);
        var loss = torch.where(d.abs() < delta, quadratic, linear);      // do not do this
        // end-snippet
        return loss;
    }

    /// <summary>The naive SmoothL1 with β = 0: 0.5·d²/β is 0/0 in the branch that is never selected.</summary>
    public static Tensor NaiveSmoothL1(Tensor input, Tensor target, double beta)
    {
        var d = input - target;
        return torch.where(d.abs() < beta, 0.5 * d.square() / beta, d.abs() - 0.5 * beta);
    }

    /// <summary>The clamp form used by TorchLosses, written out in user code (the identity tests compare it with the library).</summary>
    public static Tensor ClampForm(Tensor input, Tensor target, double delta)
    {
        // snippet:clamp_form
        var d = input - target;
        var m = d.clamp(-delta, delta);                        // d inside the zone, ±δ outside
        var loss = m.detach() * (d - m) + 0.5 * m.square();    // = Huber(d); gradient = m exactly
        // end-snippet
        return loss;
    }

    /// <summary>The second derivative of Huber's loss (sum) at each element, through the autograd path.</summary>
    public static double[] SecondDerivative(double[] inputValues, double delta)
    {
        using var scope = NewDisposeScope();
        // snippet:double_backward
        using var mode = LossGradients.Use(GradientMode.Autograd);   // this thread, until disposed
        var input = tensor(inputValues).requires_grad_();
        var target = zeros_like(input);
        var loss = F.huber_loss(input, target, torch.nn.Reduction.Sum, delta);
        var gradient = autograd.grad(new[] { loss }, new[] { input }, retain_graph: true, create_graph: true)[0]!;
        var second = autograd.grad(new[] { gradient.sum() }, new[] { input })[0]!;
        // end-snippet
        return second.data<double>().ToArray();
    }
}
