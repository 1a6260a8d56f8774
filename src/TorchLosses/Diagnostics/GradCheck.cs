using System.Globalization;

namespace TorchLosses;

/// <summary>
/// Checks autograd gradients against finite differences, with the semantics of PyTorch's
/// <c>torch.autograd.gradcheck</c> (TorchSharp has no equivalent).
/// </summary>
/// <remarks>
/// <para>For every input that requires grad, the numerical Jacobian column of element j is the central
/// difference (f(x + eps·eⱼ) − f(x − eps·eⱼ)) / (2·eps), computed in float64; the analytical Jacobian row
/// of output element k is the vector–Jacobian product of autograd with the one-hot upstream gradient eₖ.
/// The full Jacobians are compared entry by entry: an entry passes when
/// |analytical − numerical| ≤ atol + rtol·|numerical| (PyTorch's <c>allclose(analytical, numerical)</c>;
/// a NaN anywhere fails).</para>
/// <para>Finite differences are meaningful only where the function is smooth: keep every input at
/// least a few eps away from a kink (|d| = β of SmoothL1, d = 0 of L1, a hinge's zero, ...), where
/// the one-sided slopes differ and the central difference averages them.</para>
/// <para>Differences from PyTorch: a single output tensor; nothing is cast — every input that requires
/// grad must already be float64 (PyTorch only warns, and a float32 check is then almost sure to fail
/// for the wrong reason); the non-determinism, batched-gradient, undefined-gradient and sparse checks
/// of PyTorch are not performed.</para>
/// </remarks>
public static class GradCheck
{
    /// <summary>
    /// Compares the gradients autograd gives for <paramref name="function"/> at <paramref name="inputs"/>
    /// with central finite differences.
    /// </summary>
    /// <param name="function">The function to check, called with tensors shaped and typed like
    /// <paramref name="inputs"/>. It must return one float64 tensor (of any shape) and must not modify
    /// its arguments.</param>
    /// <param name="inputs">The point at which to check. Those with <c>requires_grad</c> are the ones
    /// differentiated (at least one; each must be float64); the others are passed through unchanged.
    /// The tensors themselves are not modified: the check works on copies.</param>
    /// <param name="eps">The finite-difference step. Range: eps &gt; 0; PyTorch's default 1e-6.</param>
    /// <param name="atol">The absolute tolerance per Jacobian entry. Range: atol ≥ 0; default 1e-5.</param>
    /// <param name="rtol">The tolerance relative to the numerical entry. Range: rtol ≥ 0; default 1e-3.</param>
    /// <param name="raise_exception">When true (PyTorch's default), a mismatch throws a
    /// <see cref="GradCheckException"/> carrying the result; when false, the result reports it.</param>
    /// <returns>The outcome, with the worst Jacobian entry (the largest error relative to its allowance),
    /// also when the check passes.</returns>
    /// <exception cref="ArgumentException">No input requires grad; an input that requires grad, or the
    /// output, is not float64; the output is not a tensor computed from the inputs.</exception>
    /// <exception cref="ArgumentOutOfRangeException">eps ≤ 0, or a negative tolerance.</exception>
    /// <exception cref="GradCheckException">The Jacobians differ and <paramref name="raise_exception"/> is true.</exception>
    public static GradCheckResult gradcheck(Func<Tensor[], Tensor> function, Tensor[] inputs, double eps = 1e-6, double atol = 1e-5,
        double rtol = 1e-3, bool raise_exception = true)
    {
        var differentiable = Validate(function, inputs, eps, atol, rtol, nameof(gradcheck));
        using var scope = torch.NewDisposeScope();
        return Run(function, inputs, differentiable, eps, atol, rtol, raise_exception, nameof(gradcheck));
    }

    /// <summary>
    /// Checks second derivatives against finite differences of the first, with the semantics of PyTorch's
    /// <c>torch.autograd.gradgradcheck</c>: <see cref="gradcheck"/> applied to the function that maps the inputs and an
    /// upstream gradient v to the vector–Jacobian products vᵀ·∂f/∂xᵢ, which autograd computes with create_graph. So every
    /// second-order vector–Jacobian product is compared: with respect to each differentiable input (the Hessian-vector
    /// products) and with respect to v (the first derivatives themselves, against finite differences in v).
    /// </summary>
    /// <remarks>
    /// <para>The gradients of all differentiable inputs are flattened and concatenated into the one output
    /// <see cref="gradcheck"/> checks; a gradient autograd leaves undefined (the output does not depend on that input)
    /// counts as zeros, as PyTorch's does. Where the first derivative does not depend on an input at all (a linear
    /// function) its analytical second derivatives are 0, and the finite differences must agree.</para>
    /// <para>The random upstream gradient is, as PyTorch's, uniform in [−1, 1) and shaped like the function's output, but
    /// drawn from a <see cref="Random"/> seeded with <paramref name="seed"/> rather than from libtorch's global generator
    /// (so a check is reproducible and does not disturb other users of that generator).</para>
    /// <para>A function whose gradient libtorch cannot differentiate (ctc_loss's, as libtorch's own) makes the check throw
    /// libtorch's error as an <see cref="System.Runtime.InteropServices.ExternalException"/>: the second-order pass
    /// runs once through <c>torch.autograd.backward</c>, where TorchSharp 0.107 turns native errors into exceptions, before
    /// <c>torch.autograd.grad</c> (which does not) is used row by row.</para>
    /// <para>Differences from PyTorch: as for <see cref="gradcheck"/> (one output tensor, float64 only, no non-determinism,
    /// batched, undefined-gradient or sparse checks); no non-contiguous upstream gradients.</para>
    /// </remarks>
    /// <param name="function">The function to check, as for <see cref="gradcheck"/>; it must be twice differentiable where
    /// checked (keep inputs a few eps away from kinks, where the first derivative jumps).</param>
    /// <param name="inputs">The point at which to check; those with <c>requires_grad</c> (float64) are differentiated.</param>
    /// <param name="grad_outputs">The upstream gradient v: shaped like the output, float64. Null (the default): random,
    /// uniform in [−1, 1). It is differentiated too.</param>
    /// <param name="eps">The finite-difference step. Range: eps &gt; 0; PyTorch's default 1e-6.</param>
    /// <param name="atol">The absolute tolerance per entry. Range: atol ≥ 0; default 1e-5.</param>
    /// <param name="rtol">The tolerance relative to the numerical entry. Range: rtol ≥ 0; default 1e-3.</param>
    /// <param name="raise_exception">When true (PyTorch's default), a mismatch throws a <see cref="GradCheckException"/>.</param>
    /// <param name="seed">The seed of the random upstream gradient (unused when <paramref name="grad_outputs"/> is given).</param>
    /// <returns>The outcome; input indices in it count the upstream gradient as the last input (index inputs.Length), and
    /// output elements index the concatenated, flattened gradients.</returns>
    /// <exception cref="ArgumentException">As for <see cref="gradcheck"/>; or grad_outputs not float64 or not shaped like the output.</exception>
    /// <exception cref="ArgumentOutOfRangeException">eps ≤ 0, or a negative tolerance.</exception>
    /// <exception cref="GradCheckException">The second derivatives differ and <paramref name="raise_exception"/> is true.</exception>
    public static GradCheckResult gradgradcheck(Func<Tensor[], Tensor> function, Tensor[] inputs, Tensor? grad_outputs = null,
        double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3, bool raise_exception = true, int seed = 0)
    {
        var differentiable = Validate(function, inputs, eps, atol, rtol, nameof(gradgradcheck));
        using var scope = torch.NewDisposeScope();
        long[] outputShape;
        using (var noGrad = torch.no_grad())
        {
            var output = function(inputs.Select(t => t.detach()).ToArray());
            CheckOutput(output);
            outputShape = Tensors.Shape(output);
        }
        Tensor upstream;
        if (grad_outputs is null)
        {
            var random = new Random(seed);
            var values = new double[outputShape.Aggregate(1L, (a, b) => a * b)];
            for (int i = 0; i < values.Length; i++) values[i] = random.NextDouble() * 2 - 1;
            var first = inputs[differentiable[0]];
            var device = first.device;
            upstream = torch.tensor(values, outputShape, torch.ScalarType.Float64, device);
        }
        else
        {
            if (grad_outputs.dtype != torch.ScalarType.Float64 || !Check.SameShape(Tensors.Shape(grad_outputs), outputShape))
                throw new ArgumentException(
                    $"grad_outputs must be float64 and shaped like the function's output {Check.Brackets(outputShape)}; got " +
                    $"{Check.TorchTypeName(grad_outputs.dtype)} {Check.Brackets(grad_outputs)}.", nameof(grad_outputs));
            upstream = grad_outputs.detach();
        }

        var sizes = differentiable.Select(k => inputs[k].numel()).ToArray();
        Tensor FirstDerivatives(Tensor[] arguments)
        {
            using var enable = torch.enable_grad();
            var point = arguments[..^1].ToArray();
            foreach (var k in differentiable)
                if (!point[k].requires_grad) point[k] = point[k].detach().requires_grad_(true);   // a finite-difference evaluation
            var output = function(point);
            CheckOutput(output);
            var wrt = differentiable.Select(k => point[k]).ToArray();
            var gradients = output.requires_grad
                ? torch.autograd.grad(new[] { output }, wrt, new[] { arguments[^1] }, retain_graph: true, create_graph: true, allow_unused: true)
                : new Tensor?[wrt.Length];
            var flat = gradients.Select((g, d) => g is null || g.IsInvalid
                ? torch.zeros(sizes[d], torch.ScalarType.Float64, output.device)
                : g.flatten());
            return torch.cat(flat.ToArray());
        }

        var all = inputs.Append(upstream.requires_grad_(true)).ToArray();
        return Run(FirstDerivatives, all, differentiable.Append(inputs.Length).ToArray(), eps, atol, rtol, raise_exception, nameof(gradgradcheck));
    }

    /// <summary>The argument checks shared by both checks; returns the positions of the inputs that require grad.</summary>
    private static int[] Validate(Func<Tensor[], Tensor> function, Tensor[] inputs, double eps, double atol, double rtol, string name)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be positive.");
        if (!(atol >= 0)) throw new ArgumentOutOfRangeException(nameof(atol), atol, "atol must be non-negative.");
        if (!(rtol >= 0)) throw new ArgumentOutOfRangeException(nameof(rtol), rtol, "rtol must be non-negative.");
        var differentiable = Enumerable.Range(0, inputs.Length).Where(k => inputs[k].requires_grad).ToArray();
        if (differentiable.Length == 0)
            throw new ArgumentException(
                $"{name} expects at least one input tensor to require gradient, but none of them have requires_grad=True.",
                nameof(inputs));
        foreach (var k in differentiable)
            if (inputs[k].dtype != torch.ScalarType.Float64)
                throw new ArgumentException(
                    $"Input #{k} requires gradient and is not a double precision floating point tensor (it is {Check.TorchTypeName(inputs[k].dtype)}). " +
                    $"{name} casts nothing: pass float64 inputs.", nameof(inputs));
        return differentiable;
    }

    private static GradCheckResult Run(Func<Tensor[], Tensor> function, Tensor[] inputs, int[] differentiable, double eps, double atol,
        double rtol, bool raise_exception, string name)
    {
        var analytical = Analytical(function, inputs, differentiable, out var outputShape);
        var result = new GradCheckResult(eps, atol, rtol, outputShape, name);
        for (int d = 0; d < differentiable.Length; d++)
        {
            int k = differentiable[d];
            var numerical = Numerical(function, inputs, k, eps, outputShape);
            result.Compare(k, Tensors.Shape(inputs[k]), analytical[d], numerical);
        }
        if (!result.Passed && raise_exception) throw new GradCheckException(result);
        return result;
    }

    /// <summary>The analytical Jacobians [output element, input element], one per differentiable input.</summary>
    private static double[][,] Analytical(Func<Tensor[], Tensor> function, Tensor[] inputs, int[] differentiable, out long[] outputShape)
    {
        var leaves = inputs.Select(t => t.requires_grad ? t.detach().clone().requires_grad_(true) : t).ToArray();
        var output = function(leaves);
        CheckOutput(output);
        outputShape = Tensors.Shape(output);
        long m = output.numel();
        var jacobians = differentiable.Select(k => new double[m, leaves[k].numel()]).ToArray();
        if (!output.requires_grad || m == 0) return jacobians;   // nothing flows back: every analytical entry is 0

        var wrt = differentiable.Select(k => leaves[k]).ToArray();
        // One backward first, through torch.autograd.backward: TorchSharp 0.107 turns a libtorch error there (a node that cannot
        // be differentiated, such as a second derivative libtorch does not implement) into a .NET exception, where the same
        // error inside torch.autograd.grad ends the process. The rows below then run on a graph known to work.
        using (var probeScope = torch.NewDisposeScope())
            torch.autograd.backward(new[] { output }, new[] { torch.ones_like(output) }, retain_graph: true, inputs: wrt);
        var oneHot = new double[m];
        for (long row = 0; row < m; row++)
        {
            using var rowScope = torch.NewDisposeScope();
            Array.Clear(oneHot);
            oneHot[row] = 1;
            var upstream = torch.tensor(oneHot, outputShape, torch.ScalarType.Float64, output.device);
            var grads = torch.autograd.grad(new[] { output }, wrt, new[] { upstream }, retain_graph: true, allow_unused: true);
            for (int d = 0; d < wrt.Length; d++)
            {
                var g = grads[d];
                if (g is null || g.IsInvalid) continue;   // the output does not depend on this input
                var values = Values(g);
                for (int col = 0; col < values.Length; col++) jacobians[d][row, col] = values[col];
            }
        }
        return jacobians;
    }

    /// <summary>The central-difference Jacobian [output element, input element] of input <paramref name="k"/>.</summary>
    private static double[,] Numerical(Func<Tensor[], Tensor> function, Tensor[] inputs, int k, double eps, long[] outputShape)
    {
        var point = Values(inputs[k]);
        var shape = Tensors.Shape(inputs[k]);
        long m = outputShape.Aggregate(1L, (a, b) => a * b);
        var jacobian = new double[m, point.Length];
        var arguments = inputs.Select(t => t.requires_grad ? t.detach() : t).ToArray();
        using var noGrad = torch.no_grad();
        for (int col = 0; col < point.Length; col++)
        {
            using var columnScope = torch.NewDisposeScope();
            double original = point[col];
            point[col] = original + eps;
            var plus = Evaluate(function, arguments, k, point, shape, inputs[k]);
            point[col] = original - eps;
            var minus = Evaluate(function, arguments, k, point, shape, inputs[k]);
            point[col] = original;
            for (long row = 0; row < m; row++) jacobian[row, col] = (plus[row] - minus[row]) / (2 * eps);
        }
        return jacobian;
    }

    private static double[] Evaluate(Func<Tensor[], Tensor> function, Tensor[] arguments, int k, double[] point, long[] shape, Tensor like)
    {
        var perturbed = (Tensor[])arguments.Clone();
        perturbed[k] = torch.tensor(point, shape, torch.ScalarType.Float64, like.device);
        var output = function(perturbed);
        CheckOutput(output);
        return Values(output);
    }

    private static void CheckOutput(Tensor output)
    {
        if (output is null) throw new ArgumentException("The function returned null instead of a tensor.", "function");
        if (output.dtype != torch.ScalarType.Float64)
            throw new ArgumentException(
                $"The function's output is {Check.TorchTypeName(output.dtype)}; gradcheck casts nothing and needs a float64 output.", "function");
    }

    // Copied into a fresh flat tensor: TorchSharp's data<T>() rejects an empty tensor of ≥ 2 dimensions, and its reader fails
    // on a tensor without storage, as libtorch's "efficient zero" gradients are (abs's second derivative, for one).
    private static double[] Values(Tensor t)
    {
        using var dense = torch.zeros(t.numel(), torch.ScalarType.Float64, t.device);
        using var flat = t.flatten();
        return dense.add_(flat, Scalars.One).data<double>().ToArray();
    }

    internal static string Index(long flat, long[] shape)
    {
        if (shape.Length == 0) return "[]";
        var index = new long[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            long size = Math.Max(shape[d], 1);
            index[d] = flat % size;
            flat /= size;
        }
        return "[" + string.Join(", ", index) + "]";
    }

    internal static string Number(double value) => value.ToString("G9", CultureInfo.InvariantCulture);
}

/// <summary>The outcome of <see cref="GradCheck.gradcheck"/>: whether every Jacobian entry agreed, and the worst one.</summary>
public sealed class GradCheckResult
{
    internal GradCheckResult(double eps, double atol, double rtol, long[] outputShape, string name = "gradcheck")
    {
        Name = name;
        Eps = eps;
        Atol = atol;
        Rtol = rtol;
        OutputShape = outputShape;
    }

    /// <summary>The check that produced this result: "gradcheck", or "gradgradcheck" (whose Jacobian is that of the gradients).</summary>
    public string Name { get; }

    /// <summary>True when every compared Jacobian entry satisfied |analytical − numerical| ≤ atol + rtol·|numerical|.</summary>
    public bool Passed => Failures == 0;

    /// <summary>The number of Jacobian entries compared (output elements × differentiated input elements).</summary>
    public long Entries { get; private set; }

    /// <summary>The number of Jacobian entries outside the tolerance.</summary>
    public long Failures { get; private set; }

    /// <summary>The finite-difference step used.</summary>
    public double Eps { get; }

    /// <summary>The absolute tolerance used.</summary>
    public double Atol { get; }

    /// <summary>The relative tolerance used.</summary>
    public double Rtol { get; }

    /// <summary>The shape of the function's output.</summary>
    public long[] OutputShape { get; }

    /// <summary>The entry with the largest error relative to its allowance (null when there were no entries).</summary>
    public GradCheckEntry? Worst { get; private set; }

    internal void Compare(int input, long[] inputShape, double[,] analytical, double[,] numerical)
    {
        for (int row = 0; row < analytical.GetLength(0); row++)
            for (int col = 0; col < analytical.GetLength(1); col++)
            {
                double a = analytical[row, col], n = numerical[row, col];
                double allowed = Atol + Rtol * Math.Abs(n);
                double error = Math.Abs(a - n);
                bool ok = error <= allowed;   // false when either is NaN
                Entries++;
                if (!ok) Failures++;
                // Error / allowance: above 1 (or infinite, for NaN or a zero allowance) exactly when the entry fails.
                double score = ok ? (error == 0 ? 0 : error / allowed) : double.IsNaN(error) || allowed == 0 ? double.PositiveInfinity : error / allowed;
                if (Worst is null || score > Worst.Score)
                    Worst = new GradCheckEntry(input, GradCheck.Index(col, inputShape), GradCheck.Index(row, OutputShape), a, n, error, allowed, ok, score);
            }
    }

    /// <summary>A one-paragraph report: the verdict and the worst entry.</summary>
    public override string ToString()
    {
        string settings = $"eps {GradCheck.Number(Eps)}, atol {GradCheck.Number(Atol)}, rtol {GradCheck.Number(Rtol)}";
        if (Worst is null) return $"{Name} passed: no Jacobian entries to compare ({settings}).";
        var w = Worst;
        string where = $"output element {w.OutputIndex} with respect to input {w.Input} element {w.InputIndex}";
        string numbers = $"analytical {GradCheck.Number(w.Analytical)}, numerical {GradCheck.Number(w.Numerical)}, " +
                         $"|difference| {GradCheck.Number(w.Error)} {(w.Passed ? "≤" : "exceeds")} atol + rtol·|numerical| = {GradCheck.Number(w.Allowed)}";
        return Passed
            ? $"{Name} passed: {Entries} Jacobian entries agree ({settings}); closest to the limit: {where}: {numbers}."
            : $"{Name} failed: Jacobian mismatch in {Failures} of {Entries} entries ({settings}); worst: {where}: {numbers}.";
    }
}

/// <summary>One entry of the Jacobian as compared by <see cref="GradCheck.gradcheck"/>.</summary>
/// <param name="Input">The position of the input in the argument array.</param>
/// <param name="InputIndex">The element of that input, as a multi-index such as "[1, 2]".</param>
/// <param name="OutputIndex">The element of the output, as a multi-index ("[]" for a 0-d output).</param>
/// <param name="Analytical">∂output/∂input as autograd gives it.</param>
/// <param name="Numerical">The central finite difference.</param>
/// <param name="Error">|Analytical − Numerical|.</param>
/// <param name="Allowed">atol + rtol·|Numerical|.</param>
/// <param name="Passed">Whether Error ≤ Allowed.</param>
/// <param name="Score">Error / Allowed (infinite for NaN): how close to, or how far past, the limit the entry is.</param>
public sealed record GradCheckEntry(int Input, string InputIndex, string OutputIndex, double Analytical, double Numerical, double Error,
    double Allowed, bool Passed, double Score);

/// <summary>Thrown by <see cref="GradCheck.gradcheck"/> when the Jacobians differ; the message names the worst entry.</summary>
public sealed class GradCheckException : Exception
{
    /// <summary>Creates the exception for a failed check.</summary>
    public GradCheckException(GradCheckResult result) : base(result.ToString()) => Result = result;

    /// <summary>The full outcome of the check.</summary>
    public GradCheckResult Result { get; }
}
