#!/usr/bin/env python3
"""An independent reference for the studio's Hugging Face checkpoints (issue 13).

GPT-2, BERT and DistilBERT forward passes written here from the architectures' definitions (Radford
et al. 2019 and transformers' GPT2LMHeadModel; Devlin et al. 2019 and BertForSequenceClassification;
Sanh et al. 2019 and DistilBertForSequenceClassification), not from the studio's TypeScript, in
float64 with PyTorch alone (Debian's python3-torch; no transformers, no safetensors module: the
safetensors format is read and written by hand here).
The make modes also rebuild each model from torch.nn.TransformerEncoderLayer and refuse to write
a reference the two disagree on (beyond 1e-9).

    make gpt2 DIR --seed S [--greedy N]   seeded random GPT-2 weights for DIR/config.json, written
                                          as DIR/model.safetensors (F32) and DIR/model.f16.safetensors
                                          (every tensor F16), and DIR/reference.json: for each id list
                                          of DIR/inputs.json, the logits [T, V], the greedy
                                          continuation of N tokens and the mean next-token loss
    make bert DIR --seed S                seeded random BertForSequenceClassification weights for
                                          DIR/config.json, DIR/model.safetensors and DIR/reference.json:
                                          last hidden states, pooled output, logits, probabilities
    make distilbert DIR --seed S          seeded random DistilBertForSequenceClassification weights
                                          for DIR/config.json, DIR/model.safetensors and
                                          DIR/reference.json: last hidden states, the [CLS] state
                                          through pre_classifier and ReLU, logits, probabilities
    run gpt2 DIR --ids JSON [--greedy N]  any GPT-2 folder (one file or sharded, with or without the
                                          transformer. prefix, F32/F16/BF16): prints JSON
                                          {logits_last, greedy, loss}
    run bert DIR --ids JSON               any BERT folder: prints JSON {pooled_output, logits, probabilities}
    run distilbert DIR --ids JSON         any DistilBERT folder (with or without the distilbert. prefix):
                                          prints JSON {pre_classifier_output, logits, probabilities}

Run with /usr/bin/python3 (Debian's, which has torch). Not part of npm install or npm test:
scripts/make-hf-fixtures.ts calls the make modes once and the fixtures are committed.
"""

import argparse
import json
import math
import os
import struct
import sys

import torch

DTYPES = {
    "F64": torch.float64,
    "F32": torch.float32,
    "F16": torch.float16,
    "BF16": torch.bfloat16,
    "I64": torch.int64,
    "I32": torch.int32,
    "I16": torch.int16,
    "I8": torch.int8,
    "U8": torch.uint8,
    "BOOL": torch.bool,
}
DTYPE_NAMES = {v: k for k, v in DTYPES.items()}

# The greedy continuation is only a fair test when float32 rounding cannot flip an argmax.
MIN_GREEDY_MARGIN = 1e-3


# ---------------------------------------------------------------------------------------------
# safetensors, by hand


def read_safetensors(path):
    """{name: tensor} of a .safetensors file (8-byte LE header length, JSON header, LE data)."""
    if sys.byteorder != "little":
        raise SystemExit("this script reads safetensors on little-endian machines only")
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        dtype = DTYPES[entry["dtype"]]
        raw = bytearray(data[base + begin : base + end])
        flat = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        out[name] = flat.reshape(entry["shape"]).clone()
    return out


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write_safetensors(path, tensors):
    """Writes [(name, tensor)] in the given order, the header padded with spaces to 8 bytes."""
    header = {}
    chunks = []
    offset = 0
    for name, t in tensors:
        b = tensor_bytes(t)
        header[name] = {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in chunks:
            f.write(b)


def load_folder(folder):
    """All tensors of a checkpoint folder: model.safetensors, or the shards of model.safetensors.index.json."""
    single = os.path.join(folder, "model.safetensors")
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(single):
        return read_safetensors(single)
    if os.path.exists(index):
        with open(index) as f:
            weight_map = json.load(f)["weight_map"]
        out = {}
        for shard in sorted(set(weight_map.values())):
            out.update(read_safetensors(os.path.join(folder, shard)))
        missing = [n for n in weight_map if n not in out]
        if missing:
            raise SystemExit(f"the index names tensors no shard holds: {missing[:5]}")
        return out
    raise SystemExit(f"{folder} has neither model.safetensors nor model.safetensors.index.json")


def strip_prefix(weights, prefix):
    return {(n[len(prefix) :] if n.startswith(prefix) else n): t for n, t in weights.items()}


def as_float64(weights):
    return {n: t.to(torch.float64) for n, t in weights.items() if t.is_floating_point()}


# ---------------------------------------------------------------------------------------------
# shared pieces, from their definitions


def layer_norm(x, gain, bias, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)  # biased variance, as LayerNorm defines it
    return (x - mean) / torch.sqrt(var + eps) * gain + bias


def gelu_tanh(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))


def gelu_erf(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


ACTIVATIONS = {"gelu_new": gelu_tanh, "gelu_pytorch_tanh": gelu_tanh, "gelu": gelu_erf, "relu": torch.relu}


def softmax(x):
    z = x - x.max(-1, keepdim=True).values
    e = torch.exp(z)
    return e / e.sum(-1, keepdim=True)


def attention(q, k, v, heads, allowed):
    """Scaled dot-product attention of [T, D] projections split into heads; allowed[t, s] is a bool."""
    T, D = q.shape
    hd = D // heads
    qh, kh, vh = (x.reshape(T, heads, hd).transpose(0, 1) for x in (q, k, v))  # [heads, T, hd]
    scores = qh @ kh.transpose(1, 2) / math.sqrt(hd)
    scores = scores.masked_fill(~allowed, float("-inf"))
    return (softmax(scores) @ vh).transpose(0, 1).reshape(T, D)


def sig(x, digits=7):
    return float(f"{x:.{digits}g}")


def fixed(x):
    """Rounded to 1e-5: the tests compare to 1e-4, and the fixtures stay small."""
    return round(float(x), 5) + 0.0  # + 0.0 turns -0.0 into 0.0


def rows(t):
    return [[fixed(v) for v in row] for row in t.tolist()]


# ---------------------------------------------------------------------------------------------
# GPT-2


def gpt2_dims(cfg):
    D = cfg["n_embd"]
    return {
        "V": cfg["vocab_size"],
        "P": cfg.get("n_positions", cfg.get("n_ctx")),
        "D": D,
        "L": cfg["n_layer"],
        "H": cfg["n_head"],
        "I": cfg.get("n_inner") or 4 * D,
        "eps": cfg.get("layer_norm_epsilon", 1e-5),
        "act": ACTIVATIONS[cfg.get("activation_function", "gelu_new")],
    }


def gpt2_logits(w, cfg, ids):
    """GPT2LMHeadModel's logits [T, V] for one sequence: pre-LN blocks, causal attention, tied head."""
    d = gpt2_dims(cfg)
    T = len(ids)
    if T > d["P"]:
        raise SystemExit(f"{T} tokens exceed n_positions {d['P']}")
    ids_t = torch.tensor(ids, dtype=torch.long)
    x = w["wte.weight"][ids_t] + w["wpe.weight"][:T]
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    for i in range(d["L"]):
        p = f"h.{i}."
        a = layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"], d["eps"])
        qkv = a @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]  # Conv1D: weight [in, out]
        q, k, v = qkv.split(d["D"], dim=-1)
        y = attention(q, k, v, d["H"], causal)
        x = x + y @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        m = layer_norm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"], d["eps"])
        h = d["act"](m @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"])
        x = x + h @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    x = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"], d["eps"])
    head = w["lm_head.weight"] if cfg.get("tie_word_embeddings") is False else w["wte.weight"]
    return x @ head.T


def gpt2_greedy(w, cfg, ids, n):
    """n argmax tokens, the context cropped to its last n_positions ids; and the smallest top-1 − top-2 gap."""
    P = gpt2_dims(cfg)["P"]
    ids = list(ids)
    out = []
    margin = float("inf")
    for _ in range(n):
        last = gpt2_logits(w, cfg, ids[-P:])[-1]
        top = torch.topk(last, 2)
        margin = min(margin, float(top.values[0] - top.values[1]))
        nxt = int(top.indices[0])
        ids.append(nxt)
        out.append(nxt)
    return out, margin


def next_token_loss(logits, ids):
    """Mean next-token cross-entropy (nats) of ids under logits [T, V]; None for one token."""
    if len(ids) < 2:
        return None
    logp = logits[:-1] - torch.logsumexp(logits[:-1], -1, keepdim=True)
    target = torch.tensor(ids[1:], dtype=torch.long)
    return float(-logp[torch.arange(len(ids) - 1), target].mean())


def gpt2_case(w, cfg, ids, greedy, all_rows):
    """The reference for one id list: the logits of every position (or the last only), greedy ids, loss."""
    logits = gpt2_logits(w, cfg, ids)
    cont, margin = gpt2_greedy(w, cfg, ids, greedy)
    if margin < MIN_GREEDY_MARGIN:
        raise SystemExit(f"greedy margin {margin:.2e} for {ids} is below {MIN_GREEDY_MARGIN}: choose another seed")
    loss = next_token_loss(logits, ids)
    return {
        "ids": ids,
        **({"logits": rows(logits)} if all_rows else {"logits_last": rows(logits[-1:])[0]}),
        "greedy": cont,
        "greedy_min_margin": sig(margin, 4),
        "loss": None if loss is None else sig(loss),
    }


def gpt2_logits_nn(w, cfg, ids):
    """The same logits from torch.nn's own pre-LN TransformerEncoderLayer (a second, library-built
    GPT-2: norm_first, causal mask, tanh GELU), to catch a slip in gpt2_logits above."""
    d = gpt2_dims(cfg)
    T = len(ids)
    layer_act = d["act"]
    x = (w["wte.weight"][torch.tensor(ids)] + w["wpe.weight"][:T])[None]
    causal = torch.full((T, T), float("-inf")).triu(1)
    for i in range(d["L"]):
        p = f"h.{i}."
        layer = torch.nn.TransformerEncoderLayer(
            d["D"], d["H"], d["I"], dropout=0.0, activation=layer_act, layer_norm_eps=d["eps"], batch_first=True, norm_first=True
        ).double()
        layer.eval()
        with torch.no_grad():
            layer.self_attn.in_proj_weight.copy_(w[p + "attn.c_attn.weight"].T)  # Conv1D [in, out] is Linear's transpose
            layer.self_attn.in_proj_bias.copy_(w[p + "attn.c_attn.bias"])
            layer.self_attn.out_proj.weight.copy_(w[p + "attn.c_proj.weight"].T)
            layer.self_attn.out_proj.bias.copy_(w[p + "attn.c_proj.bias"])
            layer.norm1.weight.copy_(w[p + "ln_1.weight"])
            layer.norm1.bias.copy_(w[p + "ln_1.bias"])
            layer.norm2.weight.copy_(w[p + "ln_2.weight"])
            layer.norm2.bias.copy_(w[p + "ln_2.bias"])
            layer.linear1.weight.copy_(w[p + "mlp.c_fc.weight"].T)
            layer.linear1.bias.copy_(w[p + "mlp.c_fc.bias"])
            layer.linear2.weight.copy_(w[p + "mlp.c_proj.weight"].T)
            layer.linear2.bias.copy_(w[p + "mlp.c_proj.bias"])
        x = layer(x, src_mask=causal)
    x = torch.nn.functional.layer_norm(x[0], (d["D"],), w["ln_f.weight"], w["ln_f.bias"], d["eps"])
    head = w["lm_head.weight"] if cfg.get("tie_word_embeddings") is False else w["wte.weight"]
    return (x @ head.T).detach()


def random_gpt2(cfg, gen):
    d = gpt2_dims(cfg)
    D, I = d["D"], d["I"]

    def normal(shape, std=0.2):
        return torch.randn(shape, generator=gen, dtype=torch.float32) * std

    def gain(n):
        return 1.0 + normal([n], 0.1)

    w = [("wte.weight", normal([d["V"], D])), ("wpe.weight", normal([d["P"], D]))]
    for i in range(d["L"]):
        p = f"h.{i}."
        w += [
            (p + "ln_1.weight", gain(D)),
            (p + "ln_1.bias", normal([D], 0.1)),
            (p + "attn.c_attn.weight", normal([D, 3 * D])),
            (p + "attn.c_attn.bias", normal([3 * D], 0.1)),
            (p + "attn.c_proj.weight", normal([D, D])),
            (p + "attn.c_proj.bias", normal([D], 0.1)),
            (p + "ln_2.weight", gain(D)),
            (p + "ln_2.bias", normal([D], 0.1)),
            (p + "mlp.c_fc.weight", normal([D, I])),
            (p + "mlp.c_fc.bias", normal([I], 0.1)),
            (p + "mlp.c_proj.weight", normal([I, D])),
            (p + "mlp.c_proj.bias", normal([D], 0.1)),
        ]
    w += [("ln_f.weight", gain(D)), ("ln_f.bias", normal([D], 0.1))]
    return w


def make_gpt2(folder, seed, greedy, command):
    cfg = read_json(os.path.join(folder, "config.json"))
    inputs = read_json(os.path.join(folder, "inputs.json"))
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    weights = random_gpt2(cfg, gen)
    variants = {}
    # The F16 copy keeps the last position's logits only (its loss and greedy ids depend on the rest).
    for file, dtype, all_rows in (("model.safetensors", torch.float32, True), ("model.f16.safetensors", torch.float16, False)):
        stored = [("transformer." + n, t.to(dtype)) for n, t in weights]
        write_safetensors(os.path.join(folder, file), stored)
        # The reference runs on exactly the stored values (F16-rounded for the variant), in float64.
        w = as_float64(strip_prefix(read_safetensors(os.path.join(folder, file)), "transformer."))
        w32 = {n: t.to(torch.float32) for n, t in w.items()}
        cases = [gpt2_case(w, cfg, p["ids"], greedy, all_rows) for p in inputs["prompts"]]
        # How far the same pass in float32 lands from float64: the floor any float32 implementation can reach.
        f32_gap = max(
            float((gpt2_logits(w32, cfg, p["ids"]).double() - gpt2_logits(w, cfg, p["ids"])).abs().max()) for p in inputs["prompts"]
        )
        nn_gap = max(float((gpt2_logits_nn(w, cfg, p["ids"]) - gpt2_logits(w, cfg, p["ids"])).abs().max()) for p in inputs["prompts"])
        if nn_gap > 1e-9:
            raise SystemExit(f"gpt2_logits and torch.nn's TransformerEncoderLayer differ by {nn_gap:.2e}")
        variants[file] = {
            "dtype": DTYPE_NAMES[dtype],
            "float32_vs_float64_max_abs": sig(f32_gap, 3),
            "torch_nn_cross_check_max_abs": sig(nn_gap, 3),
            "cases": cases,
        }
    write_json(
        os.path.join(folder, "reference.json"),
        {
            "generator": command,
            "torch": torch.__version__,
            "seed": seed,
            "greedy_tokens": greedy,
            "note": "float64 forward pass of scripts/hf_reference.py on the stored weights; values rounded to 1e-5",
            "models": variants,
        },
    )


def run_gpt2(folder, ids, greedy):
    cfg = read_json(os.path.join(folder, "config.json"))
    w = as_float64(strip_prefix(load_folder(folder), "transformer."))
    P = gpt2_dims(cfg)["P"]
    logits = gpt2_logits(w, cfg, ids[-P:])
    cont, margin = gpt2_greedy(w, cfg, ids, greedy)
    print(
        json.dumps(
            {
                "logits_last": [fixed(v) for v in logits[-1].tolist()],
                "greedy": cont,
                "greedy_min_margin": sig(margin, 4) if greedy else None,
                "loss": next_token_loss(logits, ids[-P:]),
            }
        )
    )


# ---------------------------------------------------------------------------------------------
# BERT


def bert_dims(cfg):
    return {
        "V": cfg["vocab_size"],
        "P": cfg["max_position_embeddings"],
        "D": cfg["hidden_size"],
        "L": cfg["num_hidden_layers"],
        "H": cfg["num_attention_heads"],
        "I": cfg["intermediate_size"],
        "types": cfg.get("type_vocab_size", 2),
        "eps": cfg.get("layer_norm_eps", 1e-12),
        "act": ACTIVATIONS[cfg.get("hidden_act", "gelu")],
        "labels": len(cfg.get("id2label", {})) or cfg.get("num_labels", 2),
    }


def linear(x, w, name):
    """nn.Linear: weight [out, in]."""
    return x @ w[name + ".weight"].T + w[name + ".bias"]


def bert_forward(w, cfg, ids, token_types=None, mask=None):
    """BertModel's last hidden states [T, H] and pooled output [H]; mask 1 = attend, 0 = padding."""
    d = bert_dims(cfg)
    T = len(ids)
    token_types = token_types or [0] * T
    mask = mask or [1] * T
    e = "embeddings."
    x = w[e + "word_embeddings.weight"][torch.tensor(ids)] + w[e + "position_embeddings.weight"][:T]
    x = x + w[e + "token_type_embeddings.weight"][torch.tensor(token_types)]
    x = layer_norm(x, w[e + "LayerNorm.weight"], w[e + "LayerNorm.bias"], d["eps"])
    allowed = torch.tensor(mask, dtype=torch.bool)[None, :].expand(T, T)
    for i in range(d["L"]):
        p = f"encoder.layer.{i}."
        q, k, v = (linear(x, w, p + "attention.self." + n) for n in ("query", "key", "value"))
        ctx = attention(q, k, v, d["H"], allowed)
        ln1, ln2 = p + "attention.output.LayerNorm.", p + "output.LayerNorm."
        # Post-LN: add the residual, then normalise.
        a = layer_norm(linear(ctx, w, p + "attention.output.dense") + x, w[ln1 + "weight"], w[ln1 + "bias"], d["eps"])
        h = d["act"](linear(a, w, p + "intermediate.dense"))
        x = layer_norm(linear(h, w, p + "output.dense") + a, w[ln2 + "weight"], w[ln2 + "bias"], d["eps"])
    pooled = torch.tanh(linear(x[0], w, "pooler.dense")) if "pooler.dense.weight" in w else None
    return x, pooled


def bert_weights(raw):
    """BERT names without the bert. prefix; TF-era LayerNorm.gamma/beta read as weight/bias."""
    w = strip_prefix(as_float64(raw), "bert.")
    return {n.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias"): t for n, t in w.items()}


def bert_outputs(w, cfg, ids):
    hidden, pooled = bert_forward(w, cfg, ids)
    out = {"last_hidden_state": hidden, "pooled_output": pooled}
    if pooled is not None and "classifier.weight" in w:
        logits = linear(pooled, w, "classifier")
        out["logits"] = logits
        out["probabilities"] = softmax(logits)
    return out


def bert_forward_nn(w, cfg, ids):
    """The same last hidden states from torch.nn's post-LN TransformerEncoderLayer (BERT's block:
    attention, add, LayerNorm, GELU MLP, add, LayerNorm), to catch a slip in bert_forward above."""
    d = bert_dims(cfg)
    T = len(ids)
    e = "embeddings."
    x = w[e + "word_embeddings.weight"][torch.tensor(ids)] + w[e + "position_embeddings.weight"][:T]
    x = x + w[e + "token_type_embeddings.weight"][0]
    x = torch.nn.functional.layer_norm(x, (d["D"],), w[e + "LayerNorm.weight"], w[e + "LayerNorm.bias"], d["eps"])[None]
    for i in range(d["L"]):
        p = f"encoder.layer.{i}."
        layer = torch.nn.TransformerEncoderLayer(
            d["D"], d["H"], d["I"], dropout=0.0, activation=d["act"], layer_norm_eps=d["eps"], batch_first=True, norm_first=False
        ).double()
        layer.eval()
        a = p + "attention."
        with torch.no_grad():
            layer.self_attn.in_proj_weight.copy_(torch.cat([w[a + f"self.{n}.weight"] for n in ("query", "key", "value")]))
            layer.self_attn.in_proj_bias.copy_(torch.cat([w[a + f"self.{n}.bias"] for n in ("query", "key", "value")]))
            layer.self_attn.out_proj.weight.copy_(w[a + "output.dense.weight"])
            layer.self_attn.out_proj.bias.copy_(w[a + "output.dense.bias"])
            layer.norm1.weight.copy_(w[a + "output.LayerNorm.weight"])
            layer.norm1.bias.copy_(w[a + "output.LayerNorm.bias"])
            layer.linear1.weight.copy_(w[p + "intermediate.dense.weight"])
            layer.linear1.bias.copy_(w[p + "intermediate.dense.bias"])
            layer.linear2.weight.copy_(w[p + "output.dense.weight"])
            layer.linear2.bias.copy_(w[p + "output.dense.bias"])
            layer.norm2.weight.copy_(w[p + "output.LayerNorm.weight"])
            layer.norm2.bias.copy_(w[p + "output.LayerNorm.bias"])
        x = layer(x)
    return x[0].detach()


def random_bert(cfg, gen):
    d = bert_dims(cfg)
    D, I = d["D"], d["I"]

    def normal(shape, std=0.2):
        return torch.randn(shape, generator=gen, dtype=torch.float32) * std

    def norm(prefix):
        return [(prefix + ".weight", 1.0 + normal([D], 0.1)), (prefix + ".bias", normal([D], 0.1))]

    def dense(prefix, out, inp):
        return [(prefix + ".weight", normal([out, inp])), (prefix + ".bias", normal([out], 0.1))]

    e = "bert.embeddings."
    w = [
        (e + "word_embeddings.weight", normal([d["V"], D])),
        (e + "position_embeddings.weight", normal([d["P"], D])),
        (e + "token_type_embeddings.weight", normal([d["types"], D])),
    ]
    w += norm(e + "LayerNorm")
    for i in range(d["L"]):
        p = f"bert.encoder.layer.{i}."
        for n in ("query", "key", "value"):
            w += dense(p + "attention.self." + n, D, D)
        w += dense(p + "attention.output.dense", D, D)
        w += norm(p + "attention.output.LayerNorm")
        w += dense(p + "intermediate.dense", I, D)
        w += dense(p + "output.dense", D, I)
        w += norm(p + "output.LayerNorm")
    w += dense("bert.pooler.dense", D, D)
    # A larger classifier scale so the three probabilities differ visibly.
    w += [("classifier.weight", normal([d["labels"], D], 1.0)), ("classifier.bias", normal([d["labels"]], 0.1))]
    return w


def make_bert(folder, seed, command):
    cfg = read_json(os.path.join(folder, "config.json"))
    inputs = read_json(os.path.join(folder, "inputs.json"))
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    write_safetensors(os.path.join(folder, "model.safetensors"), random_bert(cfg, gen))
    w = bert_weights(read_safetensors(os.path.join(folder, "model.safetensors")))
    cases = []
    nn_gap = 0.0
    for item in inputs["inputs"]:
        ids = item["ids"]
        out = bert_outputs(w, cfg, ids)
        nn_gap = max(nn_gap, float((bert_forward_nn(w, cfg, ids) - out["last_hidden_state"]).abs().max()))
        cases.append(
            {
                "ids": ids,
                "token_type_ids": [0] * len(ids),
                "attention_mask": [1] * len(ids),
                "last_hidden_state": rows(out["last_hidden_state"]),
                "pooled_output": [fixed(v) for v in out["pooled_output"].tolist()],
                "logits": [fixed(v) for v in out["logits"].tolist()],
                "probabilities": [fixed(v) for v in out["probabilities"].tolist()],
            }
        )
    if nn_gap > 1e-9:
        raise SystemExit(f"bert_forward and torch.nn's TransformerEncoderLayer differ by {nn_gap:.2e}")
    write_json(
        os.path.join(folder, "reference.json"),
        {
            "generator": command,
            "torch": torch.__version__,
            "seed": seed,
            "labels": [cfg["id2label"][str(i)] for i in range(len(cfg["id2label"]))],
            "torch_nn_cross_check_max_abs": sig(nn_gap, 3),
            "note": "float64 forward pass of scripts/hf_reference.py; attention mask all ones, token types 0",
            "cases": cases,
        },
    )


def run_bert(folder, ids):
    cfg = read_json(os.path.join(folder, "config.json"))
    out = bert_outputs(bert_weights(load_folder(folder)), cfg, ids)
    result = {k: [sig(v) for v in out[k].tolist()] for k in ("pooled_output", "logits", "probabilities") if out.get(k) is not None}
    print(json.dumps(result))


# ---------------------------------------------------------------------------------------------
# DistilBERT


def distilbert_dims(cfg):
    if cfg.get("sinusoidal_pos_embds"):
        raise SystemExit("sinusoidal_pos_embds is true: this reference reads learned position embeddings only")
    return {
        "V": cfg["vocab_size"],
        "P": cfg["max_position_embeddings"],
        "D": cfg["dim"],
        "L": cfg["n_layers"],
        "H": cfg["n_heads"],
        "I": cfg["hidden_dim"],
        # transformers' DistilBERT fixes every LayerNorm's epsilon at 1e-12 (no config key).
        "eps": 1e-12,
        "act": ACTIVATIONS[cfg.get("activation", "gelu")],
        "labels": len(cfg.get("id2label", {})) or cfg.get("num_labels", 2),
    }


def distilbert_forward(w, cfg, ids, mask=None):
    """DistilBertModel's last hidden states [T, D] (Sanh et al. 2019; transformers' DistilBertModel):
    word + learned position embeddings (no token types), LayerNorm, then post-LN blocks of
    attention (q_lin, k_lin, v_lin, out_lin), add, sa_layer_norm, lin1 → GELU → lin2, add,
    output_layer_norm. mask 1 = attend, 0 = padding."""
    d = distilbert_dims(cfg)
    T = len(ids)
    if T > d["P"]:
        raise SystemExit(f"{T} tokens exceed max_position_embeddings {d['P']}")
    mask = mask or [1] * T
    e = "embeddings."
    x = w[e + "word_embeddings.weight"][torch.tensor(ids)] + w[e + "position_embeddings.weight"][:T]
    x = layer_norm(x, w[e + "LayerNorm.weight"], w[e + "LayerNorm.bias"], d["eps"])
    allowed = torch.tensor(mask, dtype=torch.bool)[None, :].expand(T, T)
    for i in range(d["L"]):
        p = f"transformer.layer.{i}."
        q, k, v = (linear(x, w, p + "attention." + n) for n in ("q_lin", "k_lin", "v_lin"))
        ctx = attention(q, k, v, d["H"], allowed)
        sa = layer_norm(linear(ctx, w, p + "attention.out_lin") + x, w[p + "sa_layer_norm.weight"], w[p + "sa_layer_norm.bias"], d["eps"])
        h = d["act"](linear(sa, w, p + "ffn.lin1"))
        ln = p + "output_layer_norm."
        x = layer_norm(linear(h, w, p + "ffn.lin2") + sa, w[ln + "weight"], w[ln + "bias"], d["eps"])
    return x


def distilbert_weights(raw):
    """DistilBERT names without the distilbert. prefix (pre_classifier and classifier are top-level)."""
    return strip_prefix(as_float64(raw), "distilbert.")


def distilbert_outputs(w, cfg, ids):
    """DistilBertForSequenceClassification: [CLS]'s hidden state → pre_classifier → ReLU → classifier."""
    hidden = distilbert_forward(w, cfg, ids)
    out = {"last_hidden_state": hidden}
    if "pre_classifier.weight" in w:
        pre = torch.relu(linear(hidden[0], w, "pre_classifier"))
        out["pre_classifier_output"] = pre
        if "classifier.weight" in w:
            logits = linear(pre, w, "classifier")
            out["logits"] = logits
            out["probabilities"] = softmax(logits)
    return out


def distilbert_forward_nn(w, cfg, ids):
    """The same last hidden states and logits from torch.nn modules: a post-LN
    TransformerEncoderLayer per block, and nn.Linear → nn.ReLU → nn.Linear for the head, to catch a
    slip in distilbert_forward / distilbert_outputs above."""
    d = distilbert_dims(cfg)
    T = len(ids)
    e = "embeddings."
    x = w[e + "word_embeddings.weight"][torch.tensor(ids)] + w[e + "position_embeddings.weight"][:T]
    x = torch.nn.functional.layer_norm(x, (d["D"],), w[e + "LayerNorm.weight"], w[e + "LayerNorm.bias"], d["eps"])[None]
    for i in range(d["L"]):
        p = f"transformer.layer.{i}."
        layer = torch.nn.TransformerEncoderLayer(
            d["D"], d["H"], d["I"], dropout=0.0, activation=d["act"], layer_norm_eps=d["eps"], batch_first=True, norm_first=False
        ).double()
        layer.eval()
        a = p + "attention."
        with torch.no_grad():
            layer.self_attn.in_proj_weight.copy_(torch.cat([w[a + f"{n}.weight"] for n in ("q_lin", "k_lin", "v_lin")]))
            layer.self_attn.in_proj_bias.copy_(torch.cat([w[a + f"{n}.bias"] for n in ("q_lin", "k_lin", "v_lin")]))
            layer.self_attn.out_proj.weight.copy_(w[a + "out_lin.weight"])
            layer.self_attn.out_proj.bias.copy_(w[a + "out_lin.bias"])
            layer.norm1.weight.copy_(w[p + "sa_layer_norm.weight"])
            layer.norm1.bias.copy_(w[p + "sa_layer_norm.bias"])
            layer.linear1.weight.copy_(w[p + "ffn.lin1.weight"])
            layer.linear1.bias.copy_(w[p + "ffn.lin1.bias"])
            layer.linear2.weight.copy_(w[p + "ffn.lin2.weight"])
            layer.linear2.bias.copy_(w[p + "ffn.lin2.bias"])
            layer.norm2.weight.copy_(w[p + "output_layer_norm.weight"])
            layer.norm2.bias.copy_(w[p + "output_layer_norm.bias"])
        x = layer(x)
    hidden = x[0].detach()
    head = torch.nn.Sequential(torch.nn.Linear(d["D"], d["D"]), torch.nn.ReLU(), torch.nn.Linear(d["D"], d["labels"])).double()
    with torch.no_grad():
        head[0].weight.copy_(w["pre_classifier.weight"])
        head[0].bias.copy_(w["pre_classifier.bias"])
        head[2].weight.copy_(w["classifier.weight"])
        head[2].bias.copy_(w["classifier.bias"])
        logits = head(hidden[0])
    return hidden, logits.detach()


def random_distilbert(cfg, gen):
    d = distilbert_dims(cfg)
    D, I = d["D"], d["I"]

    def normal(shape, std=0.2):
        return torch.randn(shape, generator=gen, dtype=torch.float32) * std

    def norm(prefix):
        return [(prefix + ".weight", 1.0 + normal([D], 0.1)), (prefix + ".bias", normal([D], 0.1))]

    def dense(prefix, out, inp, std=0.2):
        return [(prefix + ".weight", normal([out, inp], std)), (prefix + ".bias", normal([out], 0.1))]

    e = "distilbert.embeddings."
    w = [(e + "word_embeddings.weight", normal([d["V"], D])), (e + "position_embeddings.weight", normal([d["P"], D]))]
    w += norm(e + "LayerNorm")
    for i in range(d["L"]):
        p = f"distilbert.transformer.layer.{i}."
        for n in ("q_lin", "k_lin", "v_lin", "out_lin"):
            w += dense(p + "attention." + n, D, D)
        w += norm(p + "sa_layer_norm")
        w += dense(p + "ffn.lin1", I, D)
        w += dense(p + "ffn.lin2", D, I)
        w += norm(p + "output_layer_norm")
    w += dense("pre_classifier", D, D)
    # A larger classifier scale so the three probabilities differ visibly.
    w += dense("classifier", d["labels"], D, 1.0)
    return w


def make_distilbert(folder, seed, command):
    cfg = read_json(os.path.join(folder, "config.json"))
    inputs = read_json(os.path.join(folder, "inputs.json"))
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    write_safetensors(os.path.join(folder, "model.safetensors"), random_distilbert(cfg, gen))
    w = distilbert_weights(read_safetensors(os.path.join(folder, "model.safetensors")))
    cases = []
    nn_gap = 0.0
    for item in inputs["inputs"]:
        ids = item["ids"]
        out = distilbert_outputs(w, cfg, ids)
        hidden_nn, logits_nn = distilbert_forward_nn(w, cfg, ids)
        nn_gap = max(
            nn_gap,
            float((hidden_nn - out["last_hidden_state"]).abs().max()),
            float((logits_nn - out["logits"]).abs().max()),
        )
        cases.append(
            {
                "ids": ids,
                "attention_mask": [1] * len(ids),
                "last_hidden_state": rows(out["last_hidden_state"]),
                "pre_classifier_output": [fixed(v) for v in out["pre_classifier_output"].tolist()],
                "logits": [fixed(v) for v in out["logits"].tolist()],
                "probabilities": [fixed(v) for v in out["probabilities"].tolist()],
            }
        )
    if nn_gap > 1e-9:
        raise SystemExit(f"distilbert_forward and torch.nn's modules differ by {nn_gap:.2e}")
    write_json(
        os.path.join(folder, "reference.json"),
        {
            "generator": command,
            "torch": torch.__version__,
            "seed": seed,
            "labels": [cfg["id2label"][str(i)] for i in range(len(cfg["id2label"]))],
            "torch_nn_cross_check_max_abs": sig(nn_gap, 3),
            "note": "float64 forward pass of scripts/hf_reference.py; attention mask all ones; pre_classifier_output is after the ReLU",
            "cases": cases,
        },
    )


def run_distilbert(folder, ids):
    cfg = read_json(os.path.join(folder, "config.json"))
    out = distilbert_outputs(distilbert_weights(load_folder(folder)), cfg, ids)
    keys = ("pre_classifier_output", "logits", "probabilities")
    print(json.dumps({k: [sig(v) for v in out[k].tolist()] for k in keys if out.get(k) is not None}))


# ---------------------------------------------------------------------------------------------


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=2)
        f.write("\n")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["make", "run"])
    parser.add_argument("arch", choices=["gpt2", "bert", "distilbert"])
    parser.add_argument("dir")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--greedy", type=int, default=12)
    parser.add_argument("--ids", help="token ids as a JSON list (run mode)")
    args = parser.parse_args(argv)
    torch.set_default_dtype(torch.float64)
    if args.mode == "make":
        command = f"scripts/hf_reference.py make {args.arch} <dir> --seed {args.seed}"
        if args.arch == "gpt2":
            command += f" --greedy {args.greedy}"
        if args.arch == "gpt2":
            make_gpt2(args.dir, args.seed, args.greedy, command)
        elif args.arch == "bert":
            make_bert(args.dir, args.seed, command)
        else:
            make_distilbert(args.dir, args.seed, command)
        return
    if args.ids is None:
        parser.error("run needs --ids")
    ids = json.loads(args.ids)
    if not isinstance(ids, list) or not ids or not all(isinstance(i, int) for i in ids):
        parser.error("--ids must be a non-empty JSON list of integers")
    if args.arch == "gpt2":
        run_gpt2(args.dir, ids, args.greedy)
    elif args.arch == "bert":
        run_bert(args.dir, ids)
    else:
        run_distilbert(args.dir, ids)


if __name__ == "__main__":
    main(sys.argv[1:])
