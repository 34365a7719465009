"""PyTorch baseline for `greenbert bench`: the model directory's fp32 weights in plain torch
(scripts/torch_bert.py, HF's math), fp32 or torch.quantization.quantize_dynamic int8 (every
nn.Linear, per-tensor int8 weights, activations quantized at run time), timing the same token
ids, batches (padded to the longest in each), threads and repeats as greenbert.

  /usr/bin/python3 scripts/baselines/torch_infer.py --model RUN_DIR --inputs INPUTS.json \
      --precision fp32|int8 --batch-size 16 --threads 2 --repeats 10 --out RESULT.json
"""
import argparse
import json
import time

import torch

from common import entry, load_inputs, load_model, padded_batches


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="fp32 model directory")
    parser.add_argument("--inputs", required=True, help="token ids written by greenbert bench")
    parser.add_argument("--precision", choices=["fp32", "int8"], default="fp32")
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    model, config = load_model(args.model)
    if args.precision == "int8":
        model = torch.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    abstracts, throughput = load_inputs(args.inputs)
    distil = config.get("model_type") == "distilbert"

    def run(batch):
        ids, mask = (torch.from_numpy(a) for a in batch)
        types = None if distil else torch.zeros_like(ids)
        return model(ids, mask, types)[0]

    timed = padded_batches(abstracts, args.batch_size)
    with torch.inference_mode():
        for batch in timed:  # warm-up
            run(batch)
        times, latencies = [], []
        for _ in range(args.repeats):
            start = time.perf_counter()
            for batch in timed:
                t = time.perf_counter()
                run(batch)
                latencies.append((time.perf_counter() - t) * 1e3)
            times.append(time.perf_counter() - start)
        start = time.perf_counter()
        for batch in padded_batches(throughput, args.batch_size):
            run(batch)
        seconds = time.perf_counter() - start
    result = entry(args.batch_size, times, latencies, len(throughput), seconds)
    result.update({"backend": "pytorch", "version": torch.__version__, "precision": args.precision,
                   "threads": args.threads})
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
