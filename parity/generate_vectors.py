#!/usr/bin/env python3
"""Records reference vectors for the parity suite from real PyTorch.

Run it with Debian's interpreter, which has PyTorch 1.13 (package python3-torch; the `python3` first on
PATH may be another one without torch):

    bash scripts/regenerate-vectors.sh [functional ...]   # installs python3-torch if missing, then runs this
    /usr/bin/python3 parity/generate_vectors.py [functional ...]

For each loss it writes parity/vectors/<functional>.json: the PyTorch version, and per case the call's
keyword arguments, its input tensors (float64, or int64 class indices; deterministic: drawn from a
generator seeded by the loss's and the case's name, and stored in the file), the output, the upstream
gradient that was backpropagated and the gradient of every input that requires grad -- or, for inputs
PyTorch rejects, its error message. The C# suite reads these files, so it runs without Python.

Rerunning it gives the same files (same inputs, same PyTorch => same bytes). Adding a loss is adding one
function decorated with @loss("<functional name>") that calls rec.case(...) for each case.
"""

import json
import math
import os
import sys
import warnings
import zlib

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "vectors")
REDUCTIONS = ("none", "mean", "sum")
GENERATORS = {}


def loss(functional, registry=None):
    """Registers a generator function for the loss whose functional name is `functional` (in `registry`, else this script's)."""
    def register(fn):
        (GENERATORS if registry is None else registry)[functional] = fn
        return fn
    return register


def number(x):
    """A JSON-safe number: NaN and infinities as strings, integers as ints, floats as their shortest repr."""
    if isinstance(x, bool):
        return int(x)
    if isinstance(x, int):
        return x
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def tensor_json(t):
    return {
        "shape": list(t.shape),
        "dtype": str(t.dtype).replace("torch.", ""),
        "values": [number(v) for v in t.detach().reshape(-1).tolist()],
    }


def shape_label(*shapes):
    def one(s):
        return "[" + ",".join(str(d) for d in s) + "]"
    labels = [one(s) for s in shapes]
    return labels[0] if len(set(labels)) == 1 else "~".join(labels)


class Recorder:
    """Collects the cases of one loss. Tensors come from a generator seeded by the loss's name."""

    def __init__(self, functional, generator="parity/generate_vectors.py"):
        self.functional = functional
        self.generator = generator
        self.cases = []
        self.names = set()
        self.gen = torch.Generator().manual_seed(zlib.crc32(functional.encode()))

    # Deterministic inputs (float64 unless said otherwise).
    def normal(self, *shape, scale=1.0):
        return torch.randn(shape, generator=self.gen, dtype=torch.float64) * scale

    def uniform(self, low, high, *shape):
        return low + (high - low) * torch.rand(shape, generator=self.gen, dtype=torch.float64)

    def classes(self, count, *shape):
        return torch.randint(0, count, shape, generator=self.gen, dtype=torch.int64)

    def signs(self, *shape):
        return torch.where(torch.rand(shape, generator=self.gen) < 0.5, -1.0, 1.0).to(torch.float64)

    def probabilities(self, *shape, dim=-1):
        return torch.softmax(self.normal(*shape), dim=dim)

    def upstream(self, like):
        """Multiples of 1/4 in ±[0.5, 1.5], exact in every dtype, as the C# runner uses."""
        magnitude = torch.randint(2, 7, like.shape, generator=self.gen).to(torch.float64) / 4
        return magnitude * self.signs(*like.shape)

    def case(self, name, call, inputs, kwargs, grad=()):
        """Runs call(**tensors, **kwargs) and records it.

        inputs: list of (name, tensor); the tensors named in `grad` require grad. kwargs: JSON-able
        scalars (the reduction among them). A tensor kwarg such as `weight` is passed as an input.
        """
        full = kwargs.get("reduction", "mean") + "/" + name
        assert full not in self.names, f"{self.functional}: duplicate case {full}"
        self.names.add(full)
        tensors = {}
        for key, t in inputs:
            t = t.detach().clone()
            if key in grad:
                t.requires_grad_(True)
            tensors[key] = t
        record = {
            "name": name,
            "kwargs": {k: number(v) if isinstance(v, float) else v for k, v in kwargs.items()},
            "inputs": [dict(name=key, requires_grad=key in grad, **tensor_json(t)) for key, t in tensors.items()],
        }
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = call(**tensors, **kwargs)
        except Exception as e:  # noqa: BLE001 - every rejection is a recorded result
            record["error"] = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            self.cases.append(record)
            return
        record["output"] = tensor_json(out)
        differentiable = [k for k in tensors if k in grad]
        grads = {k: None for k in differentiable}
        if differentiable and out.requires_grad:
            go = self.upstream(out).to(out.dtype)
            record["grad_output"] = tensor_json(go)
            computed = torch.autograd.grad(out, [tensors[k] for k in differentiable], go, allow_unused=True)
            grads = {k: (None if g is None else tensor_json(g)) for k, g in zip(differentiable, computed)}
        record["grads"] = grads
        self.cases.append(record)

    def write(self):
        os.makedirs(OUT, exist_ok=True)
        path = os.path.join(OUT, self.functional + ".json")
        with open(path, "w", encoding="utf-8") as f:
            f.write("{\n")
            f.write(f'  "functional": {json.dumps(self.functional)},\n')
            f.write(f'  "torch_version": {json.dumps(torch.__version__)},\n')
            f.write(f'  "generator": {json.dumps(self.generator)},\n')
            f.write('  "cases": [\n')
            f.write(",\n".join("    " + json.dumps(c, separators=(",", ":"), allow_nan=False) for c in self.cases))
            f.write("\n  ]\n}\n")
        return path


# ---------------------------------------------------------------------------------------------------
# Point-wise regression losses


def pointwise(rec, fn, params, kink=None):
    """Shapes × reductions × parameter values, plus ties at the kink, non-finite and empty inputs."""
    nan, inf = float("nan"), float("inf")
    for key, value in params:
        kw = {} if key is None else {key: value}
        part = "" if key is None else f"{key}={value!r}/"
        scale = value if key is not None and value > 0 else 1.0
        for reduction in REDUCTIONS:
            k = dict(kw, reduction=reduction)
            for xs, ys in (((), ()), ((5,), (5,)), ((3, 4), (3, 4)), ((3, 4), (4,))):
                rec.case(f"{part}shape={shape_label(xs, ys)}/random", fn,
                         [("input", rec.normal(*xs, scale=2 * scale)), ("target", rec.normal(*ys, scale=scale))], k, grad=("input", "target"))
            b = scale if kink else 1.0
            x = torch.tensor([b, 0, 2 * b, -b, 0, b, 0, 1, b / 2, -3 * b], dtype=torch.float64)
            y = torch.tensor([0, -b, b, 0, b, 2 * b, 0, 1, 0, 0], dtype=torch.float64)
            rec.case(f"{part}shape=[10]/ties", fn, [("input", x), ("target", y)], k, grad=("input", "target"))
            x = torch.tensor([nan, inf, -inf, inf, 1, 0], dtype=torch.float64)
            y = torch.tensor([0, 0, 1, inf, nan, -inf], dtype=torch.float64)
            rec.case(f"{part}shape=[6]/nonfinite", fn, [("input", x), ("target", y)], k, grad=("input", "target"))
            rec.case(f"{part}shape=[0]/empty", fn, [("input", rec.normal(0)), ("target", rec.normal(0))], k, grad=("input", "target"))
    rec.case("shape=[3,4]~[5]/error", fn, [("input", rec.normal(3, 4)), ("target", rec.normal(5))], {"reduction": "mean", **({} if params[0][0] is None else {params[0][0]: params[0][1]})})


@loss("l1_loss")
def l1(rec):
    pointwise(rec, F.l1_loss, [(None, None)], kink=True)


@loss("mse_loss")
def mse(rec):
    pointwise(rec, F.mse_loss, [(None, None)])


@loss("smooth_l1_loss")
def smooth_l1(rec):
    pointwise(rec, F.smooth_l1_loss, [("beta", b) for b in (0.0, 1e-6, 0.5, 1.0, 2.5, 1e6)], kink=True)
    for beta in (-1.0, float("nan")):
        rec.case(f"beta={beta!r}/error", F.smooth_l1_loss, [("input", rec.normal(3)), ("target", rec.normal(3))],
                 {"reduction": "mean", "beta": beta})


@loss("huber_loss")
def huber(rec):
    pointwise(rec, F.huber_loss, [("delta", d) for d in (1e-6, 0.5, 1.0, 2.5, 1e6)], kink=True)
    for delta in (0.0, -1.0, float("nan")):
        rec.case(f"delta={delta!r}/error", F.huber_loss, [("input", rec.normal(3)), ("target", rec.normal(3))],
                 {"reduction": "mean", "delta": delta})


# ---------------------------------------------------------------------------------------------------
# Class-index losses

CLASS_LAYOUTS = (((5,), ()), ((4, 5), (4,)), ((3, 5, 4), (3, 4)), ((2, 5, 3, 2), (2, 3, 2)))


def class_targets(rec, target_shape, ignore_index):
    t = rec.classes(5, *target_shape)
    if ignore_index >= 0 and t.numel() > 0:
        t.view(-1)[::3] = ignore_index
    return t


@loss("nll_loss")
def nll(rec):
    for reduction in REDUCTIONS:
        for xs, ts in CLASS_LAYOUTS:
            for weighted in (False, True):
                for ignore_index in (-100, 1):
                    inputs = [("input", torch.log_softmax(rec.normal(*xs), dim=0 if len(xs) == 1 else 1)),
                              ("target", class_targets(rec, ts, ignore_index))]
                    if weighted:
                        inputs.append(("weight", rec.uniform(0.5, 2, 5)))
                    rec.case(f"weight={'yes' if weighted else 'none'}/ignore_index={ignore_index}/shape={shape_label(xs)}", F.nll_loss,
                             inputs, {"reduction": reduction, "ignore_index": ignore_index}, grad=("input",))
    rec.case("target=5/error", F.nll_loss, [("input", rec.normal(3, 5)), ("target", torch.tensor([0, 5, 1]))], {"reduction": "mean"})
    rec.case("batch-size/error", F.nll_loss, [("input", rec.normal(3, 5)), ("target", torch.tensor([0, 1]))], {"reduction": "mean"})


@loss("cross_entropy")
def cross_entropy(rec):
    for reduction in REDUCTIONS:
        for xs, ts in CLASS_LAYOUTS:
            for weighted in (False, True):
                for ignore_index in (-100, 1):
                    for smoothing in (0.0, 0.1):
                        inputs = [("input", rec.normal(*xs, scale=2)), ("target", class_targets(rec, ts, ignore_index))]
                        if weighted:
                            inputs.append(("weight", rec.uniform(0.5, 2, 5)))
                        rec.case(f"weight={'yes' if weighted else 'none'}/ignore_index={ignore_index}/label_smoothing={smoothing!r}/shape={shape_label(xs)}",
                                 F.cross_entropy, inputs, {"reduction": reduction, "ignore_index": ignore_index, "label_smoothing": smoothing},
                                 grad=("input",))
            for smoothing in (0.0, 0.25):
                rec.case(f"probabilities/label_smoothing={smoothing!r}/shape={shape_label(xs)}", F.cross_entropy,
                         [("input", rec.normal(*xs, scale=2)), ("target", rec.probabilities(*xs, dim=0 if len(xs) == 1 else 1))],
                         {"reduction": reduction, "label_smoothing": smoothing}, grad=("input", "target"))
    rec.case("label_smoothing=1.5/error", F.cross_entropy, [("input", rec.normal(3, 5)), ("target", torch.tensor([0, 1, 2]))],
             {"reduction": "mean", "label_smoothing": 1.5})
    rec.case("probabilities/ignore_index=2/error", F.cross_entropy, [("input", rec.normal(3, 5)), ("target", rec.probabilities(3, 5))],
             {"reduction": "mean", "ignore_index": 2})


# ---------------------------------------------------------------------------------------------------
# The other losses (their C# suites wire these files when the losses are composed)


@loss("ctc_loss")
def ctc(rec):
    for reduction in REDUCTIONS:
        for zero_infinity in (False, True):
            T, N, C, S = 6, 2, 4, 3
            log_probs = torch.log_softmax(rec.normal(T, N, C), dim=2)
            targets = torch.tensor([[1, 2, 2], [3, 1, 0]], dtype=torch.int64)
            rec.case(f"padded/zero_infinity={zero_infinity}", F.ctc_loss,
                     [("log_probs", log_probs), ("targets", targets), ("input_lengths", torch.tensor([6, 5])),
                      ("target_lengths", torch.tensor([3, 2]))],
                     {"reduction": reduction, "blank": 0, "zero_infinity": zero_infinity}, grad=("log_probs",))
            rec.case(f"impossible/zero_infinity={zero_infinity}", F.ctc_loss,
                     [("log_probs", torch.log_softmax(rec.normal(4, 1, C), dim=2)), ("targets", torch.tensor([[2, 2, 2]])),
                      ("input_lengths", torch.tensor([4])), ("target_lengths", torch.tensor([3]))],
                     {"reduction": reduction, "blank": 0, "zero_infinity": zero_infinity}, grad=("log_probs",))
        rec.case("concatenated", F.ctc_loss,
                 [("log_probs", torch.log_softmax(rec.normal(5, 2, 3), dim=2)), ("targets", torch.tensor([1, 2, 1])),
                  ("input_lengths", torch.tensor([5, 4])), ("target_lengths", torch.tensor([2, 1]))],
                 {"reduction": reduction, "blank": 0, "zero_infinity": False}, grad=("log_probs",))
    rec.case("blank=4/error", F.ctc_loss,
             [("log_probs", torch.log_softmax(rec.normal(5, 1, 4), dim=2)), ("targets", torch.tensor([[1]])),
              ("input_lengths", torch.tensor([5])), ("target_lengths", torch.tensor([1]))],
             {"reduction": "mean", "blank": 4, "zero_infinity": False})


@loss("poisson_nll_loss")
def poisson_nll(rec):
    for reduction in REDUCTIONS:
        for log_input in (True, False):
            for full in (False, True):
                x = rec.normal(3, 4) if log_input else rec.uniform(0.1, 3, 3, 4)
                y = torch.tensor([0.0, 0.5, 1.0, 2.0, 3.0, 7.0] * 2, dtype=torch.float64).reshape(3, 4)
                rec.case(f"log_input={log_input}/full={full}", F.poisson_nll_loss, [("input", x), ("target", y)],
                         {"reduction": reduction, "log_input": log_input, "full": full, "eps": 1e-8}, grad=("input", "target"))
    rec.case("reduction=bogus/error", F.poisson_nll_loss, [("input", rec.normal(3)), ("target", rec.uniform(0, 2, 3))], {"reduction": "bogus"})


@loss("gaussian_nll_loss")
def gaussian_nll(rec):
    for reduction in REDUCTIONS:
        for full in (False, True):
            for var_shape, label in (((3, 4), "full-var"), ((3,), "var-unsqueezed"), ((3, 1), "var-broadcast")):
                var = rec.uniform(0.1, 2, *var_shape)
                if label == "full-var":
                    var.view(-1)[0] = 1e-9  # below eps: clamped, no gradient
                rec.case(f"full={full}/{label}", F.gaussian_nll_loss,
                         [("input", rec.normal(3, 4)), ("target", rec.normal(3, 4)), ("var", var)],
                         {"reduction": reduction, "full": full, "eps": 1e-6}, grad=("input", "target", "var"))
        rec.case("unbatched/scalar-var", F.gaussian_nll_loss,
                 [("input", rec.normal(4)), ("target", rec.normal(4)), ("var", torch.tensor(0.7, dtype=torch.float64))],
                 {"reduction": reduction, "full": False, "eps": 1e-6}, grad=("input", "target", "var"))
    rec.case("var-size/error", F.gaussian_nll_loss, [("input", rec.normal(3, 4)), ("target", rec.normal(3, 4)), ("var", rec.uniform(0.1, 1, 2))],
             {"reduction": "mean"})
    rec.case("negative-var/error", F.gaussian_nll_loss,
             [("input", rec.normal(3)), ("target", rec.normal(3)), ("var", torch.tensor([1.0, -1.0, 1.0], dtype=torch.float64))], {"reduction": "mean"})
    rec.case("reduction=bogus/error", F.gaussian_nll_loss, [("input", rec.normal(3)), ("target", rec.normal(3)), ("var", rec.uniform(0.1, 1, 3))],
             {"reduction": "bogus"})


@loss("kl_div")
def kl_div(rec):
    for reduction in REDUCTIONS + ("batchmean",):
        for log_target in (False, True):
            x = torch.log_softmax(rec.normal(3, 4), dim=1)
            p = rec.probabilities(3, 4)
            p[0, 1] = 0.0  # a zero target: contributes 0 (its target gradient is NaN in 1.13)
            y = p.log() if log_target else p
            rec.case(f"log_target={log_target}", F.kl_div, [("input", x), ("target", y)],
                     {"reduction": reduction, "log_target": log_target}, grad=("input", "target"))


@loss("binary_cross_entropy")
def binary_cross_entropy(rec):
    for reduction in REDUCTIONS:
        for weighted in (False, True):
            x = rec.uniform(0.01, 0.99, 3, 4)
            x[0, 0], x[0, 1] = 0.0, 1.0  # log clamped at -100; gradient at the EPS floor
            y = rec.uniform(0, 1, 3, 4)
            inputs = [("input", x), ("target", y)] + ([("weight", rec.uniform(0.5, 2, 4))] if weighted else [])
            rec.case(f"weight={'yes' if weighted else 'none'}", F.binary_cross_entropy, inputs, {"reduction": reduction}, grad=("input", "target"))
    rec.case("input>1/error", F.binary_cross_entropy, [("input", torch.tensor([0.5, 1.5], dtype=torch.float64)), ("target", rec.uniform(0, 1, 2))],
             {"reduction": "mean"})
    rec.case("size/error", F.binary_cross_entropy, [("input", rec.uniform(0, 1, 3, 4)), ("target", rec.uniform(0, 1, 4))], {"reduction": "mean"})


@loss("binary_cross_entropy_with_logits")
def bce_with_logits(rec):
    for reduction in REDUCTIONS:
        for weighted in (False, True):
            for pos in (False, True):
                inputs = [("input", rec.normal(3, 4, scale=3)), ("target", rec.uniform(0, 1, 3, 4))]
                if weighted:
                    inputs.append(("weight", rec.uniform(0.5, 2, 4)))
                if pos:
                    inputs.append(("pos_weight", rec.uniform(0.5, 3, 4)))
                rec.case(f"weight={'yes' if weighted else 'none'}/pos_weight={'yes' if pos else 'none'}", F.binary_cross_entropy_with_logits,
                         inputs, {"reduction": reduction}, grad=("input", "target"))
    rec.case("size/error", F.binary_cross_entropy_with_logits, [("input", rec.normal(3, 4)), ("target", rec.uniform(0, 1, 4))], {"reduction": "mean"})


@loss("margin_ranking_loss")
def margin_ranking(rec):
    for reduction in REDUCTIONS:
        for margin in (0.0, 0.5):
            x1, x2 = rec.normal(6), rec.normal(6)
            x2[0] = x1[0] + margin  # z == 0 exactly: the clamp passes the gradient
            rec.case(f"margin={margin!r}", F.margin_ranking_loss, [("input1", x1), ("input2", x2), ("target", rec.signs(6))],
                     {"reduction": reduction, "margin": margin}, grad=("input1", "input2", "target"))
    rec.case("ndim/error", F.margin_ranking_loss, [("input1", rec.normal(5)), ("input2", rec.normal(5)), ("target", rec.signs(1, 5))],
             {"reduction": "mean"})


@loss("hinge_embedding_loss")
def hinge_embedding(rec):
    for reduction in REDUCTIONS:
        for margin in (1.0, -0.5):
            x = rec.normal(8)
            x[0] = margin  # the hinge's kink
            y = torch.tensor([-1, -1, 1, 1, -1, 0, 2, -1], dtype=torch.float64)
            rec.case(f"margin={margin!r}", F.hinge_embedding_loss, [("input", x), ("target", y)],
                     {"reduction": reduction, "margin": margin}, grad=("input", "target"))


@loss("multilabel_margin_loss")
def multilabel_margin(rec):
    for reduction in REDUCTIONS:
        x = rec.normal(3, 4)
        y = torch.tensor([[3, 0, -1, 1], [0, 0, -1, 2], [1, 2, 3, 0]])
        rec.case("batch", F.multilabel_margin_loss, [("input", x), ("target", y)], {"reduction": reduction}, grad=("input",))
        rec.case("unbatched", F.multilabel_margin_loss, [("input", rec.normal(4)), ("target", torch.tensor([2, -1, 0, 0]))],
                 {"reduction": reduction}, grad=("input",))
    rec.case("target-range/error", F.multilabel_margin_loss, [("input", rec.normal(2, 4)), ("target", torch.tensor([[4, -1, 0, 0], [0, -1, 0, 0]]))],
             {"reduction": "mean"})


@loss("soft_margin_loss")
def soft_margin(rec):
    for reduction in REDUCTIONS:
        x = rec.normal(3, 4, scale=3)
        x[0, 0] = 30.0
        rec.case("random", F.soft_margin_loss, [("input", x), ("target", rec.signs(3, 4))], {"reduction": reduction}, grad=("input",))
        rec.case("target-broadcast", F.soft_margin_loss, [("input", rec.normal(3, 4)), ("target", rec.signs(4))], {"reduction": reduction}, grad=("input",))


@loss("multilabel_soft_margin_loss")
def multilabel_soft_margin(rec):
    for reduction in REDUCTIONS:
        for weighted in (False, True):
            for xs in ((3, 4), (4,), (2, 3, 4)):
                inputs = [("input", rec.normal(*xs, scale=2)), ("target", (rec.uniform(0, 1, *xs) > 0.5).to(torch.float64))]
                if weighted:
                    inputs.append(("weight", rec.uniform(0.5, 2, xs[-1])))
                rec.case(f"weight={'yes' if weighted else 'none'}/shape={shape_label(xs)}", F.multilabel_soft_margin_loss, inputs,
                         {"reduction": reduction}, grad=("input", "target"))
    rec.case("0-d/error", F.multilabel_soft_margin_loss, [("input", rec.normal()), ("target", rec.normal())], {"reduction": "mean"})
    rec.case("reduction=bogus/error", F.multilabel_soft_margin_loss, [("input", rec.normal(2, 3)), ("target", rec.normal(2, 3))],
             {"reduction": "bogus"})


@loss("cosine_embedding_loss")
def cosine_embedding(rec):
    for reduction in REDUCTIONS:
        for margin in (0.0, 0.5):
            x1, x2 = rec.normal(4, 5), rec.normal(4, 5)
            x1[3] = 0.0  # a zero vector: cos = 0 through the EPS guard
            rec.case(f"margin={margin!r}", F.cosine_embedding_loss,
                     [("input1", x1), ("input2", x2), ("target", torch.tensor([1.0, -1.0, -1.0, 1.0], dtype=torch.float64))],
                     {"reduction": reduction, "margin": margin}, grad=("input1", "input2"))
        rec.case("unbatched", F.cosine_embedding_loss,
                 [("input1", rec.normal(5)), ("input2", rec.normal(5)), ("target", torch.tensor(-1.0, dtype=torch.float64))],
                 {"reduction": reduction, "margin": 0.0}, grad=("input1", "input2"))
    rec.case("target-ndim/error", F.cosine_embedding_loss, [("input1", rec.normal(4, 5)), ("input2", rec.normal(4, 5)), ("target", rec.signs(4, 1))],
             {"reduction": "mean"})


@loss("multi_margin_loss")
def multi_margin(rec):
    for reduction in REDUCTIONS:
        for p in (1, 2):
            for weighted in (False, True):
                inputs = [("input", rec.normal(4, 5)), ("target", rec.classes(5, 4))]
                if weighted:
                    inputs.append(("weight", rec.uniform(0.5, 2, 5)))
                rec.case(f"p={p}/margin=1.0/weight={'yes' if weighted else 'none'}", F.multi_margin_loss, inputs,
                         {"reduction": reduction, "p": p, "margin": 1.0}, grad=("input",))
        rec.case("unbatched/margin=0.5", F.multi_margin_loss, [("input", rec.normal(5)), ("target", torch.tensor(2))],
                 {"reduction": reduction, "p": 1, "margin": 0.5}, grad=("input",))
    rec.case("p=3/error", F.multi_margin_loss, [("input", rec.normal(2, 3)), ("target", torch.tensor([0, 1]))], {"reduction": "mean", "p": 3})
    rec.case("target-range/error", F.multi_margin_loss, [("input", rec.normal(2, 3)), ("target", torch.tensor([0, 3]))], {"reduction": "mean"})


@loss("triplet_margin_loss")
def triplet_margin(rec):
    for reduction in REDUCTIONS:
        for p in (1.0, 2.0):
            for swap in (False, True):
                a, pos, neg = rec.normal(4, 5), rec.normal(4, 5), rec.normal(4, 5)
                rec.case(f"p={p!r}/swap={swap}/eps=1e-06", F.triplet_margin_loss, [("anchor", a), ("positive", pos), ("negative", neg)],
                         {"reduction": reduction, "margin": 1.0, "p": p, "eps": 1e-6, "swap": swap}, grad=("anchor", "positive", "negative"))
        rec.case("broadcast-positive", F.triplet_margin_loss, [("anchor", rec.normal(3, 4)), ("positive", rec.normal(1, 4)), ("negative", rec.normal(3, 4))],
                 {"reduction": reduction, "margin": 0.5, "p": 2.0, "eps": 1e-6, "swap": False}, grad=("anchor", "positive", "negative"))
    rec.case("ndim/error", F.triplet_margin_loss, [("anchor", rec.normal(3, 4)), ("positive", rec.normal(4)), ("negative", rec.normal(3, 4))],
             {"reduction": "mean"})


def cosine_distance(x, y):
    return 1.0 - F.cosine_similarity(x, y)


@loss("triplet_margin_with_distance_loss")
def triplet_margin_with_distance(rec):
    # distance_function: "pairwise" is PyTorch's default (nn.PairwiseDistance(), p = 2, eps = 1e-6);
    # "cosine" is 1 - cosine_similarity(x, y) (dim 1, eps 1e-8).
    distances = {"pairwise": None, "cosine": cosine_distance}
    for reduction in REDUCTIONS:
        for name, fn in distances.items():
            for swap in (False, True):
                for margin in (1.0, 0.25):
                    a, pos, neg = rec.normal(4, 5), rec.normal(4, 5), rec.normal(4, 5)
                    rec.case(f"distance_function={name}/swap={swap}/margin={margin!r}",
                             lambda anchor, positive, negative, distance_function, **kw: F.triplet_margin_with_distance_loss(
                                 anchor, positive, negative, distance_function=distances[distance_function], **kw),
                             [("anchor", a), ("positive", pos), ("negative", neg)],
                             {"reduction": reduction, "distance_function": name, "margin": margin, "swap": swap},
                             grad=("anchor", "positive", "negative"))
        # swap with d(a, n) == d(p, n) exactly: torch.min splits the gradient 0.5/0.5
        a = rec.normal(3, 4)
        rec.case("distance_function=pairwise/swap=True/tie",
                 lambda anchor, positive, negative, distance_function, **kw: F.triplet_margin_with_distance_loss(anchor, positive, negative, **kw),
                 [("anchor", a), ("positive", a.clone()), ("negative", rec.normal(3, 4))],
                 {"reduction": reduction, "distance_function": "pairwise", "margin": 1.0, "swap": True}, grad=("anchor", "positive", "negative"))


def main(argv, generators=None, generator="parity/generate_vectors.py"):
    """Records the losses named in argv (all of `generators`, by default this script's, when argv is empty)."""
    global GENERATORS
    GENERATORS = GENERATORS if generators is None else generators
    wanted = argv or sorted(GENERATORS)
    unknown = [w for w in wanted if w not in GENERATORS]
    if unknown:
        sys.exit(f"unknown loss(es): {', '.join(unknown)}; known: {', '.join(sorted(GENERATORS))}")
    torch.set_default_dtype(torch.float64)
    print(f"PyTorch {torch.__version__} ({torch.__file__})")
    for functional in wanted:
        rec = Recorder(functional, generator)
        GENERATORS[functional](rec)
        path = rec.write()
        errors = sum(1 for c in rec.cases if "error" in c)
        print(f"  {functional:36} {len(rec.cases):4} cases ({errors} errors) -> {os.path.relpath(path, os.path.dirname(HERE))}")


if __name__ == "__main__":
    main(sys.argv[1:])
