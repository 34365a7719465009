"""Logits of an exported Hugging Face directory in plain PyTorch (scripts/torch_bert.py, HF's
math), its model.safetensors loaded by HF's tensor names, for the tests that check greenbert's
exports: each batch of IN.json (as ort_logits.mjs takes it) in, {"logits": [batch][row][label]}
out.

  /usr/bin/python3 scripts/baselines/torch_logits.py --model HF_DIR --inputs IN.json --out OUT.json
"""
import argparse
import json

import torch

from common import load_model


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="fp32 Hugging Face directory")
    parser.add_argument("--inputs", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    torch.set_num_threads(1)
    model, config = load_model(args.model)
    distil = config.get("model_type") == "distilbert"
    with open(args.inputs) as f:
        batches = json.load(f)["batches"]
    logits = []
    with torch.inference_mode():
        for batch in batches:
            ids = torch.tensor(batch["input_ids"], dtype=torch.int64)
            mask = torch.tensor(batch["attention_mask"], dtype=torch.int64)
            types = None if distil else torch.tensor(batch["token_type_ids"], dtype=torch.int64)
            logits.append(model(ids, mask, types)[0].tolist())
    with open(args.out, "w") as f:
        json.dump({"logits": logits}, f)


if __name__ == "__main__":
    main()
