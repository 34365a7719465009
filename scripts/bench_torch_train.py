#!/usr/bin/python3
"""The training step bench/bench_model.cpp times, in PyTorch 1.13 on the same shapes: a batch
of 32 sequences of 150 tokens (no padding), 152 labels, dropout on, forward + BCEWithLogits +
backward (optionally + clip + AdamW), fp32 or bf16 autocast, random weights.

  /usr/bin/python3 scripts/bench_torch_train.py --model distilbert --threads 2 --steps 3
Prints one line per configuration: model, precision, optimizer, seconds per step, sequences/s.
"""
import argparse
import time

import torch
from torch import nn

from torch_bert import Bert, DistilBert

SHAPES = {  # layers, hidden, heads, intermediate
    "bert-tiny": (2, 128, 2, 512), "tinybert": (4, 312, 12, 1200),
    "bert-mini": (4, 256, 4, 1024), "bert-small": (4, 512, 8, 2048),
    "distilbert": (6, 768, 12, 3072), "bert-base": (12, 768, 12, 3072),
}


def make_model(name, labels):
    layers, hidden, heads, intermediate = SHAPES[name]
    id2label = {str(i): "l%d" % i for i in range(labels)}
    if name == "distilbert":
        return DistilBert({"dim": hidden, "n_layers": layers, "n_heads": heads,
                           "hidden_dim": intermediate, "vocab_size": 30522,
                           "max_position_embeddings": 512, "pad_token_id": 0, "dropout": 0.1,
                           "attention_dropout": 0.1, "seq_classif_dropout": 0.2,
                           "id2label": id2label})
    return Bert({"hidden_size": hidden, "num_hidden_layers": layers, "num_attention_heads": heads,
                 "intermediate_size": intermediate, "vocab_size": 30522,
                 "max_position_embeddings": 512, "type_vocab_size": 2, "pad_token_id": 0,
                 "layer_norm_eps": 1e-12, "hidden_dropout_prob": 0.1,
                 "attention_probs_dropout_prob": 0.1, "classifier_dropout": None,
                 "id2label": id2label})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(SHAPES), default="bert-tiny")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--length", type=int, default=150)
    parser.add_argument("--labels", type=int, default=152)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--precision", choices=["fp32", "bf16", "both"], default="both",
                        help="bf16 = torch.autocast(cpu, bfloat16). Debian's torch 1.13 runs fp32 "
                        "matmuls on reference BLAS (BLAS_INFO=generic), bf16 ones on oneDNN")
    parser.add_argument("--adamw", action="store_true", help="also time clip + AdamW steps")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    model = make_model(args.model, args.labels)
    model.train()
    ids = torch.randint(1000, 30522, (args.batch, args.length))
    ids[:, 0], ids[:, -1] = 101, 102
    mask = torch.ones_like(ids)
    types = torch.zeros_like(ids)
    targets = (torch.rand(args.batch, args.labels) < 0.03).float()
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5, weight_decay=0.01)

    def step(bf16, adamw):
        optimizer.zero_grad(set_to_none=False)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits, _, _ = model(ids, mask, types)
        loss = loss_fn(logits.float(), targets)
        loss.backward()
        if adamw:
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()

    precisions = {"fp32": [False], "bf16": [True], "both": [False, True]}[args.precision]
    configs = [(bf16, False) for bf16 in precisions] + ([(precisions[0], True)] if args.adamw else [])
    print("torch %s, BLAS_INFO=%s" % (torch.__version__,
          "generic" if "BLAS_INFO=generic" in torch.__config__.show() else "see torch.__config__"))
    for bf16, adamw in configs:
        step(bf16, adamw)  # warm-up
        start = time.perf_counter()
        for _ in range(args.steps):
            step(bf16, adamw)
        seconds = (time.perf_counter() - start) / args.steps
        print("torch %s %s %s threads=%d: %.1f ms/step, %.2f sequences/s" % (
            args.model, "bf16-autocast" if bf16 else "fp32", "fwd_bwd_adamw" if adamw else "fwd_bwd",
            args.threads, seconds * 1e3, args.batch / seconds), flush=True)


if __name__ == "__main__":
    main()
