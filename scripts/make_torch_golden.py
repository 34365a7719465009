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
import os

import numpy as np
import torch
from torch import nn

from torch_bert import Bert, DistilBert

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


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
