using TorchLosses.Modules;
using static TorchLosses.RobustFrame;

namespace TorchLosses
{
    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.WingLoss"/>.</summary>
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <param name="omega">Width w of the logarithmic zone. Range: 0 &lt; w &lt; ∞ (paper: 10).</param>
        /// <param name="epsilon">Curvature ε of the logarithmic zone. Range: 0 &lt; ε &lt; ∞ (paper: 2).</param>
        public static WingLoss WingLoss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double omega = 10, double epsilon = 2) =>
            new(reduction, omega, epsilon);

        /// <summary>Creates an <see cref="Modules.AdaptiveWingLoss"/> (parameters as in the paper and mmpose).</summary>
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <param name="alpha">α; the exponent is α − target. Range: finite, with α − target ≥ 1 everywhere (default 2.1).</param>
        /// <param name="omega">ω. Range: 0 &lt; ω &lt; ∞ (default 14).</param>
        /// <param name="epsilon">ε. Range: 0 &lt; ε &lt; ∞ (default 1).</param>
        /// <param name="theta">θ, where the loss turns linear. Range: 0 &lt; θ &lt; ∞ (default 0.5).</param>
        public static AdaptiveWingLoss AdaptiveWingLoss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double alpha = 2.1,
            double omega = 14, double epsilon = 1, double theta = 0.5) =>
            new(reduction, alpha, omega, epsilon, theta);

        public static partial class functional
        {
            /// <summary>
            /// Wing loss (Z.-H. Feng, J. Kittler, M. Awais, P. Huber, X.-J. Wu, "Wing Loss for Robust Facial Landmark
            /// Localisation with Convolutional Neural Networks", CVPR 2018, arXiv:1711.06753).
            /// <para>Per element, with d = input − target: ℓ = w·ln(1 + |d|/ε) if |d| &lt; w, and |d| − C otherwise, with
            /// C = w − w·ln(1 + w/ε), which makes ℓ continuous at |d| = w.</para>
            /// <para>Gradient: ∂ℓ/∂input = sign(d)·w/(ε + |d|) inside, sign(d) outside: the value is continuous at |d| = w,
            /// the slope jumps there from w/(ε + w) to 1 (5/6 with the paper's values), as in the paper;
            /// 0 at d = 0 (a subgradient); ∂ℓ/∂target = −∂ℓ/∂input.</para>
            /// <para>Reduction: none keeps the broadcast shape; mean divides the sum by the element count (NaN for none); sum adds.
            /// mmpose sums over keypoints and coordinates and averages over the batch: that is sum / batch size here.</para>
            /// </summary>
            /// <param name="input">Prediction, floating point, any shape.</param>
            /// <param name="target">Target, broadcastable to <paramref name="input"/> (a warning is raised when the sizes differ).</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <param name="omega">Width w. Range: 0 &lt; w &lt; ∞; the paper's 10 by default (SMP's helper uses 5).</param>
            /// <param name="epsilon">Curvature ε. Range: 0 &lt; ε &lt; ∞; the paper's 2 by default (SMP's helper uses 0.5).</param>
            /// <exception cref="ArgumentNullException">A tensor is null.</exception>
            /// <exception cref="ArgumentOutOfRangeException">w or ε is not in (0, ∞).</exception>
            /// <exception cref="ArgumentException">The shapes cannot be broadcast.</exception>
            /// <exception cref="ArgumentException">A tensor is not floating point (naming it).</exception>
            public static Tensor wing_loss(Tensor input, Tensor target, torch.nn.Reduction reduction = torch.nn.Reduction.Mean,
                double omega = 10, double epsilon = 2) =>
                Pointwise(input, target, reduction, "wing_loss", (_, _) =>
                    {
                        PositiveFinite(omega, nameof(omega), "wing_loss");
                        PositiveFinite(epsilon, nameof(epsilon), "wing_loss");
                    },
                    (x, y) =>
                    {
                        var magnitude = (x - y).abs();
                        var inside = magnitude.detach().lt(Tensors.Constant(omega, magnitude));
                        double continuity = omega - omega * Math.Log(1 + omega / epsilon);
                        var logarithmic = Tensors.Constant(omega, magnitude) * (Only(inside, magnitude, 0) / Tensors.Constant(epsilon, magnitude)).log1p();
                        return torch.where(inside, logarithmic, magnitude - Tensors.Constant(continuity, magnitude));
                    });

            /// <summary>
            /// Adaptive Wing loss (X. Wang, L. Bo, L. Fuxin, "Adaptive Wing Loss for Robust Face Alignment via Heatmap
            /// Regression", ICCV 2019, arXiv:1904.07399), for heatmaps, in the form of the paper and of mmpose's
            /// <c>AdaptiveWingLoss</c> ((δ/ε) in the logarithmic zone; some copies use δ/ω there, a different function).
            /// <para>Per element, with δ = |target − input| and the target-dependent exponent p = α − target:
            /// ℓ = ω·ln(1 + (δ/ε)^p) if δ &lt; θ, and A·δ − C otherwise, with
            /// A = ω·p·(θ/ε)^(p−1) / (ε·(1 + (θ/ε)^p)) and C = θ·A − ω·ln(1 + (θ/ε)^p), so that value and slope are
            /// continuous at δ = θ.</para>
            /// <para>Gradient: ∂ℓ/∂input = sign(d)·ω·p·(δ/ε)^(p−1)/(ε·(1 + (δ/ε)^p)) inside (d = input − target), sign(d)·A outside;
            /// 0 at δ = 0 (for p ≥ 1). The target is differentiated too (through δ and the exponent).</para>
            /// <para>Reduction: none keeps the broadcast shape; mean divides the sum by the element count (NaN for none); sum adds.</para>
            /// </summary>
            /// <param name="input">Predicted heatmap, floating point, any shape.</param>
            /// <param name="target">Target heatmap (values in [0, 1] in the paper), broadcastable to <paramref name="input"/>.</param>
            /// <param name="reduction">none, mean (default) or sum.</param>
            /// <param name="alpha">Range: finite, with α − target ≥ 1 everywhere (the exponent's range where the slope at δ = 0 is
            /// finite); 2.1 by default, so targets up to 1.1 are accepted.</param>
            /// <param name="omega">Range: 0 &lt; ω &lt; ∞ (default 14).</param>
            /// <param name="epsilon">Range: 0 &lt; ε &lt; ∞ (default 1).</param>
            /// <param name="theta">Range: 0 &lt; θ &lt; ∞ (default 0.5).</param>
            /// <exception cref="ArgumentNullException">A tensor is null.</exception>
            /// <exception cref="ArgumentOutOfRangeException">A parameter is out of its range.</exception>
            /// <exception cref="ArgumentException">α − target &lt; 1 somewhere, or the shapes cannot be broadcast.</exception>
            /// <exception cref="ArgumentException">A tensor is not floating point (naming it).</exception>
            public static Tensor adaptive_wing_loss(Tensor input, Tensor target, torch.nn.Reduction reduction = torch.nn.Reduction.Mean,
                double alpha = 2.1, double omega = 14, double epsilon = 1, double theta = 0.5) =>
                Pointwise(input, target, reduction, "adaptive_wing_loss", (_, y) =>
                    {
                        if (!double.IsFinite(alpha))
                            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "adaptive_wing_loss: alpha must be finite.");
                        PositiveFinite(omega, nameof(omega), "adaptive_wing_loss");
                        PositiveFinite(epsilon, nameof(epsilon), "adaptive_wing_loss");
                        PositiveFinite(theta, nameof(theta), "adaptive_wing_loss");
                        using var scope = torch.NewDisposeScope();
                        if (y.detach().gt(Tensors.Constant(alpha - 1, y)).any().item<bool>())
                            throw new ArgumentException(
                                $"adaptive_wing_loss: alpha - target must be at least 1 everywhere (target <= {Check.PythonFloat(alpha - 1)} for alpha = {Check.PythonFloat(alpha)}).",
                                nameof(target));
                    },
                    (x, y) =>
                    {
                        var distance = (y - x).abs();
                        var exponent = Tensors.Constant(alpha, y) - y;
                        var inside = distance.detach().lt(Tensors.Constant(theta, distance));
                        var ratio = Tensors.Constant(theta / epsilon, y);
                        var powered = ratio.pow(exponent);
                        var slope = Tensors.Constant(omega, y) * exponent * ratio.pow(exponent - Tensors.Constant(1, y)) / (Tensors.Constant(epsilon, y) * (Tensors.Constant(1, y).Plus(powered)));
                        var offset = Tensors.Constant(theta, y) * slope - Tensors.Constant(omega, y) * powered.log1p();
                        var logarithmic = Tensors.Constant(omega, y) * (Only(inside, distance, 0) / Tensors.Constant(epsilon, y)).pow(exponent).log1p();
                        return torch.where(inside, logarithmic, slope * distance - offset);
                    });
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>Wing loss as a module; see <see cref="nn.functional.wing_loss"/> for the formula, gradient and ranges.</summary>
    public sealed class WingLoss : Loss<Tensor, Tensor, Tensor>
    {
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <param name="omega">Width w. Range: 0 &lt; w &lt; ∞ (checked when the loss is computed).</param>
        /// <param name="epsilon">Curvature ε. Range: 0 &lt; ε &lt; ∞.</param>
        public WingLoss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double omega = 10, double epsilon = 2) : base(reduction)
        {
            this.omega = omega;
            this.epsilon = epsilon;
        }

        /// <summary>Width w of the logarithmic zone.</summary>
        public double omega { get; }

        /// <summary>Curvature ε of the logarithmic zone.</summary>
        public double epsilon { get; }

        /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) => nn.functional.wing_loss(input, target, reduction, omega, epsilon);
    }

    /// <summary>Adaptive Wing loss as a module; see <see cref="nn.functional.adaptive_wing_loss"/> for the formula, gradient and ranges.</summary>
    public sealed class AdaptiveWingLoss : Loss<Tensor, Tensor, Tensor>
    {
        /// <param name="reduction">none, mean (default) or sum.</param>
        /// <param name="alpha">α (default 2.1); α − target ≥ 1 everywhere.</param>
        /// <param name="omega">ω (default 14).</param>
        /// <param name="epsilon">ε (default 1).</param>
        /// <param name="theta">θ (default 0.5).</param>
        public AdaptiveWingLoss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double alpha = 2.1, double omega = 14,
            double epsilon = 1, double theta = 0.5) : base(reduction)
        {
            this.alpha = alpha;
            this.omega = omega;
            this.epsilon = epsilon;
            this.theta = theta;
        }

        /// <summary>α.</summary>
        public double alpha { get; }

        /// <summary>ω.</summary>
        public double omega { get; }

        /// <summary>ε.</summary>
        public double epsilon { get; }

        /// <summary>θ.</summary>
        public double theta { get; }

        /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) =>
            nn.functional.adaptive_wing_loss(input, target, reduction, alpha, omega, epsilon, theta);
    }
}
