#!/usr/bin/env python3
"""Pre-trains the studio's bundled text model, a small GPT-2 (byte-level BPE), with PyTorch on CPU.

Called by scripts/pretrain-text-lm.ts, which trains the tokenizer, encodes the corpora with it and
writes the folder's JSON files; this side only trains the network and writes model.safetensors in
transformers' GPT2LMHeadModel layout (Conv1D weights [in, out], the head tied to wte, so no
lm_head.weight). Needs Debian's python3-torch (and libopenblas0-pthread beside it, or torch falls
back to the reference BLAS, about 30x slower). Not part of npm install or npm test.

  python3 scripts/pretrain_text_lm.py --train T.bin --val V.bin --vocab N --out DIR
      [--width 128] [--blocks 4] [--heads 4] [--context 128] [--batch 32] [--steps 4000]
      [--lr 3e-3] [--warmup 100] [--weight-decay 0.1] [--seed 1234] [--probe]

T.bin and V.bin are little-endian int32 token ids. --probe times 10 steps and exits. Writes
DIR/model.safetensors and DIR/pretrain-log.json (settings, the held-out loss curve, seconds).
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_reference import write_safetensors  # noqa: E402


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--train", required=True)
    p.add_argument("--val", required=True)
    p.add_argument("--vocab", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--width", type=int, default=128)
    p.add_argument("--blocks", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--context", type=int, default=128)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--steps", type=int, default=4000)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--eval-every", type=int, default=250)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--probe", action="store_true")
    return p.parse_args()


def read_ids(path):
    with open(path, "rb") as f:
        raw = bytearray(f.read())
    return torch.frombuffer(raw, dtype=torch.int32).to(torch.long)


class Gpt2(torch.nn.Module):
    """GPT2LMHeadModel's computation: pre-LN blocks, causal attention, tanh GELU, tied head."""

    def __init__(self, vocab, context, width, blocks, heads):
        super().__init__()
        self.heads = heads
        D, I = width, 4 * width
        self.wte = torch.nn.Parameter(torch.empty(vocab, D))
        self.wpe = torch.nn.Parameter(torch.empty(context, D))
        self.h = torch.nn.ModuleList()
        for _ in range(blocks):
            b = torch.nn.Module()
            b.ln_1 = torch.nn.LayerNorm(D, eps=1e-5)
            b.c_attn_w = torch.nn.Parameter(torch.empty(D, 3 * D))
            b.c_attn_b = torch.nn.Parameter(torch.zeros(3 * D))
            b.c_proj_w = torch.nn.Parameter(torch.empty(D, D))
            b.c_proj_b = torch.nn.Parameter(torch.zeros(D))
            b.ln_2 = torch.nn.LayerNorm(D, eps=1e-5)
            b.fc_w = torch.nn.Parameter(torch.empty(D, I))
            b.fc_b = torch.nn.Parameter(torch.zeros(I))
            b.mlp_proj_w = torch.nn.Parameter(torch.empty(I, D))
            b.mlp_proj_b = torch.nn.Parameter(torch.zeros(D))
            self.h.append(b)
        self.ln_f = torch.nn.LayerNorm(D, eps=1e-5)
        # GPT-2's initialisation: N(0, 0.02), the residual projections scaled by 1/sqrt(2 * blocks).
        std, proj = 0.02, 0.02 / math.sqrt(2 * blocks)
        torch.nn.init.normal_(self.wte, std=std)
        torch.nn.init.normal_(self.wpe, std=0.01)
        for b in self.h:
            torch.nn.init.normal_(b.c_attn_w, std=std)
            torch.nn.init.normal_(b.fc_w, std=std)
            torch.nn.init.normal_(b.c_proj_w, std=proj)
            torch.nn.init.normal_(b.mlp_proj_w, std=proj)

    def future(self, T):
        """[T, T], true above the diagonal: the positions a token may not attend to."""
        if getattr(self, "_future", None) is None or self._future.shape[0] != T:
            self._future = torch.ones(T, T, dtype=torch.bool).triu(1)
        return self._future

    def forward(self, ids):
        B, T = ids.shape
        D = self.wte.shape[1]
        x = self.wte[ids] + self.wpe[:T]
        for b in self.h:
            a = b.ln_1(x)
            q, k, v = (a @ b.c_attn_w + b.c_attn_b).split(D, dim=-1)
            q, k, v = (t.view(B, T, self.heads, D // self.heads).transpose(1, 2) for t in (q, k, v))
            scores = (q @ k.transpose(-1, -2)) / math.sqrt(D // self.heads)
            y = torch.softmax(scores.masked_fill(self.future(T), float("-inf")), dim=-1) @ v
            y = y.transpose(1, 2).reshape(B, T, D)
            x = x + y @ b.c_proj_w + b.c_proj_b
            m = b.ln_2(x)
            x = x + F.gelu(m @ b.fc_w + b.fc_b, approximate="tanh") @ b.mlp_proj_w + b.mlp_proj_b
        return self.ln_f(x) @ self.wte.T

    def hf_tensors(self):
        """[(name, tensor)] as GPT2LMHeadModel saves them (the tied head is not stored)."""
        t = lambda x: x.detach().float().contiguous()  # noqa: E731
        out = [("transformer.wte.weight", t(self.wte)), ("transformer.wpe.weight", t(self.wpe))]
        for i, b in enumerate(self.h):
            p = f"transformer.h.{i}."
            out += [
                (p + "ln_1.weight", t(b.ln_1.weight)),
                (p + "ln_1.bias", t(b.ln_1.bias)),
                (p + "attn.c_attn.weight", t(b.c_attn_w)),
                (p + "attn.c_attn.bias", t(b.c_attn_b)),
                (p + "attn.c_proj.weight", t(b.c_proj_w)),
                (p + "attn.c_proj.bias", t(b.c_proj_b)),
                (p + "ln_2.weight", t(b.ln_2.weight)),
                (p + "ln_2.bias", t(b.ln_2.bias)),
                (p + "mlp.c_fc.weight", t(b.fc_w)),
                (p + "mlp.c_fc.bias", t(b.fc_b)),
                (p + "mlp.c_proj.weight", t(b.mlp_proj_w)),
                (p + "mlp.c_proj.bias", t(b.mlp_proj_b)),
            ]
        out += [("transformer.ln_f.weight", t(self.ln_f.weight)), ("transformer.ln_f.bias", t(self.ln_f.bias))]
        return out


def windows(ids, starts, T):
    return torch.stack([ids[s : s + T + 1] for s in starts.tolist()])


@torch.no_grad()
def held_out_loss(model, val, T, batch):
    """Mean next-token loss (nats/token) over consecutive non-overlapping windows of the held-out ids."""
    model.eval()
    starts = torch.arange(0, len(val) - T - 1, T)
    total, count = 0.0, 0
    for i in range(0, len(starts), batch):
        w = windows(val, starts[i : i + batch], T)
        logits = model(w[:, :-1])
        total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), w[:, 1:].reshape(-1), reduction="sum").item()
        count += w[:, 1:].numel()
    model.train()
    return total / count


def main():
    a = parse()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    train, val = read_ids(a.train), read_ids(a.val)
    T = a.context
    model = Gpt2(a.vocab, T, a.width, a.blocks, a.heads)
    params = sum(p.numel() for p in model.parameters())
    decay = [p for n, p in model.named_parameters() if p.dim() == 2]
    rest = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": a.weight_decay}, {"params": rest, "weight_decay": 0.0}],
        lr=a.lr,
        betas=(0.9, 0.95),
        eps=1e-8,
    )
    gen = torch.Generator().manual_seed(a.seed)
    steps = 10 if a.probe else a.steps
    print(f"{params} parameters; {len(train)} train / {len(val)} held-out tokens; {steps} steps of {a.batch}x{T}", flush=True)
    curve = []
    initial = None if a.probe else held_out_loss(model, val, T, 64)
    if initial is not None:
        print(f"initial held-out loss {initial:.4f}", flush=True)
        curve.append({"step": 0, "heldOutLoss": initial})
    started = time.time()
    ema = None
    for step in range(steps):
        warm = min(1.0, (step + 1) / a.warmup)
        cosine = 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / steps))
        for g in opt.param_groups:
            g["lr"] = a.lr * warm * cosine
        starts = torch.randint(0, len(train) - T - 1, (a.batch,), generator=gen)
        w = windows(train, starts, T)
        logits = model(w[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), w[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        done = step + 1
        if done % 50 == 0 or a.probe:
            el = time.time() - started
            print(f"step {done} {el:.0f}s ({el / done:.3f} s/step) lr {a.lr * warm * cosine:.2e} loss {loss.item():.4f} ema {ema:.4f}", flush=True)
        if not a.probe and (done % a.eval_every == 0 or done == steps):
            h = held_out_loss(model, val, T, 64)
            curve.append({"step": done, "heldOutLoss": h, "seconds": round(time.time() - started)})
            print(f"  held-out loss {h:.4f} nats/token at step {done}", flush=True)
    seconds = time.time() - started
    if a.probe:
        print(f"probe: {seconds / steps:.3f} s/step", flush=True)
        return
    os.makedirs(a.out, exist_ok=True)
    write_safetensors(os.path.join(a.out, "model.safetensors"), model.hf_tensors())
    log = {
        "parameters": params,
        "settings": {k: v for k, v in vars(a).items() if k not in ("train", "val", "out", "probe", "threads")},
        "optimizer": "AdamW(betas 0.9/0.95, eps 1e-8; weight decay on matrices only), linear warm-up then cosine to 0.1x, grad-norm clip 1.0",
        "trainTokens": len(train),
        "heldOutTokens": len(val),
        "curve": curve,
        "trainSeconds": round(seconds),
        "torch": torch.__version__,
        "threads": a.threads,
    }
    with open(os.path.join(a.out, "pretrain-log.json"), "w") as f:
        json.dump(log, f, indent=2)
        f.write("\n")
    print(f"done in {seconds:.0f}s; held-out loss {curve[-1]['heldOutLoss']:.4f} nats/token", flush=True)


if __name__ == "__main__":
    main()
