using L = TorchLosses.nn.functional;
using N = TorchLosses.Parity.Aten;

namespace TorchLosses.Parity.Suites;

/// <summary>
/// The detection losses beyond torch.nn. torchvision's four (sigmoid_focal, generalized/distance/complete_box_iou) against
/// values and gradients recorded from torchvision 0.14 (parity/generate_detection_vectors.py): random boxes and logits under
/// every reduction, torchvision's own test boxes, identical, disjoint, touching, nested, zero-area and inverted boxes, batched,
/// single-box, integer and empty inputs, eps variants; gradcheck on the smooth recorded box cases. softmax_focal at γ = 0
/// against libtorch's cross_entropy (the identity that defines it), every reduction, weights, ignore_index, K-dim inputs,
/// float64/float32/bfloat16/float16, and gradcheck at γ = 2.
/// </summary>
public sealed class DetectionSuite : ParitySuite
{
    private static readonly string[] BoxLosses = { "generalized_box_iou", "distance_box_iou", "complete_box_iou" };

    /// <inheritdoc/>
    public override IReadOnlyList<string> Losses { get; } =
        new[] { "sigmoid_focal", "generalized_box_iou", "distance_box_iou", "complete_box_iou", "softmax_focal" };

    /// <inheritdoc/>
    public override IEnumerable<GridAxis> Grid
    {
        get
        {
            yield return new("sigmoid_focal", "torchvision 0.14 vectors", "α ∈ {0.25, −1, 0, 1, 0.58} × γ ∈ {2, 0, 0.5} on (4, 5) logits; soft targets; " +
                                                                       "logits ±100/±30; NaN/±∞; empty; 0-d; shape-mismatch error; every reduction");
            foreach (var loss in BoxLosses)
                yield return new(loss, "torchvision 0.14 vectors", "random (8, 4), (2, 3, 4), (4), 30 % inverted (12, 4); torchvision's test boxes; identical, " +
                                                                  "disjoint, touching, nested, partial, inverted, zero-width/height/area; int64; empty (0, 4); eps " +
                                                                  (loss == "complete_box_iou" ? "1e-7 (torchvision 0.14 does not pass eps to CIoU's DIoU part)" : "1e-7, 0, 0.5") +
                                                                  "; every reduction; " +
                                                                  (loss == "complete_box_iou" ? "no gradcheck (α is held constant, so the gradient is not the loss's derivative)" : "gradcheck on the random and partial-overlap boxes"));
            yield return new("sigmoid_focal", "γ = 0, α = −1 against libtorch's BCE with logits", "(4, 5) logits and soft targets (both differentiated) × " +
                                                                                          string.Join(", ", AllFloating.Select(Tolerances.Label)) + " × every reduction; gradcheck in float64");
            yield return new("softmax_focal", "γ = 0 against libtorch's cross_entropy", "(4, 5) and (2, 5, 3) × weight none/uniform × ignore_index none/some × " +
                                                                                       string.Join(", ", AllFloating.Select(Tolerances.Label)) + " × every reduction");
            yield return new("softmax_focal", "gradcheck", "float64, on the γ = 0 cases");
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<ParityCase> Cases()
    {
        foreach (var c in VectorWitness.Cases("sigmoid_focal_loss", "sigmoid_focal",
                     v => L.sigmoid_focal_loss(v["inputs"], v["targets"], v.Double("alpha", 0.25), v.Double("gamma", 2), v.Reduction)))
            yield return c;
        foreach (var (functional, loss, call) in new (string, string, Func<Tensor, Tensor, torch.nn.Reduction, double, Tensor>)[]
                 {
                     ("generalized_box_iou_loss", "generalized_box_iou", L.generalized_box_iou_loss),
                     ("distance_box_iou_loss", "distance_box_iou", L.distance_box_iou_loss),
                     ("complete_box_iou_loss", "complete_box_iou", L.complete_box_iou_loss),
                 })
            foreach (var c in VectorWitness.Cases(functional, loss, v => call(v["boxes1"], v["boxes2"], v.Reduction, v.Double("eps", 1e-7))))
                // gradcheck where the loss is smooth at the recorded boxes: random ones (edges apart) and the partial overlaps;
                // CIoU's α is held constant by design, so finite differences of the loss are not its gradient.
                yield return loss != "complete_box_iou" && (c.Name.EndsWith("/random", StringComparison.Ordinal) || c.Name.EndsWith("/partial", StringComparison.Ordinal))
                    ? c with { UseGradcheck = true }
                    : c;

        // γ = 0 without α is BCE with logits: against libtorch's op in every dtype (the recorded vectors are float64 only).
        foreach (var dtype in AllFloating)
            foreach (var (reduction, label) in Reductions)
                yield return new ParityCase
                {
                    Name = $"sigmoid_focal/{Tolerances.Label(dtype)}/{label}/alpha=-1/gamma=0/shape=[4,5]",
                    Loss = "sigmoid_focal",
                    DType = dtype,
                    Reduction = label,
                    Inputs = f => new[] { f.Normal(dtype, new long[] { 4, 5 }, scale: 3.0), f.Uniform(dtype, new long[] { 4, 5 }, 0, 1) },
                    Composed = t => L.sigmoid_focal_loss(t[0], t[1], -1, 0, reduction),
                    Native = t => N.binary_cross_entropy_with_logits(t[0], t[1], reduction: reduction),
                    UseGradcheck = dtype == ScalarType.Float64,
                    Quick = QuickDType(dtype),
                    Notes = "γ = 0, α < 0 is BCE with logits",
                };

        foreach (var dtype in AllFloating)
            foreach (var (reduction, label) in Reductions)
                foreach (var shape in new[] { new long[] { 4, 5 }, new long[] { 2, 5, 3 } })
                    foreach (var weighted in new[] { false, true })
                        foreach (var ignore in new[] { false, true })   // ignore_index 1: the targets drawn as class 1 are ignored
                        {
                            var targetShape = shape.Where((_, k) => k != 1).ToArray();
                            yield return new ParityCase
                            {
                                Name = $"softmax_focal/{Tolerances.Label(dtype)}/{label}/gamma=0/shape={S(shape)}/weight={(weighted ? "uniform" : "none")}/ignore={(ignore ? "some" : "none")}",
                                Loss = "softmax_focal",
                                DType = dtype,
                                Reduction = label,
                                Inputs = f => FocalInputs(f, dtype, shape, targetShape, weighted),
                                Composed = t => L.softmax_focal_loss(t[0], t[1], weighted ? t[2] : null, 0.0, ignore ? 1 : -100, reduction),
                                Native = t => N.cross_entropy(t[0], t[1], weighted ? t[2] : null, ignore ? 1 : -100, reduction),
                                UseGradcheck = dtype == ScalarType.Float64,
                                Quick = QuickDType(dtype),
                                Notes = "γ = 0 is cross entropy",
                            };
                        }
    }

    private static Tensor[] FocalInputs(InputFactory f, ScalarType dtype, long[] shape, long[] targetShape, bool weighted)
    {
        var input = f.Normal(dtype, shape);
        var target = f.Classes(shape[1], targetShape);
        var weight = f.Uniform(dtype, new[] { shape[1] }, 0.5, 2.0, grad: false);
        return weighted ? new[] { input, target, weight } : new[] { input, target };
    }
}
