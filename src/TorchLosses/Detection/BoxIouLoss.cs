using TorchLosses.Modules;

namespace TorchLosses
{
    /// <summary>The members of the IoU family of box losses.</summary>
    public enum BoxIouKind
    {
        /// <summary>1 − IoU.</summary>
        IoU,

        /// <summary>Generalized IoU: 1 − IoU + (|C| − |A ∪ B|)/|C|.</summary>
        Generalized,

        /// <summary>Distance IoU: 1 − IoU + ρ²/c².</summary>
        Distance,

        /// <summary>Complete IoU: DIoU + α·v.</summary>
        Complete,
    }

    public static partial class nn
    {
        /// <summary>Creates a <see cref="Modules.BoxIouLoss"/> computing 1 − IoU of (x1, y1, x2, y2) boxes.</summary>
        /// <param name="reduction">none (default, as torchvision's box losses), mean (0 for no boxes) or sum.</param>
        /// <param name="eps">Range: eps ≥ 0 (default 1e-7), added to the union.</param>
        public static BoxIouLoss BoxIouLoss(torch.nn.Reduction reduction = torch.nn.Reduction.None, double eps = 1e-7) =>
            new(BoxIouKind.IoU, reduction, eps);

        /// <summary>Creates a <see cref="Modules.BoxIouLoss"/> computing the generalized IoU loss (torchvision's <c>generalized_box_iou_loss</c>).</summary>
        /// <inheritdoc cref="BoxIouLoss(torch.nn.Reduction, double)"/>
        public static BoxIouLoss GeneralizedBoxIouLoss(torch.nn.Reduction reduction = torch.nn.Reduction.None, double eps = 1e-7) =>
            new(BoxIouKind.Generalized, reduction, eps);

        /// <summary>Creates a <see cref="Modules.BoxIouLoss"/> computing the distance IoU loss (torchvision's <c>distance_box_iou_loss</c>).</summary>
        /// <inheritdoc cref="BoxIouLoss(torch.nn.Reduction, double)"/>
        public static BoxIouLoss DistanceBoxIouLoss(torch.nn.Reduction reduction = torch.nn.Reduction.None, double eps = 1e-7) =>
            new(BoxIouKind.Distance, reduction, eps);

        /// <summary>Creates a <see cref="Modules.BoxIouLoss"/> computing the complete IoU loss (torchvision's <c>complete_box_iou_loss</c>).</summary>
        /// <inheritdoc cref="BoxIouLoss(torch.nn.Reduction, double)"/>
        public static BoxIouLoss CompleteBoxIouLoss(torch.nn.Reduction reduction = torch.nn.Reduction.None, double eps = 1e-7) =>
            new(BoxIouKind.Complete, reduction, eps);

        public static partial class functional
        {
            /// <summary>
            /// IoU loss 1 − IoU of axis-aligned boxes (x1, y1, x2, y2), computed with torchvision's intersection and union.
            /// <para>For boxes A = <paramref name="boxes1"/>, B = <paramref name="boxes2"/>: I = (min(x2, x2g) − max(x1, x1g))·
            /// (min(y2, y2g) − max(y1, y1g)) where both factors are positive, else 0; U = |A| + |B| − I with |A| = (x2 − x1)(y2 − y1);
            /// IoU = I/(U + eps); ℓ = 1 − IoU.</para>
            /// <para>Gradient: ∂ℓ = −(∂I·(U + eps) − I·∂U)/(U + eps)²; ∂I is 0 for boxes that do not overlap, so the loss is flat (1, no
            /// gradient) for every disjoint pair — the reason GIoU, DIoU and CIoU add a term. Non-smooth where an edge of A crosses
            /// an edge of B (the max/min switch).</para>
            /// <para>Boxes with x2 &lt; x1 or y2 &lt; y1 are not rejected: they get a negative width or height and are computed as
            /// torchvision computes them. Integer boxes are promoted to float32, float16 and bfloat16 ones too (torchvision's
            /// <c>_upcast_non_float</c>); float32 and float64 keep their dtype.</para>
            /// <para>Reduction: none (default) keeps the batch shape (the input's without the last dimension); sum adds; mean is
            /// empty-safe: for no boxes it is 0·sum = 0, whose gradient is a defined zero (torchvision's rule).</para>
            /// </summary>
            /// <param name="boxes1">Predicted boxes (…, 4) as (x1, y1, x2, y2); a real (not bool, not complex) dtype.</param>
            /// <param name="boxes2">Ground-truth boxes (…, 4), broadcastable with <paramref name="boxes1"/>.</param>
            /// <param name="reduction">none (default), mean or sum.</param>
            /// <param name="eps">Range: eps ≥ 0, finite (default 1e-7): added to the union.</param>
            /// <exception cref="ArgumentException">the last dimension is not 4, the batch shapes do not broadcast, or a bool/complex dtype.</exception>
            /// <exception cref="ArgumentOutOfRangeException">eps &lt; 0 or not finite, or an undefined reduction.</exception>
            public static Tensor box_iou_loss(Tensor boxes1, Tensor boxes2, torch.nn.Reduction reduction = torch.nn.Reduction.None,
                double eps = 1e-7) => BoxIou.Loss(BoxIouKind.IoU, boxes1, boxes2, reduction, eps, "box_iou_loss");

            /// <summary>
            /// Generalized IoU loss (torchvision's <c>generalized_box_iou_loss</c>).
            /// <para>With I, U and IoU = I/(U + eps) as in <see cref="box_iou_loss"/> and the smallest enclosing box C
            /// (min(x1, x1g), min(y1, y1g), max(x2, x2g), max(y2, y2g)) of area |C|:
            /// ℓ = 1 − IoU + (|C| − U)/(|C| + eps). Range [0, 2) for proper boxes.</para>
            /// <para>Gradient: that of 1 − IoU plus ∂[(|C| − U)/(|C| + eps)] = (∂|C|·(U + eps) − ∂U·(|C| + eps))/(|C| + eps)²:
            /// non-zero for disjoint boxes (the enclosing-box term pulls them together). Non-smooth where edges cross.</para>
            /// <para>eps is added to the union (IoU) and to the enclosing area, as in torchvision.</para>
            /// <para>Provenance: H. Rezatofighi et al., "Generalized Intersection over Union", CVPR 2019 (arXiv:1902.09630);
            /// semantics of torchvision 0.14's <c>ops/giou_loss.py</c> (after fvcore's), checked against vectors recorded from it.</para>
            /// </summary>
            /// <inheritdoc cref="box_iou_loss"/>
            public static Tensor generalized_box_iou_loss(Tensor boxes1, Tensor boxes2, torch.nn.Reduction reduction = torch.nn.Reduction.None,
                double eps = 1e-7) => BoxIou.Loss(BoxIouKind.Generalized, boxes1, boxes2, reduction, eps, "generalized_box_iou_loss");

            /// <summary>
            /// Distance IoU loss (torchvision's <c>distance_box_iou_loss</c>).
            /// <para>ℓ = 1 − IoU + ρ²/(c² + eps), with ρ² the squared distance between the box centres and c² the squared diagonal
            /// of the enclosing box C; IoU = I/(U + eps).</para>
            /// <para>Gradient: that of 1 − IoU plus ∂ρ²/(c² + eps) − ρ²·∂c²/(c² + eps)², ∂ρ² = 2(x_p − x_g)·∂(x_p − x_g) + …:
            /// non-zero for disjoint boxes. eps goes to the union and to the diagonal (torchvision passes it to both; TorchSharp's
            /// TorchVision 0.107 does not pass it to the distance part).</para>
            /// <para>Provenance: Z. Zheng et al., "Distance-IoU Loss", AAAI 2020 (arXiv:1911.08287); semantics of torchvision 0.14's
            /// <c>ops/diou_loss.py</c>, checked against vectors recorded from it.</para>
            /// </summary>
            /// <inheritdoc cref="box_iou_loss"/>
            public static Tensor distance_box_iou_loss(Tensor boxes1, Tensor boxes2, torch.nn.Reduction reduction = torch.nn.Reduction.None,
                double eps = 1e-7) => BoxIou.Loss(BoxIouKind.Distance, boxes1, boxes2, reduction, eps, "distance_box_iou_loss");

            /// <summary>
            /// Complete IoU loss (torchvision's <c>complete_box_iou_loss</c>).
            /// <para>ℓ = DIoU + α·v with v = (4/π²)·(atan(w_g/h_g) − atan(w/h))² and α = v/(1 − IoU + v + eps), α computed without
            /// gradient (a constant in the backward, as torchvision and the paper's reference implementation do).</para>
            /// <para>Gradient: DIoU's plus α·∂v, ∂v = (8/π²)(atan(w/h) − atan(w_g/h_g))·(h·∂w − w·∂h)/(w² + h²).
            /// A zero-height box makes w/h infinite (atan = π/2, gradient 0·∞ = NaN), a zero-area one 0/0 = NaN: as in torchvision.</para>
            /// <para>eps goes to the union, the diagonal and α's denominator. torchvision 0.14 (and TorchSharp's TorchVision 0.107) call
            /// the DIoU part without eps, so there the union and diagonal always get 1e-7: the results agree at the default eps only.</para>
            /// <para>Provenance: Z. Zheng et al., AAAI 2020 (arXiv:1911.08287); semantics of torchvision 0.14's <c>ops/ciou_loss.py</c>,
            /// checked against vectors recorded from it.</para>
            /// </summary>
            /// <inheritdoc cref="box_iou_loss"/>
            public static Tensor complete_box_iou_loss(Tensor boxes1, Tensor boxes2, torch.nn.Reduction reduction = torch.nn.Reduction.None,
                double eps = 1e-7) => BoxIou.Loss(BoxIouKind.Complete, boxes1, boxes2, reduction, eps, "complete_box_iou_loss");
        }
    }

    /// <summary>The one computation behind the four box losses.</summary>
    internal static class BoxIou
    {
        internal static Tensor Loss(BoxIouKind kind, Tensor boxes1, Tensor boxes2, torch.nn.Reduction reduction, double eps, string loss)
        {
            Check.Defined(boxes1, boxes2);
            var reductionKind = Reductions.Parse(reduction);
            DetectionChecks.NonNegative(eps, nameof(eps));
            CheckBoxes(boxes1, nameof(boxes1), loss);
            CheckBoxes(boxes2, nameof(boxes2), loss);
            Check.BroadcastShape(Tensors.Shape(boxes1), Tensors.Shape(boxes2), nameof(boxes2));

            using var scope = torch.NewDisposeScope();
            var a = Upcast(boxes1);
            var b = Upcast(boxes2);
            var (x1, y1, x2, y2) = Sides(a);
            var (x1g, y1g, x2g, y2g) = Sides(b);
            var like = b.dtype == torch.ScalarType.Float64 ? b : a;   // both are float32 or float64 now
            var epsilon = Tensors.Constant(eps, like);
            var one = Tensors.Constant(1.0, like);

            // Intersection where both extents are positive, union of the two areas (torchvision's _loss_inter_union).
            var interWidth = torch.minimum(x2, x2g) - torch.maximum(x1, x1g);
            var interHeight = torch.minimum(y2, y2g) - torch.maximum(y1, y1g);
            var zero = Tensors.Constant(0.0, like);
            var overlaps = (interHeight > zero) & (interWidth > zero);
            var product = interWidth * interHeight;
            var intersection = torch.where(overlaps, product, torch.zeros_like(product));
            var union = ((x2 - x1) * (y2 - y1)).Plus((x2g - x1g) * (y2g - y1g)) - intersection;
            var iou = intersection / (union.Plus(epsilon));

            // The smallest enclosing box.
            var cx1 = torch.minimum(x1, x1g);
            var cy1 = torch.minimum(y1, y1g);
            var cx2 = torch.maximum(x2, x2g);
            var cy2 = torch.maximum(y2, y2g);

            Tensor result;
            switch (kind)
            {
                case BoxIouKind.IoU:
                    result = one - iou;
                    break;
                case BoxIouKind.Generalized:
                    var enclosing = (cx2 - cx1) * (cy2 - cy1);
                    result = one - (iou - (enclosing - union) / (enclosing.Plus(epsilon)));
                    break;
                default:
                    var two = Tensors.Constant(2.0, like);
                    var diagonal = (cx2 - cx1).pow(Scalars.Two).Plus((cy2 - cy1).pow(Scalars.Two)).Plus(epsilon);
                    var centres = ((x2.Plus(x1)) / two - (x1g.Plus(x2g)) / two).pow(Scalars.Two).Plus(((y2.Plus(y1)) / two - (y1g.Plus(y2g)) / two).pow(Scalars.Two));
                    result = (one - iou).Plus(centres / diagonal);
                    if (kind == BoxIouKind.Complete)
                    {
                        var aspect = Tensors.Constant(4.0 / (Math.PI * Math.PI), like);
                        var v = aspect * (((x2g - x1g) / (y2g - y1g)).atan() - ((x2 - x1) / (y2 - y1)).atan()).pow(Scalars.Two);
                        Tensor alpha;
                        using (torch.no_grad())
                            alpha = v / ((one - iou).Plus(v).Plus(epsilon));
                        result = result.Plus(alpha * v);
                    }
                    break;
            }
            return scope.MoveToOuter(Reductions.ApplyEmptySafe(result, reductionKind));
        }

        private static void CheckBoxes(Tensor boxes, string name, string loss)
        {
            if (boxes.dim() == 0 || Tensors.Shape(boxes)[^1] != 4)
                throw new ArgumentException(
                    $"{loss}: {name} must have shape (..., 4) holding (x1, y1, x2, y2), got {Check.TorchSize(boxes)}", name);
            if (boxes.dtype == torch.ScalarType.Bool || torch.is_complex(boxes.dtype))
                throw new ArgumentException($"{loss}: {name} must hold real numbers, got {Check.TorchTypeName(boxes.dtype)}", name);
        }

        /// <summary>torchvision's <c>_upcast_non_float</c>: every dtype but float32 and float64 becomes float32.</summary>
        private static Tensor Upcast(Tensor boxes) =>
            boxes.dtype is torch.ScalarType.Float32 or torch.ScalarType.Float64 ? boxes : boxes.to(torch.ScalarType.Float32);

        private static (Tensor, Tensor, Tensor, Tensor) Sides(Tensor boxes)
        {
            var sides = boxes.unbind(-1);
            return (sides[0], sides[1], sides[2], sides[3]);
        }
    }
}

namespace TorchLosses.Modules
{
    /// <summary>
    /// The IoU family of box losses as a module: <see cref="BoxIouKind.IoU"/>, <see cref="BoxIouKind.Generalized"/>,
    /// <see cref="BoxIouKind.Distance"/> or <see cref="BoxIouKind.Complete"/>; see
    /// <see cref="nn.functional.generalized_box_iou_loss(Tensor, Tensor, torch.nn.Reduction, double)"/> and its siblings.
    /// </summary>
    public sealed class BoxIouLoss : Loss<Tensor, Tensor, Tensor>
    {
        /// <param name="kind">Which member of the family.</param>
        /// <param name="reduction">none (default), mean (0 for no boxes) or sum.</param>
        /// <param name="eps">Range: eps ≥ 0 (default 1e-7).</param>
        public BoxIouLoss(BoxIouKind kind, torch.nn.Reduction reduction = torch.nn.Reduction.None, double eps = 1e-7) : base(reduction)
        {
            this.kind = kind;
            this.eps = eps;
        }

        /// <summary>Which member of the family this module computes.</summary>
        public BoxIouKind kind { get; }

        /// <summary>The eps added to the union, the enclosing area or diagonal, and CIoU's α denominator.</summary>
        public double eps { get; }

        /// <summary>The loss of the predicted boxes <paramref name="input"/> against <paramref name="target"/>.</summary>
        public override Tensor forward(Tensor input, Tensor target) =>
            BoxIou.Loss(kind, input, target, reduction, eps, kind switch
            {
                BoxIouKind.IoU => "box_iou_loss",
                BoxIouKind.Generalized => "generalized_box_iou_loss",
                BoxIouKind.Distance => "distance_box_iou_loss",
                _ => "complete_box_iou_loss",
            });
    }
}
