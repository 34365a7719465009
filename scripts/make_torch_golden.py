#!/usr/bin/python3
"""Golden data for greenbert's engine: HF BertForSequenceClassification and
DistilBertForSequenceClassification math written in plain PyTorch 1.13 (transformers is not
available here), run on a tiny random model.

Writes tests/data/torch_golden_{bert,distilbert}.json with: the HF config, the parameters under
HF checkpoint names, a padded batch with attention mask (a hole included) and token types,
multi-label targets, logits, pooled output, last hidden state, BCEWithLogits loss, EVERY
parameter gradient, and the parameters after 3 steps of torch.optim.AdamW (HF's no-decay
groups: biases and LayerNorm weights) with clip_grad_norm_ before each step.

Dropout is off (eval mode): torch's RNG cannot be reproduced; dropout is covered by the C++
finite-difference tests. Run: /usr/bin/python3 scripts/make_torch_golden.py
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


class Bert(nn.Module):
    """BertForSequenceClassification (absolute positions, post-LN, erf GELU, tanh pooler)."""

    def __init__(self, c):
        super().__init__()
        H, I = c["hidden_size"], c["intermediate_size"]
        self.c = c
        self.bert = nn.Module()
        e = self.bert.embeddings = nn.Module()
        e.word_embeddings = nn.Embedding(c["vocab_size"], H, padding_idx=c["pad_token_id"])
        e.position_embeddings = nn.Embedding(c["max_position_embeddings"], H)
        e.token_type_embeddings = nn.Embedding(c["type_vocab_size"], H)
        e.LayerNorm = nn.LayerNorm(H, eps=c["layer_norm_eps"])
        self.bert.encoder = nn.Module()
        self.bert.encoder.layer = nn.ModuleList()
        for _ in range(c["num_hidden_layers"]):
            layer = nn.Module()
            layer.attention = nn.Module()
            s = layer.attention.self = nn.Module()
            s.query, s.key, s.value = nn.Linear(H, H), nn.Linear(H, H), nn.Linear(H, H)
            o = layer.attention.output = nn.Module()
            o.dense, o.LayerNorm = nn.Linear(H, H), nn.LayerNorm(H, eps=c["layer_norm_eps"])
            layer.intermediate = nn.Module()
            layer.intermediate.dense = nn.Linear(H, I)
            layer.output = nn.Module()
            layer.output.dense = nn.Linear(I, H)
            layer.output.LayerNorm = nn.LayerNorm(H, eps=c["layer_norm_eps"])
            self.bert.encoder.layer.append(layer)
        self.bert.pooler = nn.Module()
        self.bert.pooler.dense = nn.Linear(H, H)
        self.classifier = nn.Linear(H, len(c["id2label"]))

    def forward(self, input_ids, attention_mask, token_type_ids):
        c, e = self.c, self.bert.embeddings
        B, S = input_ids.shape
        heads = c["num_attention_heads"]
        D = c["hidden_size"] // heads
        positions = torch.arange(S).unsqueeze(0).expand(B, S)
        x = e.word_embeddings(input_ids) + e.token_type_embeddings(token_type_ids)
        x = e.LayerNorm(x + e.position_embeddings(positions))
        # HF's extended attention mask: (1 - mask) * finfo.min added to the scores.
        additive = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        split = lambda t: t.view(B, S, heads, D).permute(0, 2, 1, 3)
        for layer in self.bert.encoder.layer:
            s = layer.attention.self
            q, k, v = split(s.query(x)), split(s.key(x)), split(s.value(x))
            scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(D) + additive
            context = torch.matmul(F.softmax(scores, dim=-1), v)
            context = context.permute(0, 2, 1, 3).reshape(B, S, heads * D)
            o = layer.attention.output
            a = o.LayerNorm(o.dense(context) + x)
            f = F.gelu(layer.intermediate.dense(a))
            x = layer.output.LayerNorm(layer.output.dense(f) + a)
        pooled = torch.tanh(self.bert.pooler.dense(x[:, 0]))
        return self.classifier(pooled), pooled, x


class DistilBert(nn.Module):
    """DistilBertForSequenceClassification (no token types, ReLU pre_classifier head)."""

    def __init__(self, c):
        super().__init__()
        H, I = c["dim"], c["hidden_dim"]
        self.c = c
        self.distilbert = nn.Module()
        e = self.distilbert.embeddings = nn.Module()
        e.word_embeddings = nn.Embedding(c["vocab_size"], H, padding_idx=c["pad_token_id"])
        e.position_embeddings = nn.Embedding(c["max_position_embeddings"], H)
        e.LayerNorm = nn.LayerNorm(H, eps=1e-12)
        self.distilbert.transformer = nn.Module()
        self.distilbert.transformer.layer = nn.ModuleList()
        for _ in range(c["n_layers"]):
            layer = nn.Module()
            a = layer.attention = nn.Module()
            a.q_lin, a.k_lin, a.v_lin, a.out_lin = (nn.Linear(H, H) for _ in range(4))
            layer.sa_layer_norm = nn.LayerNorm(H, eps=1e-12)
            layer.ffn = nn.Module()
            layer.ffn.lin1, layer.ffn.lin2 = nn.Linear(H, I), nn.Linear(I, H)
            layer.output_layer_norm = nn.LayerNorm(H, eps=1e-12)
            self.distilbert.transformer.layer.append(layer)
        self.pre_classifier = nn.Linear(H, H)
        self.classifier = nn.Linear(H, len(c["id2label"]))

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        c, e = self.c, self.distilbert.embeddings
        B, S = input_ids.shape
        heads = c["n_heads"]
        D = c["dim"] // heads
        positions = torch.arange(S).unsqueeze(0).expand(B, S)
        x = e.LayerNorm(e.word_embeddings(input_ids) + e.position_embeddings(positions))
        masked = (attention_mask == 0)[:, None, None, :]
        split = lambda t: t.view(B, S, heads, D).transpose(1, 2)
        for layer in self.distilbert.transformer.layer:
            a = layer.attention
            q = split(a.q_lin(x)) / math.sqrt(D)
            k, v = split(a.k_lin(x)), split(a.v_lin(x))
            scores = torch.matmul(q, k.transpose(2, 3))
            scores = scores.masked_fill(masked, torch.finfo(scores.dtype).min)
            context = torch.matmul(F.softmax(scores, dim=-1), v)
            context = context.transpose(1, 2).reshape(B, S, heads * D)
            sa = layer.sa_layer_norm(a.out_lin(context) + x)
            f = layer.ffn.lin2(F.gelu(layer.ffn.lin1(sa)))
            x = layer.output_layer_norm(f + sa)
        pooled = F.relu(self.pre_classifier(x[:, 0]))
        return self.classifier(pooled), pooled, x


def randomize(model, pad_token_id):
    """Values far from HF's tiny init so that every non-linearity matters; pad row stays 0."""
    g = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm" in name or "layer_norm" in name:
                base = 1.0 if name.endswith("weight") else 0.0
                p.copy_(base + 0.1 * torch.randn(p.shape, generator=g))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.3 * torch.randn(p.shape, generator=g))
            if "word_embeddings" in name:
                p[pad_token_id].zero_()


def floats(t):
    """float32 values as the shortest decimals that round-trip them."""
    return [float(str(np.float32(x))) for x in t.detach().reshape(-1).tolist()]


def nested(t):
    return floats(t) if t.dim() == 1 else [nested(row) for row in t]


def make(kind):
    labels = ["cs.LG", "cs.AI", "stat.ML", "math.OC"]
    id2label = {str(i): l for i, l in enumerate(labels)}
    label2id = {l: i for i, l in enumerate(labels)}
    if kind == "bert":
        config = {
            "architectures": ["BertForSequenceClassification"], "model_type": "bert",
            "attention_probs_dropout_prob": 0.1, "classifier_dropout": None, "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1, "hidden_size": 16, "initializer_range": 0.02,
            "intermediate_size": 32, "layer_norm_eps": 1e-12, "max_position_embeddings": 16,
            "num_attention_heads": 2, "num_hidden_layers": 2, "pad_token_id": 0,
            "position_embedding_type": "absolute", "type_vocab_size": 2, "vocab_size": 40,
            "id2label": id2label, "label2id": label2id,
            "problem_type": "multi_label_classification",
        }
        model = Bert(config)
    else:
        config = {
            "architectures": ["DistilBertForSequenceClassification"], "model_type": "distilbert",
            "activation": "gelu", "attention_dropout": 0.1, "dim": 16, "dropout": 0.1,
            "hidden_dim": 32, "initializer_range": 0.02, "max_position_embeddings": 16,
            "n_heads": 2, "n_layers": 2, "pad_token_id": 0, "seq_classif_dropout": 0.2,
            "sinusoidal_pos_embds": False, "vocab_size": 40,
            "id2label": id2label, "label2id": label2id,
            "problem_type": "multi_label_classification",
        }
        model = DistilBert(config)
    randomize(model, config["pad_token_id"])
    model.eval()

    # Row 0 full, row 1 right-padded, row 2 with a masked hole, row 3 short; pad id 0 is used
    # inside row 0 too, so the padding_idx rule (no gradient for that row) is exercised.
    input_ids = torch.tensor([[2, 17, 5, 0, 33, 9, 11, 39, 3],
                              [2, 8, 21, 3, 0, 0, 0, 0, 0],
                              [2, 14, 6, 30, 7, 3, 0, 0, 0],
                              [2, 3, 0, 0, 0, 0, 0, 0, 0]])
    attention_mask = torch.tensor([[1, 1, 1, 1, 1, 1, 1, 1, 1],
                                   [1, 1, 1, 1, 0, 0, 0, 0, 0],
                                   [1, 1, 0, 1, 1, 1, 0, 0, 0],
                                   [1, 1, 0, 0, 0, 0, 0, 0, 0]])
    token_type_ids = torch.tensor([[0, 0, 0, 0, 1, 1, 1, 1, 1],
                                   [0, 0, 0, 1, 0, 0, 0, 0, 0],
                                   [0, 0, 0, 0, 1, 1, 0, 0, 0],
                                   [0, 0, 0, 0, 0, 0, 0, 0, 0]])
    targets = torch.tensor([[1, 0, 1, 0], [0, 0, 0, 1], [1, 1, 0, 0], [0, 1, 0, 0]],
                           dtype=torch.float32)
    loss_fn = nn.BCEWithLogitsLoss()

    logits, pooled, hidden = model(input_ids, attention_mask, token_type_ids)
    loss = loss_fn(logits, targets)
    loss.backward()
    parameters = {n: floats(p) for n, p in model.named_parameters()}
    shapes = {n: list(p.shape) for n, p in model.named_parameters()}
    gradients = {n: floats(p.grad) for n, p in model.named_parameters()}

    hyper = {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01,
             "max_grad_norm": 0.5, "steps": 3}
    no_decay = lambda n: n.endswith("bias") or "LayerNorm.weight" in n or "layer_norm.weight" in n
    groups = [
        {"params": [p for n, p in model.named_parameters() if not no_decay(n)],
         "weight_decay": hyper["weight_decay"]},
        {"params": [p for n, p in model.named_parameters() if no_decay(n)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=hyper["lr"], betas=(hyper["beta1"], hyper["beta2"]),
                                  eps=hyper["eps"])
    losses, norms = [], []
    for _ in range(hyper["steps"]):
        optimizer.zero_grad()
        step_logits, _, _ = model(input_ids, attention_mask, token_type_ids)
        step_loss = loss_fn(step_logits, targets)
        step_loss.backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), hyper["max_grad_norm"])))
        optimizer.step()
        losses.append(float(step_loss))
    after = {n: floats(p) for n, p in model.named_parameters()}

    return {
        "generator": "scripts/make_torch_golden.py, torch " + torch.__version__,
        "config": config,
        "input_ids": input_ids.tolist(), "attention_mask": attention_mask.tolist(),
        "token_type_ids": token_type_ids.tolist(), "targets": targets.tolist(),
        "shapes": shapes, "parameters": parameters,
        "logits": nested(logits), "pooled": nested(pooled), "last_hidden_state": nested(hidden),
        "loss": float(loss), "gradients": gradients,
        "adamw": dict(hyper, losses=losses, grad_norms=norms, parameters_after=after),
    }


def main():
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data")
    os.makedirs(out_dir, exist_ok=True)
    for kind in ("bert", "distilbert"):
        path = os.path.join(out_dir, "torch_golden_%s.json" % kind)
        with open(path, "w") as f:
            json.dump(make(kind), f, separators=(",", ":"))
            f.write("\n")
        print("wrote", os.path.relpath(path), os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
