#!/usr/bin/env python3
"""Records reference vectors for the detection losses from real torchvision.

The sibling of generate_vectors.py (whose Recorder, file format and seeding it reuses) for the losses that live in
torchvision.ops rather than in torch.nn.functional. Run it with Debian's interpreter, which has PyTorch 1.13 and
torchvision 0.14 (packages python3-torch and python3-torchvision; only needed to re-record, the files are committed):

    apt-get install python3-torch python3-torchvision
    /usr/bin/python3 parity/generate_detection_vectors.py [functional ...]

It writes parity/vectors/<functional>.json for sigmoid_focal_loss, generalized_box_iou_loss, distance_box_iou_loss and
complete_box_iou_loss: random cases under every reduction, torchvision's own test boxes, edge boxes (identical, disjoint,
touching, nested, zero-area, inverted x2 < x1), batched and single-box shapes, integer boxes, an empty batch, and eps
variants. torchvision's reduction is a string; it is recorded as the "reduction" keyword like the torch.nn losses'.

Known difference kept out of the recording: torchvision 0.14's complete_box_iou_loss does not pass its eps to the DIoU
part (it calls _diou_iou_loss(boxes1, boxes2) with the default 1e-7), while TorchLosses passes eps everywhere; the two agree
at the default eps, which is the only eps recorded for it.
"""

import sys

import torch
import torchvision
from torchvision import ops

import generate_vectors as base

GENERATORS = {}


def loss(functional):
    return base.loss(functional, GENERATORS)


# ---------------------------------------------------------------------------------------------------
# Focal loss


@loss("sigmoid_focal_loss")
def sigmoid_focal(rec):
    nan, inf = float("nan"), float("inf")
    for reduction in base.REDUCTIONS:
        for alpha in (0.25, -1.0, 0.0, 1.0, 0.58):
            for gamma in (2.0, 0.0, 0.5):
                x = rec.normal(4, 5, scale=3.0)
                y = (rec.uniform(0, 1, 4, 5) < 0.3).to(torch.float64)
                rec.case(f"alpha={alpha!r}/gamma={gamma!r}/shape=[4,5]/hard", ops.sigmoid_focal_loss,
                         [("inputs", x), ("targets", y)], {"reduction": reduction, "alpha": alpha, "gamma": gamma}, grad=("inputs",))
        rec.case("alpha=0.25/gamma=2.0/shape=[3,4]/soft", ops.sigmoid_focal_loss,
                 [("inputs", rec.normal(3, 4, scale=2.0)), ("targets", rec.uniform(0, 1, 3, 4))],
                 {"reduction": reduction, "alpha": 0.25, "gamma": 2.0}, grad=("inputs", "targets"))
        rec.case("alpha=0.25/gamma=2.0/shape=[6]/extreme", ops.sigmoid_focal_loss,
                 [("inputs", torch.tensor([-100.0, 100.0, -100.0, 100.0, 30.0, -30.0])),
                  ("targets", torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0, 1.0]))],
                 {"reduction": reduction, "alpha": 0.25, "gamma": 2.0}, grad=("inputs",))
        rec.case("alpha=0.25/gamma=2.0/shape=[4]/nonfinite", ops.sigmoid_focal_loss,
                 [("inputs", torch.tensor([nan, inf, -inf, 0.0])), ("targets", torch.tensor([1.0, 1.0, 0.0, 1.0]))],
                 {"reduction": reduction, "alpha": 0.25, "gamma": 2.0}, grad=("inputs",))
        rec.case("alpha=0.25/gamma=2.0/shape=[0]/empty", ops.sigmoid_focal_loss,
                 [("inputs", torch.zeros(0)), ("targets", torch.zeros(0))],
                 {"reduction": reduction, "alpha": 0.25, "gamma": 2.0}, grad=("inputs",))
        rec.case("alpha=0.25/gamma=2.0/shape=[]/scalar", ops.sigmoid_focal_loss,
                 [("inputs", torch.tensor(0.7)), ("targets", torch.tensor(1.0))],
                 {"reduction": reduction, "alpha": 0.25, "gamma": 2.0}, grad=("inputs",))
    rec.case("shape-mismatch/error", ops.sigmoid_focal_loss, [("inputs", rec.normal(3, 4)), ("targets", torch.zeros(3, 5))],
             {"reduction": "none", "alpha": 0.25, "gamma": 2.0})


# ---------------------------------------------------------------------------------------------------
# IoU family


def random_boxes(rec, *shape, inverted=0.0):
    corner = rec.uniform(-2, 2, *shape, 2)
    size = rec.uniform(0.1, 3, *shape, 2)
    if inverted > 0:
        flip = (rec.uniform(0, 1, *shape, 1) < inverted).to(torch.float64)
        size = size * torch.cat([1 - 2 * flip, torch.ones_like(flip)], dim=-1)
    return torch.cat([corner, corner + size], dim=-1)


# (name, boxes1, boxes2): torchvision's test boxes and the edge cases.
EDGE_BOXES = [
    ("identical", [[0.0, 0, 1, 1], [-1, -1, 1, 1]], [[0.0, 0, 1, 1], [-1, -1, 1, 1]]),
    ("torchvision-giou", [[-1.0, -1, 1, 1], [-1, -1, 1, 1], [0, 0, 1, 1], [0, 0, 1, 1]],
                         [[-1.0, -1, 1, 1], [0, 0, 1, 1], [0, 1, 1, 2], [1, 1, 2, 2]]),
    ("torchvision-ciou", [[-1.0, -1, 1, 1]] * 4, [[-1.0, -1, 1, 1], [0, 0, 1, 1], [0, 1, 1, 2], [1, 1, 2, 2]]),
    ("disjoint", [[0.0, 0, 1, 1], [0, 0, 1, 2], [-3, -3, -2, -1]], [[3.0, 0, 4, 1], [5, 5, 6, 8], [2, 2, 4, 3]]),
    ("touching", [[0.0, 0, 1, 1], [0, 0, 1, 1]], [[1.0, 0, 2, 1], [1, 1, 3, 2]]),
    ("nested", [[0.0, 0, 4, 4], [1, 1, 2, 3]], [[1.0, 1, 2, 2], [0, 0, 4, 4]]),
    ("partial", [[0.0, 0, 2, 2], [0.5, -1, 3, 1.5]], [[1.0, 1, 3, 4], [0, 0, 1, 1]]),
    ("inverted", [[1.0, 0, 0, 1], [2, 2, 0, 0], [0, 1, 1, 0]], [[0.0, 0, 1, 1], [0, 0, 1, 1], [0.5, 0, 2, 2]]),
]
ZERO_AREA = [
    ("zero-width", [[1.0, 0, 1, 2]], [[0.0, 0, 2, 2]]),
    ("zero-area-both", [[1.0, 1, 1, 1]], [[1.0, 1, 1, 1]]),
    ("zero-area-point", [[1.0, 1, 1, 1]], [[0.0, 0, 2, 2]]),
    ("zero-height", [[0.0, 1, 2, 1]], [[0.0, 0, 2, 2]]),
]


def box_cases(rec, fn, eps_values):
    grad = ("boxes1", "boxes2")
    for reduction in base.REDUCTIONS:
        for eps in eps_values:
            k = {"reduction": reduction, "eps": eps}
            tag = f"eps={eps!r}"
            rec.case(f"{tag}/shape=[8,4]/random", fn, [("boxes1", random_boxes(rec, 8)), ("boxes2", random_boxes(rec, 8))], k, grad=grad)
        k = {"reduction": reduction, "eps": 1e-7}
        rec.case("eps=1e-07/shape=[2,3,4]/random", fn, [("boxes1", random_boxes(rec, 2, 3)), ("boxes2", random_boxes(rec, 2, 3))], k, grad=grad)
        rec.case("eps=1e-07/shape=[4]/single", fn, [("boxes1", random_boxes(rec)), ("boxes2", random_boxes(rec))], k, grad=grad)
        rec.case("eps=1e-07/shape=[12,4]/random-inverted", fn,
                 [("boxes1", random_boxes(rec, 12, inverted=0.3)), ("boxes2", random_boxes(rec, 12, inverted=0.3))], k, grad=grad)
        for name, b1, b2 in EDGE_BOXES + ZERO_AREA:
            rec.case(f"eps=1e-07/{name}", fn, [("boxes1", torch.tensor(b1)), ("boxes2", torch.tensor(b2))], k, grad=grad)
        rec.case("eps=1e-07/shape=[0,4]/empty", fn, [("boxes1", torch.zeros(0, 4)), ("boxes2", torch.zeros(0, 4))], k, grad=grad)
        rec.case("eps=1e-07/int64", fn, [("boxes1", torch.tensor([[0, 0, 2, 2], [1, 1, 5, 3]])), ("boxes2", torch.tensor([[1, 1, 3, 3], [0, 0, 2, 2]]))], k)


@loss("generalized_box_iou_loss")
def generalized_box_iou(rec):
    box_cases(rec, ops.generalized_box_iou_loss, (1e-7, 0.0, 0.5))


@loss("distance_box_iou_loss")
def distance_box_iou(rec):
    box_cases(rec, ops.distance_box_iou_loss, (1e-7, 0.0, 0.5))


@loss("complete_box_iou_loss")
def complete_box_iou(rec):
    box_cases(rec, ops.complete_box_iou_loss, (1e-7,))


if __name__ == "__main__":
    print(f"torchvision {torchvision.__version__}")
    base.main(sys.argv[1:], GENERATORS, "parity/generate_detection_vectors.py")
