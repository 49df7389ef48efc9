#!/usr/bin/env python3
"""A run handed over by the Fine-tuning Studio, trained with PyTorch.

    python train.py --out OUT [--epochs N]                     one process
    torchrun --nproc_per_node=K train.py --out OUT             K processes, data-parallel (DDP)

It does what the studio would have done with this run: the same model (weights/model.json, the
studio's starting model, rebuilt layer by layer in PyTorch), the same layers trained (frozen batch
norm stays in inference mode), optimizer, learning-rate schedule, weight decay, label smoothing,
augmentation, gradual unfreezing, early stopping and seed, on the same train/validation split
(data/manifest.json). Under torchrun (or with the variables it sets: MASTER_ADDR, MASTER_PORT, RANK,
LOCAL_RANK, WORLD_SIZE) each process trains on its shard of every epoch (DistributedSampler) with
DistributedDataParallel: gloo on CPU, nccl on CUDA. config.json's batch size is the global batch:
each process takes its share. Rank 0 writes OUT/metrics.jsonl, OUT/log.txt, OUT/checkpoint.pt
(every epoch; running again with the same OUT resumes from it) and OUT/model.zip, a studio export
that the studio imports (drop metrics.jsonl beside it to bring the curves back) and that
tf.loadLayersModel loads.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import io
import json
import math
import os
import struct
import sys
import time
import zipfile
from datetime import datetime, timezone

import numpy as np
import torch
import torch.distributed as dist
import torch.distributed.nn.functional as dist_nn
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
EPSILON = 1e-7  # the studio's optimizer epsilon (src/engine/optimizers.ts)


class JobError(Exception):
    """A problem with the job or its data, said in a sentence; the script exits with status 2."""


# ---------------------------------------------------------------------------------------------
# The job's files


def sha256_of(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_json(path: str):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise JobError(f"{os.path.relpath(path, HERE)} is missing: the job is incomplete. Export it from the studio again.")
    except json.JSONDecodeError as err:
        raise JobError(f"{os.path.relpath(path, HERE)} is not valid JSON ({err}).")


def check_data(root: str, manifest: dict) -> list:
    """The manifest's files, each checked against its sha256: a changed or missing file stops the job, named."""
    files = manifest.get("files") or []
    if not files:
        raise JobError("data/manifest.json lists no files.")
    for entry in files:
        path = os.path.join(root, entry["path"])
        if not os.path.isfile(path):
            raise JobError(f"{entry['path']} is listed in data/manifest.json but missing. Refusing to start.")
        digest = sha256_of(path)
        if digest != entry["sha256"]:
            raise JobError(
                f"{entry['path']} does not match its sha256 in data/manifest.json (the file changed after the job was exported). Refusing to start."
            )
    return files


def read_weights(root: str, model_json: dict):
    """The weights a weights/model.json lists, from its weight files: its weight specs and {name: numpy array}."""
    values, specs = {}, []
    for group in model_json["weightsManifest"]:
        data = b"".join(open(os.path.join(root, "weights", p), "rb").read() for p in group["paths"])
        offset = 0
        for spec in group["weights"]:
            if spec.get("dtype", "float32") != "float32":
                raise JobError(f"weight {spec['name']} is {spec['dtype']}; train.py reads float32 weights only.")
            count = int(np.prod(spec["shape"])) if spec["shape"] else 1
            if offset + count * 4 > len(data):
                raise JobError(f"weights/{group['paths'][0]} holds {len(data)} bytes, fewer than weights/model.json describes.")
            values[spec["name"]] = np.frombuffer(data, dtype="<f4", count=count, offset=offset).reshape(spec["shape"]).copy()
            offset += count * 4
            specs.append(spec)
        if offset != len(data):
            raise JobError(f"weights/{group['paths'][0]} holds {len(data)} bytes; weights/model.json describes {offset}.")
    return specs, values


def load_weights(root: str):
    """weights/model.json (TF.js Layers) and its weights: the json, the topology, the weight specs and {weight name: numpy array (Keras layout)}."""
    model_json = read_json(os.path.join(root, "weights", "model.json"))
    specs, values = read_weights(root, model_json)
    topology = model_json["modelTopology"]
    if "model_config" in topology:
        topology = topology["model_config"]
    return model_json, topology, specs, values


# ---------------------------------------------------------------------------------------------
# The Keras graph in PyTorch. Tensors are NCHW inside; the input arrives NHWC as in TF.js.


def weight_kind(name: str) -> str:
    """'kernel', 'bias', 'gamma', … from a TF.js weight name such as 'block_1_expand/kernel' or 'x/kernel_1'."""
    short = name.rsplit("/", 1)[-1]
    for kind in ("depthwise_kernel", "moving_mean", "moving_variance", "kernel", "bias", "gamma", "beta"):
        if short == kind or short.startswith(kind + "_"):
            return kind
    return short


def layer_of(name: str) -> str:
    return name.rsplit("/", 1)[0]


ACTIVATIONS = {
    "linear": lambda x: x,
    "relu": F.relu,
    "relu6": F.relu6,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "elu": F.elu,
    "selu": F.selu,
    "swish": F.silu,
    "softplus": F.softplus,
    "softmax": lambda x: F.softmax(x, dim=1),  # channels: dim 1 in NCHW, as Keras' last axis
}


def activation(name):
    name = name or "linear"
    if name not in ACTIVATIONS:
        raise JobError(f"activation '{name}' is not one train.py can build.")
    return ACTIVATIONS[name]


def same_padding(x, kernel, strides, dilation):
    """TF's 'same' padding: the extra pixel of an odd total goes after (bottom, right)."""
    pads = []
    for size, k, s, d in zip(x.shape[2:], kernel, strides, dilation):
        eff = (k - 1) * d + 1
        out = math.ceil(size / s)
        total = max((out - 1) * s + eff - size, 0)
        pads.append((total // 2, total - total // 2))
    (top, bottom), (left, right) = pads
    if top or bottom or left or right:
        x = F.pad(x, (left, right, top, bottom))
    return x


class Conv(nn.Module):
    def __init__(self, cfg, weights, depthwise=False):
        super().__init__()
        self.strides = tuple(cfg.get("strides", [1, 1]))
        self.dilation = tuple(cfg.get("dilation_rate", [1, 1]))
        self.kernel_size = tuple(cfg["kernel_size"])
        self.same = cfg.get("padding", "valid") == "same"
        self.act = activation(cfg.get("activation"))
        k = weights["depthwise_kernel" if depthwise else "kernel"]
        if depthwise:  # [kh, kw, in, mult] → [in·mult, 1, kh, kw]
            kh, kw, cin, mult = k.shape
            w = k.transpose(2, 3, 0, 1).reshape(cin * mult, 1, kh, kw)
            self.groups = cin
        else:  # [kh, kw, in, out] → [out, in, kh, kw]
            w = k.transpose(3, 2, 0, 1)
            self.groups = 1
        self.weight = nn.Parameter(torch.from_numpy(np.ascontiguousarray(w)))
        self.bias = nn.Parameter(torch.from_numpy(weights["bias"])) if cfg.get("use_bias", True) and "bias" in weights else None
        self.depthwise = depthwise

    def forward(self, x):
        if self.same:
            x = same_padding(x, self.kernel_size, self.strides, self.dilation)
        return self.act(F.conv2d(x, self.weight, self.bias, self.strides, 0, self.dilation, self.groups))

    def keras(self):
        w = self.weight.detach().cpu().numpy()
        if self.depthwise:
            cin = self.groups
            mult = w.shape[0] // cin
            kernel = w.reshape(cin, mult, w.shape[2], w.shape[3]).transpose(2, 3, 0, 1)
            out = {"depthwise_kernel": kernel}
        else:
            out = {"kernel": w.transpose(2, 3, 1, 0)}
        if self.bias is not None:
            out["bias"] = self.bias.detach().cpu().numpy()
        return out


class BatchNorm(nn.Module):
    """Keras batch norm: moving statistics with Keras' momentum; in inference mode unless its layer trains."""

    def __init__(self, cfg, weights):
        super().__init__()
        c = next(iter(weights.values())).shape[0]
        self.eps = float(cfg.get("epsilon", 1e-3))
        self.momentum = 1.0 - float(cfg.get("momentum", 0.99))
        self.weight = nn.Parameter(torch.from_numpy(weights["gamma"])) if "gamma" in weights else None
        self.bias = nn.Parameter(torch.from_numpy(weights["beta"])) if "beta" in weights else None
        self.register_buffer("running_mean", torch.from_numpy(weights["moving_mean"]))
        self.register_buffer("running_var", torch.from_numpy(weights["moving_variance"]))
        self.channels = c

    # Several processes: a layer that trains normalises by the statistics of the whole global batch, as
    # the studio's one process would (per-process statistics would make 2 processes differ from 1).
    sync = False

    def forward(self, x):
        if not self.training:
            return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, False, 0.0, self.eps)
        dims = [0] + list(range(2, x.dim()))
        shape = [1, x.shape[1]] + [1] * (x.dim() - 2)
        total = lambda t: dist_nn.all_reduce(t) if BatchNorm.sync else t  # noqa: E731 (autograd passes through)
        stats = total(torch.cat([x.sum(dims), x.new_tensor([x.numel() / x.shape[1]])]))
        count = stats[-1]
        mean = stats[:-1] / count
        var = total(((x - mean.view(shape)) ** 2).sum(dims)) / count  # biased, as tf.moments
        with torch.no_grad():  # Keras' moving averages: moving -= (moving - value) × (1 - momentum)
            self.running_mean.add_((mean - self.running_mean) * self.momentum)
            self.running_var.add_((var - self.running_var) * self.momentum)
        y = (x - mean.view(shape)) / torch.sqrt(var.view(shape) + self.eps)
        if self.weight is not None:
            y = y * self.weight.view(shape)
        return y + self.bias.view(shape) if self.bias is not None else y

    def keras(self):
        out = {"moving_mean": self.running_mean.cpu().numpy(), "moving_variance": self.running_var.cpu().numpy()}
        if self.weight is not None:
            out["gamma"] = self.weight.detach().cpu().numpy()
        if self.bias is not None:
            out["beta"] = self.bias.detach().cpu().numpy()
        return out


class Dense(nn.Module):
    def __init__(self, cfg, weights):
        super().__init__()
        self.weight = nn.Parameter(torch.from_numpy(np.ascontiguousarray(weights["kernel"].T)))
        self.bias = nn.Parameter(torch.from_numpy(weights["bias"])) if "bias" in weights else None
        self.act = activation(cfg.get("activation"))

    def forward(self, x):
        return self.act(F.linear(x, self.weight, self.bias))

    def keras(self):
        out = {"kernel": self.weight.detach().cpu().numpy().T}
        if self.bias is not None:
            out["bias"] = self.bias.detach().cpu().numpy()
        return out


class Fn(nn.Module):
    """A layer without weights."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, *xs):
        return self.fn(*xs)


def pool(cfg, kind):
    size = tuple(cfg.get("pool_size", [2, 2]))
    strides = tuple(cfg.get("strides") or size)
    same = cfg.get("padding", "valid") == "same"

    def run(x):
        if same:
            x = same_padding(x, size, strides, (1, 1)) if kind == "avg" else _max_same_pad(x, size, strides)
        return F.max_pool2d(x, size, strides) if kind == "max" else F.avg_pool2d(x, size, strides)

    return run


def _max_same_pad(x, size, strides):
    pads = []
    for n, k, s in zip(x.shape[2:], size, strides):
        total = max((math.ceil(n / s) - 1) * s + k - n, 0)
        pads.append((total // 2, total - total // 2))
    (t, b), (l, r) = pads
    return F.pad(x, (l, r, t, b), value=float("-inf"))


def relu_layer(cfg):
    top, slope = cfg.get("max_value"), float(cfg.get("negative_slope") or 0)

    def relu(x):
        y = F.leaky_relu(x, slope) if slope else F.relu(x)
        return torch.clamp(y, max=float(top)) if top is not None else y

    return Fn(relu)


def zero_padding(cfg):
    (t, b), (l, r) = cfg["padding"]
    return Fn(lambda x: F.pad(x, (l, r, t, b)))


def concatenate(cfg):
    axis = cfg.get("axis", -1)
    return Fn(lambda *xs: torch.cat(xs, dim=1 if axis in (-1, 3) and xs[0].dim() == 4 else axis))


# Every Keras layer class train.py builds (the studio refuses a job whose model has another:
# JOB_LAYER_CLASSES in job-export.ts, checked against this table by src/job/train.test.ts).
LAYERS = {
    "Conv2D": lambda cfg, w: Conv(cfg, w),
    "DepthwiseConv2D": lambda cfg, w: Conv(cfg, w, depthwise=True),
    "BatchNormalization": lambda cfg, w: BatchNorm(cfg, w),
    "Dense": lambda cfg, w: Dense(cfg, w),
    "ReLU": lambda cfg, w: relu_layer(cfg),
    "Activation": lambda cfg, w: Fn(activation(cfg.get("activation"))),
    "ZeroPadding2D": lambda cfg, w: zero_padding(cfg),
    "Add": lambda cfg, w: Fn(lambda *xs: sum(xs[1:], xs[0])),
    "Multiply": lambda cfg, w: Fn(lambda *xs: math.prod(xs[1:], start=xs[0])),
    "Concatenate": lambda cfg, w: concatenate(cfg),
    "GlobalAveragePooling2D": lambda cfg, w: Fn(lambda x: x.mean(dim=(2, 3))),
    "GlobalMaxPooling2D": lambda cfg, w: Fn(lambda x: x.amax(dim=(2, 3))),
    "MaxPooling2D": lambda cfg, w: Fn(pool(cfg, "max")),
    "AveragePooling2D": lambda cfg, w: Fn(pool(cfg, "avg")),
    "Dropout": lambda cfg, w: nn.Dropout(float(cfg.get("rate", 0))),
    "SpatialDropout2D": lambda cfg, w: nn.Dropout2d(float(cfg.get("rate", 0))),  # whole channels, as Keras
    # Keras flattens channels last.
    "Flatten": lambda cfg, w: Fn(lambda x: (x.permute(0, 2, 3, 1) if x.dim() == 4 else x).reshape(x.shape[0], -1)),
}


def build_layer(class_name, cfg, weights):
    if class_name not in LAYERS:
        raise JobError(f"the model has a {class_name} layer, which train.py cannot build yet.")
    return LAYERS[class_name](cfg, weights)


class KerasGraph(nn.Module):
    """A functional TF.js Layers model rebuilt in PyTorch, layer for layer, from model.json and its weights."""

    def __init__(self, topology: dict, values: dict):
        super().__init__()
        cfg = topology["config"]
        self.input_name = cfg["input_layers"][0][0]
        self.output_name = cfg["output_layers"][0][0]
        by_layer = {}
        for name, arr in values.items():
            by_layer.setdefault(layer_of(name), {})[weight_kind(name)] = arr
        self.order = []
        self.inbound = {}
        self.classes = {}
        self.layers = nn.ModuleDict()
        for layer in cfg["layers"]:
            name = layer["config"].get("name", layer.get("name"))
            self.classes[name] = layer["class_name"]
            if layer["class_name"] == "InputLayer":
                continue
            nodes = layer.get("inbound_nodes") or []
            if len(nodes) != 1:
                raise JobError(f"layer {name} is used {len(nodes)} times; train.py builds layers used once.")
            self.inbound[name] = [n[0] for n in nodes[0]]
            self.layers[name] = build_layer(layer["class_name"], layer["config"], by_layer.get(name, {}))
            self.order.append(name)

    def forward(self, x_nhwc):
        values = {self.input_name: x_nhwc.permute(0, 3, 1, 2)}
        for name in self.order:
            values[name] = self.layers[name](*[values[i] for i in self.inbound[name]])
        out = values[self.output_name]
        return out.permute(0, 2, 3, 1) if out.dim() == 4 else out

    def keras_weights(self) -> dict:
        """{layer name: {weight kind: numpy array in Keras layout}}."""
        return {name: m.keras() for name, m in self.layers.items() if hasattr(m, "keras")}


# ---------------------------------------------------------------------------------------------
# Data


def decode(path: str, size: int, resize: str) -> np.ndarray:
    """size×size×3 uint8 RGB, as the studio decodes: transparency on white, stretched or centre-cropped."""
    with Image.open(path) as im:
        im.seek(0)
        im = im.convert("RGBA")
        white = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(white, im).convert("RGB")
        if resize == "center-crop":
            side = min(im.size)
            left, top = (im.size[0] - side) // 2, (im.size[1] - side) // 2
            im = im.crop((left, top, left + side, top + side))
        if im.size != (size, size):
            im = im.resize((size, size), Image.LANCZOS if min(im.size) > size else Image.BICUBIC)
        return np.asarray(im, dtype=np.uint8)


class Images(torch.utils.data.Dataset):
    """The split's images as [size, size, 3] floats in [0, 1], decoded once and kept (as bytes) when they fit."""

    def __init__(self, root, entries, labels, size, resize, keep_bytes=2 << 30):
        self.paths = [os.path.join(root, e["path"]) for e in entries]
        index = {label: i for i, label in enumerate(labels)}
        self.labels = [index[e["label"]] for e in entries]
        self.size, self.resize = size, resize
        self.keep = len(entries) * size * size * 3 <= keep_bytes
        self.kept = {}

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        px = self.kept.get(i)
        if px is None:
            px = decode(self.paths[i], self.size, self.resize)
            if self.keep:
                self.kept[i] = px
        return torch.from_numpy(px.astype(np.float32) / 255.0), self.labels[i]


class Ordered(torch.utils.data.Sampler):
    def __init__(self, indices):
        self.indices = indices

    def __iter__(self):
        return iter(self.indices)

    def __len__(self):
        return len(self.indices)


def augment(x, a: dict, gen: torch.Generator):
    """The studio's augmentation (src/engine/augment.ts) on a batch [n, h, w, 3] in [0, 1]."""
    n, h, w, _ = x.shape
    u = lambda: torch.rand(n, generator=gen)  # noqa: E731
    x = x.permute(0, 3, 1, 2)
    if a.get("flip"):
        flip = (u() < 0.5).view(n, 1, 1, 1)
        x = torch.where(flip, x.flip(3), x)
    crop = float(a.get("cropScale", 1))
    if crop < 1:
        side = crop + (1 - crop) * u()
        y0, x0 = (1 - side) * u(), (1 - side) * u()
        theta = torch.zeros(n, 2, 3)
        theta[:, 0, 0], theta[:, 0, 2] = side, 2 * x0 + side - 1
        theta[:, 1, 1], theta[:, 1, 2] = side, 2 * y0 + side - 1
        grid = F.affine_grid(theta, list(x.shape), align_corners=True)
        x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=True)
    deg = float(a.get("rotationDeg", 0))
    if deg > 0:
        rad = (u() * 2 - 1) * deg * math.pi / 180
        theta = torch.zeros(n, 2, 3)
        theta[:, 0, 0], theta[:, 0, 1] = torch.cos(rad), -torch.sin(rad)
        theta[:, 1, 0], theta[:, 1, 1] = torch.sin(rad), torch.cos(rad)
        grid = F.affine_grid(theta, list(x.shape), align_corners=False)
        inside = F.grid_sample(torch.ones_like(x[:, :1]), grid, mode="nearest", align_corners=False)
        x = F.grid_sample(x, grid, mode="nearest", align_corners=False) * inside + 0.5 * (1 - inside)
    c = float(a.get("contrast", 0))
    if c > 0:
        factor = (1 + (u() * 2 - 1) * c).view(n, 1, 1, 1)
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        x = (x - mean) * factor + mean
    b = float(a.get("brightness", 0))
    if b > 0:
        x = x + ((u() * 2 - 1) * b).view(n, 1, 1, 1)
    return x.clamp(0, 1).permute(0, 2, 3, 1)


def augmentation_on(a: dict) -> bool:
    return bool(a.get("flip")) or a.get("cropScale", 1) < 1 or a.get("rotationDeg", 0) > 0 or a.get("brightness", 0) > 0 or a.get("contrast", 0) > 0


# ---------------------------------------------------------------------------------------------
# Training: the studio's loop (src/engine/loop.ts) in PyTorch


def learning_rate_at(base, schedule, step, total, per_epoch):
    """src/engine/schedule.ts's learningRateAt."""
    low = base * schedule["minFactor"]

    def cosine(t):
        return low + (base - low) * 0.5 * (1 + math.cos(math.pi * min(max(t, 0), 1)))

    kind = schedule["kind"]
    if kind == "step":
        epoch = step // max(1, per_epoch)
        return base * schedule["stepFactor"] ** (epoch // max(1, schedule["stepEpochs"]))
    if kind == "cosine":
        return cosine(step / (total - 1) if total > 1 else 0)
    if kind == "warmup-cosine":
        warm = min(math.floor(schedule["warmupEpochs"] * per_epoch + 0.5), max(0, total - 1))  # Math.round
        if step < warm:
            return base * (step + 1) / warm
        rest = total - warm
        return cosine((step - warm) / (rest - 1) if rest > 1 else 0)
    return base


class StudioOptimizer:
    """The studio's flat optimizers (src/engine/flat-optimizer.ts): Adam/AdamW, SGD with momentum 0.9, RMSprop."""

    def __init__(self, name, params):
        self.name, self.params, self.t = name, list(params), 0
        self.m = [torch.zeros_like(p) for p in self.params] if name in ("adam", "adamw", "sgd") else None
        self.v = [torch.zeros_like(p) for p in self.params] if name in ("adam", "adamw", "rmsprop") else None

    @torch.no_grad()
    def step(self, lr):
        self.t += 1
        for i, p in enumerate(self.params):
            g = p.grad if p.grad is not None else torch.zeros_like(p)
            if self.name in ("adam", "adamw"):
                self.m[i].mul_(0.9).add_(g, alpha=0.1)
                self.v[i].mul_(0.999).add_(g * g, alpha=0.001)
                m_hat = self.m[i] / (1 - 0.9**self.t)
                v_hat = self.v[i] / (1 - 0.999**self.t)
                p.add_(m_hat / (v_hat.sqrt() + EPSILON), alpha=-lr)
            elif self.name == "sgd":
                self.m[i].mul_(0.9).add_(g)
                p.add_(self.m[i], alpha=-lr)
            else:
                self.v[i].mul_(0.9).add_(g * g, alpha=0.1)
                p.add_(g / (self.v[i] + EPSILON).sqrt(), alpha=-lr)

    def state(self):
        return {"t": self.t, "m": self.m, "v": self.v}

    def restore(self, s):
        same = lambda a, b: a is None or (b is not None and len(a) == len(b) and all(x.shape == y.shape for x, y in zip(a, b)))  # noqa: E731
        if same(self.m, s["m"]) and same(self.v, s["v"]):
            self.t, self.m, self.v = s["t"], s["m"], s["v"]


def cross_entropy(probs, target):
    return -(target * probs.clamp(1e-7, 1).log()).sum(-1).mean()


class Job:
    """The job as exported: config, data, the model built from the starting weights."""

    def __init__(self, root=HERE, verify=True):
        self.root = root
        self.config = read_json(os.path.join(root, "config.json"))
        job = self.config.get("job") or {}
        if job.get("format") != "finetune-studio-job":
            raise JobError("config.json is not a Fine-tuning Studio job.")
        if self.config.get("task") != "image-classification":
            raise JobError(f"train.py trains image classification; this job is {self.config.get('task')}.")
        manifest = read_json(os.path.join(root, "data", "manifest.json"))
        self.files = check_data(root, manifest) if verify else manifest["files"]
        self.model_json, topology, self.specs, values = load_weights(root)
        self.model = KerasGraph(topology, values)
        self.labels = self.config["labels"]
        self.settings = self.config["settings"]
        self.input = self.config["input"]

    def dataset(self, split):
        entries = [e for e in self.files if e["split"] == split]
        return Images(self.root, entries, self.labels, self.input["imageSize"], self.input["resize"])

    def to_input(self, x):
        lo, hi = self.input["inputRange"]
        return x if (lo, hi) == (0, 1) else x * (hi - lo) + lo

    def predict(self, pixels01):
        """Class probabilities for [n, size, size, 3] pixels in [0, 1], in inference mode."""
        self.model.eval()
        with torch.no_grad():
            return self.model(self.to_input(pixels01))

    def keras_files(self, net: KerasGraph):
        """model.json and weights.bin of `net`'s weights, in the starting model's topology and weight order."""
        held = net.keras_weights()
        chunks = []
        for spec in self.specs:
            arr = held[layer_of(spec["name"])][weight_kind(spec["name"])]
            chunks.append(np.ascontiguousarray(arr, dtype="<f4").tobytes())
        model_json = copy.deepcopy(self.model_json)
        model_json["weightsManifest"] = [{"paths": ["weights.bin"], "weights": self.specs}]
        model_json["generatedBy"] = f"finetune-studio train.py (torch {torch.__version__})"
        return json.dumps(model_json).encode(), b"".join(chunks)


def setup_distributed(device_arg):
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    cuda = torch.cuda.is_available() and device_arg != "cpu"
    if device_arg == "cuda" and not torch.cuda.is_available():
        raise JobError("--device cuda was asked for, but PyTorch sees no CUDA device.")
    device = torch.device(f"cuda:{local_rank}" if cuda else "cpu")
    if cuda:
        torch.cuda.set_device(device)
    elif "OMP_NUM_THREADS" not in os.environ:
        local_world = int(os.environ.get("LOCAL_WORLD_SIZE", str(world)))
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // max(1, local_world)))
    if world > 1:
        dist.init_process_group("nccl" if cuda else "gloo", init_method="env://", rank=rank, world_size=world)
        BatchNorm.sync = True
    return world, rank, device


def all_sum(values, device, world):
    t = torch.tensor(values, dtype=torch.float64, device=device)
    if world > 1:
        dist.all_reduce(t)
    return t.tolist()


# ---------------------------------------------------------------------------------------------
# What every job's loop shares (this file's images, train_lm.py's text): OUT's files, resume,
# the open parts, the optimizer step, early stopping, DDP.


class Run:
    """One process of the run: its rank, device and OUT (log.txt, metrics.jsonl, checkpoint.pt, model.zip: rank 0 writes)."""

    def __init__(self, args, config):
        self.world, self.rank, self.device = setup_distributed(args.device)
        self.config = config
        self.out = os.path.abspath(args.out)
        if self.rank == 0:
            os.makedirs(self.out, exist_ok=True)
        self.barrier()
        self.log = open(os.path.join(self.out, "log.txt"), "a", encoding="utf-8") if self.rank == 0 else None
        self.checkpoint = os.path.join(self.out, "checkpoint.pt")
        self.fresh = args.fresh

    def barrier(self):
        if self.world > 1:
            dist.barrier()

    def say(self, msg):
        if self.rank == 0:
            line = f"[{datetime.now().strftime('%H:%M:%S')}] {msg}"
            print(line, flush=True)
            self.log.write(line + "\n")
            self.log.flush()

    def write_metrics(self, history):
        if self.rank == 0:
            with open(os.path.join(self.out, "metrics.jsonl"), "w", encoding="utf-8") as f:
                for h in history:
                    f.write(json.dumps(h) + "\n")

    def resumed(self, net):
        """The last checkpoint in OUT, its weights put into `net`; None for a fresh start."""
        if self.fresh or not os.path.exists(self.checkpoint):
            return None
        state = torch.load(self.checkpoint, map_location=self.device)
        if state.get("config") != self.config:
            raise JobError(f"{self.checkpoint} belongs to another job; use another --out or --fresh.")
        net.load_state_dict(state["model"])
        self.say(f"Resuming after epoch {state['epoch']} from {self.checkpoint}.")
        return state

    def save(self, state):
        """checkpoint.pt after an epoch (rank 0, written whole before it replaces the last)."""
        if self.rank == 0:
            torch.save({"config": self.config, **state}, self.checkpoint + ".tmp")
            os.replace(self.checkpoint + ".tmp", self.checkpoint)
        self.barrier()

    def write_zip(self, files: dict):
        """OUT/model.zip from {name: bytes} (rank 0)."""
        if self.rank != 0:
            return
        path = os.path.join(self.out, "model.zip")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in files.items():
                z.writestr(name, data)
        with open(path + ".tmp", "wb") as f:
            f.write(buf.getvalue())
        os.replace(path + ".tmp", path)
        self.say(f"Wrote {path} and {os.path.join(self.out, 'metrics.jsonl')}.")

    def end_epoch(self, epoch, history, said, stopping, value, net, optimizers):
        """After an epoch: its line in metrics.jsonl and the log, early stopping, the checkpoint. True: stop here."""
        self.write_metrics(history)
        self.say(said)
        out = stopping.update(epoch, value, net)
        self.save({"epoch": epoch, "model": net.state_dict(), "history": history, **optimizers.state(), **stopping.state()})
        if out:
            self.say(stopping.stopped)
        return out

    def finish(self, net, history, stopping, files):
        """The weights kept (the best epoch's, with restore-best), model.zip of `files(held_epoch, stopped_early)`, the processes released."""
        held = stopping.held(net, history, self.say)
        if self.rank == 0:
            self.write_zip(files(held, stopping.stopped))
        self.close()

    def trained_by(self):
        return {"tool": "train.py", "torch": torch.__version__, "worldSize": self.world, "device": self.device.type, "jobCreatedAt": self.config["job"].get("createdAt")}

    def ddp(self, net):
        """The model as the processes train it: DDP keeps the set of parameters that train, so wrap again whenever it changes."""
        if self.world == 1:
            return net
        return nn.parallel.DistributedDataParallel(net, device_ids=[self.device.index] if self.device.type == "cuda" else None)

    def close(self):
        if self.world > 1:
            dist.barrier()
            dist.destroy_process_group()


def open_parts(parts: list, unfreezing, epoch: int) -> list:
    """The parts (top first) open at `epoch`: all, or with gradual unfreezing one more every `everyEpochs` (loop.ts openPartsAt)."""
    if not unfreezing or not unfreezing.get("enabled"):
        return list(parts)
    return list(parts[: min(len(parts), (epoch - 1) // max(1, unfreezing["everyEpochs"]))])


class Optimizers:
    """The head's optimizer (its moments kept) and the backbone's (afresh when a part opens), with the studio's weight decay."""

    def __init__(self, settings, head_params, resumed):
        self.s = settings
        self.wd = float(settings.get("weightDecay") or 0)
        mult = settings.get("backboneLrMultiplier")
        self.mult = float(mult) if mult is not None else 1.0
        self.head = StudioOptimizer(settings["optimizer"], head_params) if head_params else None
        self.back = None
        self.pending = resumed  # a resumed run's moments, restored when its parts open

    def open(self, back_params):
        self.back = StudioOptimizer(self.s["optimizer"], back_params) if back_params else None
        if self.pending is not None:
            if self.head and self.pending.get("head_opt"):
                self.head.restore(self.pending["head_opt"])
            if self.back and self.pending.get("back_opt"):
                self.back.restore(self.pending["back_opt"])
            self.pending = None

    @property
    def params(self):
        return (self.head.params if self.head else []) + (self.back.params if self.back else [])

    def penalised(self, loss):
        """An L2 penalty wd/2·‖w‖² on the matrices for every optimizer but AdamW (loop.ts)."""
        if self.s["optimizer"] == "adamw" or self.wd <= 0:
            return loss
        return loss + self.wd / 2 * sum((p * p).sum() for p in self.params if p.dim() >= 2)

    def zero(self):
        for p in self.params:
            p.grad = None

    def step(self, lr):
        """One step at the head's rate (the backbone's × the multiplier); AdamW's decay decoupled, matrices only."""
        for opt, rate in ((self.head, lr), (self.back, lr * self.mult)):
            if opt is None:
                continue
            opt.step(rate)
            if self.s["optimizer"] == "adamw" and self.wd > 0:
                with torch.no_grad():
                    for p in opt.params:
                        if p.dim() >= 2:
                            p.mul_(1 - rate * self.wd)

    def state(self):
        return {"head_opt": self.head.state() if self.head else None, "back_opt": self.back.state() if self.back else None}


class EarlyStopping:
    """The studio's early stopping (loop.ts): patience on a validation metric, the best epoch's weights kept to restore."""

    def __init__(self, stopping, words, resumed):
        self.on = bool(stopping and stopping.get("enabled", True))
        self.lower = (stopping or {}).get("monitor", "val-loss") == "val-loss"
        self.patience = max(1, int((stopping or {}).get("patience", 1)))
        self.restore_best = bool((stopping or {}).get("restoreBest"))
        self.words = words
        r = resumed or {}
        self.best_value, self.best_epoch, self.since_best = r.get("best_value"), r.get("best_epoch"), r.get("since_best", 0)
        self.best = r.get("best")
        self.stopped = r.get("stopped_early")

    def update(self, epoch, value, net):
        """After an epoch: True when patience ran out (the reason is in `stopped`)."""
        if not self.on or value is None:
            return False
        better = self.best_value is None or (value < self.best_value - 1e-6 if self.lower else value > self.best_value + 1e-6)
        if better:
            self.best_value, self.best_epoch, self.since_best = value, epoch, 0
            if self.restore_best:
                self.best = {"epoch": epoch, "model": copy.deepcopy(net.state_dict())}
            return False
        self.since_best += 1
        if self.since_best < self.patience:
            return False
        self.stopped = f"Early stopping: {self.words} did not improve for {self.patience} epochs."
        return True

    def state(self):
        return {"best_value": self.best_value, "best_epoch": self.best_epoch, "since_best": self.since_best, "best": self.best, "stopped_early": self.stopped}

    def held(self, net, history, say):
        """The epoch whose weights `net` holds at the end: the best one's, put back, when restore-best asks."""
        held = history[-1]["epoch"] if history else 0
        if self.best is not None and self.best["epoch"] != held:
            net.load_state_dict(self.best["model"])
            held = self.best["epoch"]
            say(f"Restored the weights of epoch {held}, the best {self.words}.")
        return held


def train(args):
    job = Job(HERE)
    run = Run(args, job.config)
    world, rank, device = run.world, run.rank, run.device
    s = job.settings
    epochs = args.epochs or s["epochs"]
    seed = int(s["seed"])
    torch.manual_seed(seed + rank)
    net = job.model.to(device)
    labels, k = job.labels, len(job.labels)
    train_set, val_set = job.dataset("train"), job.dataset("val")
    n = len(train_set)
    if n == 0:
        raise JobError("The training split holds no images.")
    batch = max(1, min(int(s["batchSize"]), n))
    per = max(1, batch // world)
    if per * world != batch:
        run.say(f"The batch of {batch} does not split evenly over {world} processes: {per} each, {per * world} in all.")
    batches = max(1, n // (per * world))  # the studio drops the last partial batch
    total_steps = epochs * batches
    run.say(f"{n} training and {len(val_set)} validation images, {k} classes; {world} process(es) on {device}, {per} images each per step, {batches} steps an epoch.")

    # Which layers train: the head always; the chosen backbone layers by block, top first (gradual unfreezing).
    head_layers = job.config["job"]["head"]
    parts = {p["name"]: p["layers"] for p in job.config["job"]["parts"]}

    def layer_params(names):
        return [p for name in names if name in net.layers for p in net.layers[name].parameters()]

    def set_open(opened):
        training = set(head_layers) | {layer for name in opened for layer in parts[name]}
        for name, module in net.layers.items():
            for p in module.parameters():
                p.requires_grad_(name in training)
        return training

    def set_modes(training):
        net.train()
        for name, module in net.layers.items():
            if isinstance(module, BatchNorm) and name not in training:
                module.eval()  # frozen batch norm: inference mode, its statistics kept

    resumed = run.resumed(net)
    history = resumed["history"] if resumed else []
    start_epoch = resumed["epoch"] + 1 if resumed else 1
    optimizers = Optimizers(s, layer_params(head_layers), resumed)
    monitor = s["earlyStopping"]["monitor"]
    stopping = EarlyStopping(s["earlyStopping"], {"val-loss": "validation loss", "val-accuracy": "validation accuracy"}.get(monitor, monitor), resumed)

    sampler = torch.utils.data.distributed.DistributedSampler(train_set, num_replicas=world, rank=rank, shuffle=True, seed=seed, drop_last=False)
    val_idx = list(range(rank, len(val_set), world))  # each process measures its share; the sums are added

    def evaluate():
        net.eval()
        loss_sum, correct = 0.0, 0.0
        with torch.no_grad():
            for i in range(0, len(val_idx), 64):
                xs, ys = zip(*(val_set[j] for j in val_idx[i : i + 64]))
                x = job.to_input(torch.stack(xs).to(device))
                y = torch.tensor(ys, device=device)
                probs = net(x)
                loss_sum += float(cross_entropy(probs, F.one_hot(y, k).float())) * len(ys)
                correct += float((probs.argmax(-1) == y).sum())
        loss_sum, correct, count = all_sum([loss_sum, correct, len(val_idx)], device, world)
        return (loss_sum / count, correct / count) if count else (None, None)

    if start_epoch == 1 and len(val_set) > 0:
        vl, va = evaluate()
        lr0 = learning_rate_at(s["learningRate"], s["schedule"], 0, total_steps, batches)
        history = [{"epoch": 0, "train_loss": None, "train_accuracy": None, "val_loss": vl, "val_accuracy": va, "learning_rate": lr0, "world_size": world, "seconds": 0.0}]
        run.write_metrics(history)
        run.say(f"Before training: validation loss {vl:.4f}, accuracy {va:.3f}.")

    opened, wrapped, training = None, None, set()
    step = (start_epoch - 1) * batches
    for epoch in range(start_epoch, epochs + 1):
        wanted = open_parts(list(parts), s["gradualUnfreezing"], epoch)
        if wanted != opened:
            opened = wanted
            training = set_open(opened)
            optimizers.open(layer_params([layer for name in opened for layer in parts[name]]))
            wrapped = run.ddp(net)
        started = time.time()
        sampler.set_epoch(epoch)
        order = list(iter(sampler))[: batches * per]
        loader = torch.utils.data.DataLoader(train_set, batch_size=per, sampler=Ordered(order), num_workers=args.workers)
        gen = torch.Generator().manual_seed(seed * 1000 + epoch * 10 + rank)
        loss_sum = acc_sum = 0.0
        lr = s["learningRate"]
        for x, y in loader:
            lr = learning_rate_at(s["learningRate"], s["schedule"], step, total_steps, batches)
            set_modes(training)
            if augmentation_on(s["augmentation"]):
                x = augment(x, s["augmentation"], gen)
            x, y = job.to_input(x.to(device)), y.to(device)
            target = F.one_hot(y, k).float()
            if s["labelSmoothing"] > 0:
                target = target * (1 - s["labelSmoothing"]) + s["labelSmoothing"] / k
            probs = wrapped(x)
            loss = cross_entropy(probs, target)
            optimizers.zero()
            optimizers.penalised(loss).backward()  # DDP averages the gradients over the processes
            optimizers.step(lr)
            loss_sum += float(loss) * len(y)
            acc_sum += float((probs.argmax(-1) == target.argmax(-1)).float().sum())
            step += 1
        loss_sum, acc_sum, seen = all_sum([loss_sum, acc_sum, batches * per], device, world)
        vl, va = evaluate() if len(val_set) else (None, None)
        h = {
            "epoch": epoch,
            "train_loss": loss_sum / seen,
            "train_accuracy": acc_sum / seen,
            "val_loss": vl,
            "val_accuracy": va,
            "learning_rate": lr,
            "world_size": world,
            "seconds": round(time.time() - started, 3),
            "trainable_params": sum(p.numel() for p in optimizers.params),
        }
        history.append(h)
        said = f"Epoch {epoch}/{epochs}: loss {h['train_loss']:.4f}, accuracy {h['train_accuracy']:.3f}" + (f"; validation loss {vl:.4f}, accuracy {va:.3f}" if vl is not None else "") + f" ({h['seconds']:.1f} s)"
        if run.end_epoch(epoch, history, said, stopping, vl if monitor == "val-loss" else va, net, optimizers):
            break
    run.finish(net, history, stopping, lambda held, stopped: model_zip_files(job, net, history, held, stopped, run.trained_by()))


def studio_history(history):
    """metrics.jsonl's lines as the studio's EpochMetrics (src/engine/types.ts), epoch 0 left out."""
    return [
        {
            "epoch": h["epoch"],
            "learningRate": h["learning_rate"],
            "trainableParams": h.get("trainable_params", 0),
            "loss": h["train_loss"],
            "accuracy": h["train_accuracy"],
            "valLoss": h["val_loss"],
            "valAccuracy": h["val_accuracy"],
            "ms": round(h["seconds"] * 1000),
            "numTensors": 0,
        }
        for h in history
        if h["epoch"] > 0
    ]


def model_zip_files(job, net, history, held_epoch, stopped_early, trained_by):
    """A studio export (model.json, weights.bin, metadata.json) of the weights the model holds."""
    model_json, weights = job.keras_files(net)
    config = job.config
    done = studio_history(history)
    held = next((h for h in done if h["epoch"] == held_epoch), None)
    initial = next((h["val_loss"] for h in history if h["epoch"] == 0), None)
    now = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
    metadata = {
        "task": "image-classification",
        "modelName": config.get("model", {}).get("name", "model"),
        "labels": job.labels,
        "imageSize": job.input["imageSize"],
        "inputRange": job.input["inputRange"],
        "resize": job.input["resize"],
        "settings": {**job.settings, "epochs": len(done) and done[-1]["epoch"]},
        "metrics": {
            "history": done,
            "initialValLoss": initial,
            "epochsCompleted": len(done),
            "bestEpoch": held_epoch or None,
            "stoppedEarly": stopped_early,
            "valAccuracy": held["valAccuracy"] if held else None,
            "valLoss": held["valLoss"] if held else None,
            "evalAccuracy": None,
        },
        "model": config.get("model"),
        "run": {
            "id": config.get("id"),
            "startedAt": config.get("startedAt"),
            "finishedAt": now,
            "seed": config.get("seed"),
            "trainable": config.get("trainable"),
            "data": config.get("data"),
        },
        "trainedBy": trained_by,
        "createdAt": now,
    }
    return {"model.json": model_json, "weights.bin": weights, "metadata.json": json.dumps(metadata, indent=2)}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Train a run handed over by the Fine-tuning Studio (see README.md).")
    parser.add_argument("--out", required=True, help="folder for metrics.jsonl, checkpoint.pt, log.txt and model.zip")
    parser.add_argument("--epochs", type=int, default=0, help="epochs to train (default: config.json's)")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument("--workers", type=int, default=0, help="data-loading processes per training process")
    parser.add_argument("--fresh", action="store_true", help="start again even when OUT holds a checkpoint")
    args = parser.parse_args(argv)
    try:
        task = read_json(os.path.join(HERE, "config.json")).get("task")
    except JobError:
        task = None  # Job() says what is wrong
    trainer = train
    if task == "text-generation":
        import train_lm  # beside this file: the studio's language model (its own data and epoch)

        trainer = train_lm.train
    try:
        trainer(args)
    except JobError as err:
        print(f"train.py: {err}", file=sys.stderr, flush=True)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
