#!/usr/bin/env python3
"""A text-generation run handed over by the Fine-tuning Studio, trained with PyTorch.

train.py runs this for a job whose config.json says "task": "text-generation" (the commands are
train.py's: `python train.py --out OUT`, or under torchrun). It does what the studio's text loop
(src/text/finetune.ts on src/engine/loop.ts) would have done with this run:

- the same model: weights/model.json and weights.bin, the studio's GPT-2-style decoder (src/text/model.ts)
  as the run starts it (its own `lm_head`, a copy of the token embedding, unless the model stays tied);
- the same data: data/train.ids and data/validation.ids, the studio's tokens of data/train.txt and
  data/validation.txt (little-endian int32), cut into windows of contextLength + 1 tokens as
  src/text/windows.ts cuts them, the cut points shifted by the studio's seeded offset every epoch and
  the windows in the studio's seeded order (mulberry32, src/lib/random.ts), the last batch padded;
- the same trainable groups (the head group at the learning rate, the others top first at
  learningRate × backboneLrMultiplier, opened one by one with gradual unfreezing), optimizer, weight
  decay (decoupled for AdamW, an L2 penalty otherwise, matrices only), schedule, dropout, early
  stopping with restore-best and maxValidationWindows.

With K processes each takes its share of every global batch; the loss of a batch is its summed
next-token cross-entropy over the batch's real targets, as in one process, so K processes take the
same steps as one (dropout's masks aside). Rank 0 writes OUT/metrics.jsonl, OUT/log.txt,
OUT/checkpoint.pt (every epoch; running again with the same OUT resumes from it) and OUT/model.zip: the
studio's text export (src/text/export.ts) with the trained weights, which the studio imports.
"""
from __future__ import annotations

import json
import math
import os
import re
import time
from datetime import datetime, timezone

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from train import EarlyStopping, JobError, Optimizers, Run, all_sum, check_data, learning_rate_at, open_parts, read_json, read_weights

HERE = os.path.dirname(os.path.abspath(__file__))
M32 = 0xFFFFFFFF


# ---------------------------------------------------------------------------------------------
# The studio's seeded randomness (src/lib/random.ts), bit for bit


def create_rng(seed: int):
    """mulberry32, as createRng: floats in [0, 1)."""
    state = [(int(seed) & M32) or 0x9E3779B9]

    def rng() -> float:
        state[0] = (state[0] + 0x6D2B79F5) & M32
        t = state[0]
        t = ((t ^ (t >> 15)) * (t | 1)) & M32
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & M32)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296

    return rng


def derive_seed(seed: int, purpose: str) -> int:
    """deriveSeed: an independent seed for a named purpose (FNV-1a over the purpose)."""
    h = (int(seed) & M32) ^ 0x811C9DC5
    for ch in purpose:
        h ^= ord(ch)
        h = (h * 0x01000193) & M32
    return h


def shuffled(items: list, rng) -> list:
    """Fisher–Yates of a copy, as shuffled."""
    out = list(items)
    for i in range(len(out) - 1, 0, -1):
        j = int(math.floor(rng() * (i + 1)))
        out[i], out[j] = out[j], out[i]
    return out


# ---------------------------------------------------------------------------------------------
# Windows (src/text/windows.ts)


def make_windows(ids: np.ndarray, T: int, offset: int, pad: int):
    """makeWindows: ids [count, T + 1] (pad past the end) and weights [count, T], every target counted once."""
    n = len(ids)
    spans = []
    if n >= 2:
        r = max(0, min(int(math.floor(offset)), T - 1, n - 2))
        if r > 0:
            spans.append((0, r + 1))
        spans.extend((s, n) for s in range(r, n - 1, T))
    out = np.full((len(spans), T + 1), pad, dtype=np.int64)
    weights = np.zeros((len(spans), T), dtype=np.float32)
    for k, (start, limit) in enumerate(spans):
        end = min(n, start + T + 1)
        out[k, : end - start] = ids[start:end]
        weights[k, : max(0, min(T, limit - start - 1))] = 1
    return out, weights


def sample_windows(windows, most):
    """sampleWindows: at most `most` windows, evenly spaced."""
    ids, weights = windows
    count = len(ids)
    if most is None or most >= count:
        return windows
    keep = max(1, int(math.floor(most)))
    pick = [int(math.floor(k * count / keep)) for k in range(keep)]
    return ids[pick], weights[pick]


# ---------------------------------------------------------------------------------------------
# The model (src/text/model.ts): GPT-2 blocks on explicitly named parameters


def key(name: str) -> str:
    return name.replace(".", "__")


class StudioLM(nn.Module):
    """The studio's decoder: token + position embeddings, pre-LayerNorm blocks, final LayerNorm, logits
    through `lm_head` (untied) or `tok_emb` (tied). Parameters keep the studio's names and layouts
    (kernels [in, out]), so weights.bin is written back as it was read."""

    def __init__(self, config: dict, specs: list, values: dict):
        super().__init__()
        if config.get("arch", "gpt2") != "gpt2":
            raise JobError(f"train_lm.py trains GPT-2-style decoders; this model is {config.get('arch')}.")
        self.config = config
        self.names = [s["name"] for s in specs]
        self.tied = config.get("tiedHead") is not False
        self.eps = float(config.get("layerNormEps") or 1e-5)
        self.params = nn.ParameterDict({key(n): nn.Parameter(torch.from_numpy(values[n].copy())) for n in self.names})

    def p(self, name: str) -> torch.Tensor:
        return self.params[key(name)]

    def forward(self, ids: torch.Tensor, dropout: float = 0.0) -> torch.Tensor:
        c = self.config
        B, T = ids.shape
        D, H = c["width"], c["heads"]
        hd = D // H
        if T > c["contextLength"]:
            raise JobError(f"sequence length {T} exceeds the context {c['contextLength']}")
        drop = (lambda t: F.dropout(t, dropout, True)) if dropout > 0 and self.training else (lambda t: t)  # noqa: E731
        x = drop(self.p("tok_emb")[ids] + self.p("pos_emb")[:T])
        mask = torch.triu(torch.full((T, T), -1e9, device=ids.device), 1)
        scale = 1 / math.sqrt(hd)
        heads = lambda t: t.view(B, T, H, hd).transpose(1, 2)  # noqa: E731
        for b in range(c["blocks"]):
            pre = f"block{b}."
            h = layer_norm(x, self.p(pre + "ln1.gamma"), self.p(pre + "ln1.beta"), self.eps)
            qkv = h @ self.p(pre + "attn.qkv.kernel") + self.p(pre + "attn.qkv.bias")
            q, k, v = qkv.split(D, dim=-1)
            scores = (heads(q) @ heads(k).transpose(-1, -2)) * scale + mask
            att = (torch.softmax(scores, dim=-1) @ heads(v)).transpose(1, 2).reshape(B, T, D)
            x = x + drop(att @ self.p(pre + "attn.proj.kernel") + self.p(pre + "attn.proj.bias"))
            h2 = layer_norm(x, self.p(pre + "ln2.gamma"), self.p(pre + "ln2.beta"), self.eps)
            fc = gelu_tanh(h2 @ self.p(pre + "mlp.fc.kernel") + self.p(pre + "mlp.fc.bias"))
            x = x + drop(fc @ self.p(pre + "mlp.proj.kernel") + self.p(pre + "mlp.proj.bias"))
        x = layer_norm(x, self.p("ln_f.gamma"), self.p("ln_f.beta"), 1e-5)  # lmFinalNorm: GPT-2's ε
        return x @ self.p("tok_emb" if self.tied else "lm_head").t()

    def weights_bin(self) -> bytes:
        """The parameters as weights.bin: float32, little-endian, in model.json's order."""
        return b"".join(np.ascontiguousarray(self.p(n).detach().cpu().numpy(), dtype="<f4").tobytes() for n in self.names)


def layer_norm(x, gamma, beta, eps):
    mean = x.mean(-1, keepdim=True)
    centred = x - mean
    var = (centred * centred).mean(-1, keepdim=True)
    return centred * torch.rsqrt(var + eps) * gamma + beta


def gelu_tanh(x):
    return x * 0.5 * (1 + torch.tanh((x + 0.044715 * x.pow(3)) * math.sqrt(2 / math.pi)))


def group_of(name: str) -> str:
    """src/text/groups.ts groupOf."""
    if name in ("tok_emb", "pos_emb", "type_emb") or name.startswith("emb_ln."):
        return "embeddings"
    m = re.match(r"^block(\d+)\.", name)
    if m:
        return f"block_{m.group(1)}"
    if name.startswith("ln_f."):
        return "final_norm"
    if name == "lm_head" or name.startswith("cls."):
        return "head"
    raise JobError(f"unknown text model parameter {name}")


def nll_sum(net, ids: torch.Tensor, weights: torch.Tensor, dropout: float = 0.0) -> torch.Tensor:
    """Summed next-token cross-entropy (nats) of windows ids [B, T + 1] over the targets weighted 1."""
    logits = net(ids[:, :-1], dropout)
    logp = F.log_softmax(logits, dim=-1)
    nll = -logp.gather(-1, ids[:, 1:].unsqueeze(-1)).squeeze(-1)
    return (nll * weights).sum()


# ---------------------------------------------------------------------------------------------
# The job


def read_ids(root: str, path: str) -> np.ndarray:
    data = open(os.path.join(root, path), "rb").read()
    if len(data) % 4:
        raise JobError(f"{path} is not a whole number of int32 tokens.")
    return np.frombuffer(data, dtype="<i4").astype(np.int64)


class TextJob:
    """A text-generation job as exported: config, tokens, the model built from the starting weights."""

    def __init__(self, root=HERE, verify=True):
        self.root = root
        self.config = read_json(os.path.join(root, "config.json"))
        self.job = self.config.get("job") or {}
        if self.job.get("format") != "finetune-studio-job":
            raise JobError("config.json is not a Fine-tuning Studio job.")
        if self.config.get("task") != "text-generation":
            raise JobError(f"train_lm.py trains text generation; this job is {self.config.get('task')}.")
        manifest = read_json(os.path.join(root, "data", "manifest.json"))
        files = check_data(root, manifest) if verify else manifest["files"]
        by_kind = {(f.get("split"), f.get("kind")): f["path"] for f in files}
        self.settings = self.config["settings"]
        if self.settings.get("lora"):
            raise JobError("This run trains LoRA adapters, which train_lm.py does not train yet.")
        self.T = int(self.job["contextLength"])
        self.pad = int(self.job["pad"])
        self.train_ids = read_ids(root, by_kind[("train", "ids")])
        self.val_ids = read_ids(root, by_kind[("val", "ids")])
        self.model_json = read_json(os.path.join(root, "weights", "model.json"))
        self.specs, values = read_weights(root, self.model_json)
        config = self.model_json["config"]
        vocab = config["vocabSize"]
        for name, ids in (("train", self.train_ids), ("validation", self.val_ids)):
            if len(ids) and (ids.min() < 0 or ids.max() >= vocab):
                raise JobError(f"data/{name}.ids holds a token outside the model's {vocab}.")
        self.model = StudioLM(config, self.specs, values)

    def logits(self, ids: np.ndarray) -> torch.Tensor:
        """Logits [B, T, vocab] of int ids [B, T] in inference mode."""
        self.model.eval()
        with torch.no_grad():
            return self.model(torch.as_tensor(ids, dtype=torch.long))


def train(args):
    job = TextJob(HERE)
    run = Run(args, job.config)
    world, rank, device = run.world, run.rank, run.device
    s = job.settings
    T, pad = job.T, job.pad
    epochs = args.epochs or s["epochs"]
    seed = int(s["seed"])
    torch.manual_seed(seed + rank)  # dropout's masks
    net = job.model.to(device)
    if len(job.train_ids) < 2:
        raise JobError("The training text is empty. Add more text and export the job again.")
    if len(job.val_ids) < 2:
        raise JobError("The validation text is empty. Hold out a larger share for validation and export the job again.")
    val_windows = sample_windows(make_windows(job.val_ids, T, 0, pad), s.get("maxValidationWindows"))
    base_count = len(make_windows(job.train_ids, T, 0, pad)[0])
    window_seed = derive_seed(seed, "windows")
    batch = max(1, min(int(s["batchSize"]), base_count))
    per = -(-batch // world)  # each process's rows; the global batch is padded to per × world rows of weight 0
    batches = max(1, -(-base_count // batch))  # the last partial batch is padded, as the studio does
    total_steps = epochs * batches
    dropout = float(s.get("dropout") or 0)
    sched = s.get("schedule") or {"kind": "constant"}
    schedule = {
        "kind": sched["kind"],
        "stepEpochs": 1,
        "stepFactor": 1,
        "warmupEpochs": sched["warmupEpochs"] if sched.get("warmupEpochs") is not None else 0.1,
        "minFactor": sched["minFactor"] if sched.get("minFactor") is not None else 0.1,
    }
    run.say(
        f"{len(job.train_ids)} training and {len(job.val_ids)} validation tokens: {base_count} windows of {T} tokens "
        f"({len(val_windows[0])} for validation); {world} process(es) on {device}, {per} windows each per step, {batches} steps an epoch."
    )

    # What trains: the head group from the first epoch, the other chosen groups top first (gradual unfreezing).
    chosen = list(s["trainableGroups"])
    groups = {}
    for name in net.names:
        groups.setdefault(group_of(name), []).append(name)
    unknown = [g for g in chosen if g not in groups and g != "head"]
    if unknown:
        raise JobError(f"unknown parameter group {unknown[0]}.")
    head_names = groups.get("head", []) if "head" in chosen else []
    order = ["embeddings"] + [f"block_{b}" for b in range(net.config["blocks"])] + ["final_norm"]
    parts = [g for g in reversed(order) if g in chosen and g in groups]
    if not head_names and not parts:
        raise JobError("Nothing would train: choose at least one part of the model to train.")

    def set_open(opened):
        training = set(head_names) | {n for g in opened for n in groups[g]}
        for n in net.names:
            net.p(n).requires_grad_(n in training)

    resumed = run.resumed(net)
    history = resumed["history"] if resumed else []
    start_epoch = resumed["epoch"] + 1 if resumed else 1
    optimizers = Optimizers(s, [net.p(n) for n in head_names], resumed)
    stopping = EarlyStopping(s.get("earlyStopping"), "validation loss", resumed)

    def evaluate():
        """Validation loss (nats per real target) over all validation windows; each process takes a share."""
        net.eval()
        ids, weights = val_windows
        mine = list(range(rank, len(ids), world))
        loss_sum = 0.0
        with torch.no_grad():
            for i in range(0, len(mine), batch):
                rows = mine[i : i + batch]
                loss_sum += float(nll_sum(net, torch.from_numpy(ids[rows]).to(device), torch.from_numpy(weights[rows]).to(device)))
        loss_sum, count = all_sum([loss_sum, float(weights[mine].sum())], device, world)
        return loss_sum / count if count else 0.0

    def record(epoch, train_loss, val_loss, lr, seconds, trainable):
        return {
            "epoch": epoch,
            "train_loss": train_loss,
            "val_loss": val_loss,
            "perplexity": math.exp(val_loss) if val_loss is not None and val_loss < 700 else None,
            "val_accuracy": None,
            "learning_rate": lr,
            "world_size": world,
            "seconds": seconds,
            "trainable_params": trainable,
        }

    if start_epoch == 1:
        vl = evaluate()
        history = [record(0, None, vl, learning_rate_at(s["learningRate"], schedule, 0, total_steps, batches), 0.0, 0)]
        run.write_metrics(history)
        run.say(f"Before training: validation loss {vl:.4f} (perplexity {math.exp(vl):.2f}).")

    def epoch_order(epoch):
        """The studio's epochOrder: windows cut at a seeded offset (none in epoch 1), in a seeded order, as many as epoch 1's."""
        rng = create_rng(window_seed + epoch)
        offset = 0 if epoch == 1 else int(math.floor(rng() * T))
        windows = make_windows(job.train_ids, T, offset, pad)
        return windows, shuffled(list(range(len(windows[0]))), rng)[:base_count]

    opened, wrapped = None, None
    lr = s["learningRate"]
    step = (start_epoch - 1) * batches
    for epoch in range(start_epoch, epochs + 1):
        wanted = open_parts(parts, s.get("gradualUnfreezing"), epoch)
        if wanted != opened:
            opened = wanted
            set_open(opened)
            optimizers.open([net.p(n) for g in opened for n in groups[g]])
            wrapped = run.ddp(net)
        started = time.time()
        (ids_all, w_all), order = epoch_order(epoch)
        loss_sum = weight_sum = 0.0
        net.train()
        for b in range(batches):
            lr = learning_rate_at(s["learningRate"], schedule, step, total_steps, batches)
            idx = order[b * batch : (b + 1) * batch]
            rows = np.full((per * world, T + 1), pad, dtype=np.int64)
            weights = np.zeros((per * world, T), dtype=np.float32)
            rows[: len(idx)], weights[: len(idx)] = ids_all[idx], w_all[idx]
            targets = float(weights.sum())
            mine = slice(rank * per, (rank + 1) * per)
            local = nll_sum(wrapped, torch.from_numpy(rows[mine]).to(device), torch.from_numpy(weights[mine]).to(device), dropout)
            # The batch's loss is its mean over every process's real targets; DDP averages, hence × world.
            optimizers.zero()
            optimizers.penalised(local * (world / max(targets, 1.0))).backward()
            optimizers.step(lr)
            loss_sum += float(local)
            weight_sum += targets / world  # all_sum adds every process's copy of the same count
            step += 1
        loss_sum, weight_sum = all_sum([loss_sum, weight_sum], device, world)
        train_loss = loss_sum / weight_sum if weight_sum else float("nan")
        if not math.isfinite(train_loss):
            raise JobError("The loss became NaN or infinite. Lower the learning rate and export the job again.")
        vl = evaluate()
        h = record(epoch, train_loss, vl, lr, round(time.time() - started, 3), sum(p.numel() for p in optimizers.params))
        history.append(h)
        said = f"Epoch {epoch}/{epochs}: loss {train_loss:.4f}; validation loss {vl:.4f}, perplexity {h['perplexity']:.2f} ({h['seconds']:.1f} s)"
        if run.end_epoch(epoch, history, said, stopping, vl, net, optimizers):
            break
    run.finish(net, history, stopping, lambda held, stopped: model_zip_files(job, net, history, held, stopped, run.trained_by()))


def text_metrics(h):
    """A metrics.jsonl line as the studio's TextEpochMetrics (src/text/types.ts)."""
    return {
        "epoch": h["epoch"],
        "trainLoss": h["train_loss"],
        "valLoss": h["val_loss"],
        "perplexity": h["perplexity"],
        "valAccuracy": None,
        "learningRate": h["learning_rate"],
        "sample": None,
        "seconds": h["seconds"],
    }


def model_zip_files(job, net, history, held_epoch, stopped_early, trained_by):
    """The studio's text export (src/text/export.ts): the starting model's files with the trained weights and the run's metadata."""
    folder = os.path.join(job.root, "weights")
    files = {name: open(os.path.join(folder, name), "rb").read() for name in sorted(os.listdir(folder))}
    files["weights.bin"] = net.weights_bin()
    done = [text_metrics(h) for h in history if h["epoch"] > 0]
    held = next((h for h in done if h["epoch"] == held_epoch), None)
    initial = next((h["val_loss"] for h in history if h["epoch"] == 0), None)
    config = job.config
    now = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
    metadata = json.loads(files["metadata.json"])
    metadata.update(
        {
            "settings": {**job.settings, "epochs": done[-1]["epoch"] if done else 0},
            "metrics": held,
            "run": {
                "id": config.get("id"),
                "startedAt": config.get("startedAt"),
                "finishedAt": now,
                "backend": config.get("backend"),
                "seed": config.get("seed"),
                "trainable": config.get("trainable"),
                "trainableParams": max([h.get("trainable_params", 0) for h in history] or [0]),
                "data": config.get("data"),
                "history": done,
                "initialValLoss": initial,
                "epochsCompleted": len(done),
                "bestEpoch": held_epoch or None,
                "stoppedEarly": stopped_early,
                "evaluation": None,
            },
            "trainedBy": trained_by,
            "createdAt": now,
        }
    )
    files["metadata.json"] = (json.dumps(metadata, indent=2) + "\n").encode()
    if held and "README.md" in files:
        line = f"- Final validation loss {held['valLoss']:.4f}, perplexity {held['perplexity']:.3f} (trained with PyTorch by train.py, {trained_by['worldSize']} process(es))."
        files["README.md"] = files["README.md"].decode().replace("- Metrics not recorded.", line).encode()
    return files
