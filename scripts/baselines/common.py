"""Shared by the baseline scripts: a greenbert/HF model directory (config.json +
model.safetensors, fp32) as the plain-torch model of scripts/torch_bert.py, the token-id inputs
`greenbert bench` writes, and the result entry in the study's schema."""
import json
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from torch_bert import Bert, DistilBert  # noqa: E402

DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64,
          "I32": np.int32, "I8": np.int8, "U8": np.uint8}


def read_safetensors(path):
    """name -> numpy array (little-endian), plus the __metadata__ dict."""
    with open(path, "rb") as f:
        data = f.read()
    (header_size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_size])
    metadata = header.pop("__metadata__", {})
    base = 8 + header_size
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        if info["dtype"] not in DTYPES:
            raise SystemExit(f"{path}: tensor {name}: dtype {info['dtype']} not supported here")
        array = np.frombuffer(data, dtype=DTYPES[info["dtype"]], count=(end - begin) //
                              np.dtype(DTYPES[info["dtype"]]).itemsize, offset=base + begin)
        tensors[name] = array.reshape(info["shape"])
    return tensors, metadata


def load_model(model_dir):
    """The fp32 model of a model directory, in eval mode, and its config."""
    with open(os.path.join(model_dir, "config.json")) as f:
        config = json.load(f)
    tensors, metadata = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    # greenbert_precision: "fp32" (greenbert_version 2), "f32" in files written before it.
    if metadata.get("greenbert_precision", "fp32") not in ("fp32", "f32"):
        raise SystemExit(f"{model_dir}: the baselines need the fp32 model directory")
    model = DistilBert(config) if config.get("model_type") == "distilbert" else Bert(config)
    state = model.state_dict()
    for name, value in tensors.items():
        if name in state:
            state[name] = torch.from_numpy(value.astype(np.float32))
    missing = [n for n in model.state_dict() if n not in tensors]
    if missing:
        raise SystemExit(f"{model_dir}: tensors missing from model.safetensors: {missing[:5]}")
    model.load_state_dict(state)
    model.eval()
    return model, config


def load_inputs(path):
    with open(path) as f:
        inputs = json.load(f)
    return inputs["abstracts"], inputs["throughput"]


def padded_batches(sequences, batch_size):
    """Batches of consecutive sequences padded to their longest (pad id 0, mask 0): the inputs are
    already ordered by length, as greenbert forms its batches."""
    batches = []
    for i in range(0, len(sequences), batch_size):
        chunk = sequences[i:i + batch_size]
        width = max(len(s) for s in chunk)
        ids = np.zeros((len(chunk), width), dtype=np.int64)
        mask = np.zeros((len(chunk), width), dtype=np.int64)
        for row, s in enumerate(chunk):
            ids[row, :len(s)] = s
            mask[row, :len(s)] = 1
        batches.append((ids, mask))
    return batches


def percentile(values, q):
    values = sorted(values)
    rank = max(1, int(np.ceil(q * len(values))))
    return values[min(len(values), rank) - 1]


def peak_rss_mb():
    """This process's peak resident memory: VmHWM, not getrusage's ru_maxrss, which Linux carries
    over execve from the parent (greenbert bench's own peak)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    raise SystemExit("no VmHWM in /proc/self/status")


def entry(batch_size, times, latencies_ms, throughput_sequences, throughput_seconds):
    """One configuration's entry of a bench record, in the keys greenbert's "cpp" entries use."""
    return {
        "batch_size": batch_size,
        "inference_time": float(np.median(times)),
        "min": float(min(times)),
        "max": float(max(times)),
        "memory_usage_mb": peak_rss_mb(),
        "throughput_seq_per_s": throughput_sequences / throughput_seconds,
        "throughput_sequences": throughput_sequences,
        "latency_ms": {"p50": percentile(latencies_ms, 0.5), "p90": percentile(latencies_ms, 0.9),
                       "p99": percentile(latencies_ms, 0.99)},
    }
