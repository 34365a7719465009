#!/usr/bin/env python3
"""Writes tests/data/study/two_models: a finished study directory (two models x three
precisions) in the formats the study's stages write (TASK-train.md, TASK-infer.md, the study's
manifest and emissions.csv), with round numbers chosen so that the report's figures can be
checked by hand in tests/report_test.cpp:

  training    bert-tiny 0.004 kWh; tinybert 0.03 + 0.02 kWh (interrupted, then resumed)
  quantize    bert-tiny bf16 0.00001, int8 0.00002; tinybert bf16 0.00005, int8 0.0001 kWh
  micro-F1    bert-tiny 0.610 0.609 0.605; tinybert 0.660 0.659 0.655 (f32 bf16 int8)
  J / 1,000   at batch 16: bert-tiny 20 12 8; tinybert 200 90 60
  carbon      475 g CO2eq/kWh (kg = kWh x 0.475)

Run from the repository root: python3 scripts/make_study_fixture.py
"""
import json
import math
import os
import shutil

OUT = "tests/data/study/two_models"
INTENSITY = 475.0
TDP, RAM_W = 8.0, 20.0
MODELS = {"bert-tiny": 393216.0, "tinybert": 4552704.0}
PRECISIONS = ["f32", "bf16", "int8"]
BATCHES = [1, 4, 16]
F1 = {("bert-tiny", "f32"): (0.610, 0.300), ("bert-tiny", "bf16"): (0.609, 0.299),
      ("bert-tiny", "int8"): (0.605, 0.295), ("tinybert", "f32"): (0.660, 0.380),
      ("tinybert", "bf16"): (0.659, 0.379), ("tinybert", "int8"): (0.655, 0.372)}
J_PER_1000_B16 = {("bert-tiny", "f32"): 20.0, ("bert-tiny", "bf16"): 12.0,
                  ("bert-tiny", "int8"): 8.0, ("tinybert", "f32"): 200.0,
                  ("tinybert", "bf16"): 90.0, ("tinybert", "int8"): 60.0}
LATENCY_B1_MS = {("bert-tiny", "f32"): 2.0, ("bert-tiny", "bf16"): 1.5,
                 ("bert-tiny", "int8"): 1.2, ("tinybert", "f32"): 12.0,
                 ("tinybert", "bf16"): 6.0, ("tinybert", "int8"): 4.5}
MEMORY_MB = {("bert-tiny", "f32"): 60.0, ("bert-tiny", "bf16"): 55.0,
             ("bert-tiny", "int8"): 50.0, ("tinybert", "f32"): 180.0,
             ("tinybert", "bf16"): 120.0, ("tinybert", "int8"): 90.0}
SIZE_MB = {("bert-tiny", "f32"): 5.8, ("bert-tiny", "bf16"): 2.9, ("bert-tiny", "int8"): 1.6,
           ("tinybert", "f32"): 28.4, ("tinybert", "bf16"): 14.2, ("tinybert", "int8"): 7.4}
# (stage id, seconds, kWh) per attempt, in plan order.
LEDGER = [("split", 30, 0.0002), ("vocab", 60, 0.0004),
          ("bert-tiny/train", 600, 0.004),
          ("tinybert/train", 3600, 0.03), ("tinybert/train", 2400, 0.02)]
for model in MODELS:
    for p, kwh in zip(PRECISIONS[1:], {"bert-tiny": (0.00001, 0.00002),
                                       "tinybert": (0.00005, 0.0001)}[model]):
        LEDGER.append((f"{model}/quantize-{p}", 5, kwh))
    for p in PRECISIONS:
        LEDGER.append((f"{model}/eval-{p}", 10, 0.00003))
        LEDGER.append((f"{model}/bench-{p}", 40, 0.0002))

COLUMNS = ("timestamp,project_name,run_id,experiment_id,duration,emissions,emissions_rate,"
           "cpu_power,gpu_power,ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,"
           "water_consumed,country_name,country_iso_code,region,cloud_provider,cloud_region,os,"
           "python_version,codecarbon_version,cpu_count,cpu_model,gpu_count,gpu_model,longitude,"
           "latitude,ram_total_size,tracking_mode,cpu_utilization_percent,"
           "gpu_utilization_percent,ram_utilization_percent,ram_used_gb,on_cloud,pue,wue")


def write(path, text):
    path = os.path.join(OUT, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def write_json(path, value):
    write(path, json.dumps(value, indent=2) + "\n")


def run_id(n):
    return f"00000000-0000-4000-8000-{n:012d}"


def ledger():
    rows, details, runs = [COLUMNS], [], {}
    for n, (stage, seconds, kwh) in enumerate(LEDGER, start=1):
        rid = run_id(n)
        runs.setdefault(stage, []).append(rid)
        cpu_kwh, ram_kwh = kwh * TDP / (TDP + RAM_W), kwh * RAM_W / (TDP + RAM_W)
        kg = kwh * INTENSITY / 1000
        rows.append(",".join(map(str, [
            "2025-01-01T00:00:00", "greenbert-study", rid, stage, float(seconds), kg,
            kg / seconds, TDP, 0.0, RAM_W, cpu_kwh, 0.0, ram_kwh, cpu_kwh + ram_kwh, 0.0,
            "World", "", "", "", "", "Linux-6.1.0-x86_64-with-glibc2.36", "",
            "greenbert 0.1.0", 2, "Intel(R) Xeon(R) Processor", 0, "", "", "", 23.5,
            "machine", 50.0, 0.0, 10.0, 2.0, "N", 1.0, 0.0])))
        details.append(json.dumps({
            "format": "greenbert-emissions-details", "format_version": 1, "run_id": rid,
            "phase": "study:" + stage, "project_name": "greenbert-study",
            "experiment_id": stage, "completed": True, "method": "estimated",
            "cpu_detail": "estimated: P = TDP x (0.1 + 0.9 x load^3), load = machine "
                          "utilisation from /proc/stat (CodeCarbon 3.x cpu_load, machine)",
            "not_used": ["RAPL: /sys/class/powercap not present",
                         "perf: /sys/bus/event_source/devices/power not present"],
            "ram_measured": False,
            "ram_detail": "estimated: codecarbon-v3 model, 23.5 GiB -> 4 DIMMs -> 20 W",
            "assumed_tdp_watts": TDP,
            "tdp_source": "unknown model: CodeCarbon's default 4 W per thread x 2 threads",
            "load_mode": "machine", "samples": seconds, "sample_interval_seconds": 1.0,
            "failed_reads": 0, "sequences": 0, "tokens": 0, "duration_seconds": float(seconds),
            "cpu_joules": cpu_kwh * 3.6e6, "ram_joules": ram_kwh * 3.6e6,
            "joules": kwh * 3.6e6, "joules_per_sequence": None,
            "joules_per_1000_predictions": None, "joules_per_token": None, "kwh": kwh,
            "kg_co2eq": kg, "carbon_intensity_g_per_kwh": INTENSITY,
            "carbon_intensity_source": "world average, CodeCarbon's fallback; no --country given",
            "pue": 1.0, "greenbert_version": "0.1.0"}))
    write("emissions.csv", "\n".join(rows) + "\n")
    write("emissions_details.jsonl", "\n".join(details) + "\n")
    return runs


def training_files(model, size):
    steps = 200
    log = ["step,epoch,loss,lr,grad_norm,seqs_per_s,elapsed_s"]
    scale = 1.0 if model == "bert-tiny" else 0.9
    for step in range(1, steps + 1):
        loss = scale * (0.6 * math.exp(-step / 50) + 0.12) + 0.02 * math.sin(step)
        log.append(f"{step},{(step - 1) // 100 + 1},{loss:.6f},0.0005,1.0,120.0,{step * 3.0}")
    write(f"models/{model}/f32/train_log.csv", "\n".join(log) + "\n")
    val = ["epoch,step,val_loss,val_micro_f1,val_macro_f1,elapsed_s"]
    for epoch, step in ((1, 100), (2, 200)):
        val.append(f"{epoch},{step},{scale * (0.2 if epoch == 1 else 0.16):.4f},"
                   f"{F1[(model, 'f32')][0] - 0.02 / epoch:.4f},0.3,{step * 3.0}")
    write(f"models/{model}/f32/val_log.csv", "\n".join(val) + "\n")
    layers, hidden = (2, 128) if model == "bert-tiny" else (4, 312)
    model_json = {"name": model, "model_type": "bert", "parameters": int(size + 8192 * hidden),
                  "layers": layers, "hidden": hidden, "precision": "f32"}
    write_json(f"models/{model}/f32/metrics.json", {
        "format": "greenbert-metrics", "version": 1, "model": model_json,
        "data": {"path": "data", "train": 1600, "val": 100, "test": 100, "labels": 6,
                 "max_length": 150, "text": "abstract"},
        "training": {"epochs": 2, "steps": steps, "seconds": 600.0,
                     "sequences_per_second": 120.0, "best_epoch": 2, "batch_size": 16,
                     "lr": 0.0005, "gemm_precision": "f32", "threads": 2},
        "threshold": {"global": 0.35, "per_label_available": True},
        "val": metrics(F1[(model, "f32")], 100), "test": metrics(F1[(model, "f32")], 100),
        "test_threshold_0.5": metrics((F1[(model, "f32")][0] - 0.03, 0.25), 100)})
    return model_json


def metrics(f1, examples):
    labels = [f"label{i}" for i in range(6)]
    return {"examples": examples, "labels": 6, "micro_f1": f1[0], "micro_precision": f1[0],
            "micro_recall": f1[0], "macro_f1": f1[1], "accuracy": 0.95,
            "subset_accuracy": 0.4, "hamming_loss": 0.05,
            "per_label": {l: {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 4}
                          for l in labels}}


def bench_point(model, precision, batch, extra_j=0.0):
    j16 = J_PER_1000_B16[(model, precision)]
    j = j16 * {1: 2.0, 4: 1.4, 16: 1.0}[batch] + extra_j
    latency = LATENCY_B1_MS[(model, precision)]
    seconds = 20 * latency / 1000 * {1: 1.0, 4: 0.7, 16: 0.5}[batch]
    return {"batch_size": batch, "inference_time": seconds, "min": seconds * 0.95,
            "max": seconds * 1.1, "emissions": j * 20 / 1000 / 3.6e6 * INTENSITY / 1000,
            "memory_usage_mb": MEMORY_MB[(model, precision)] * {1: 0.9, 4: 0.95, 16: 1.0}[batch],
            "throughput_seq_per_s": 20 / seconds,
            "latency_ms": {"p50": latency, "p90": latency * 1.2, "p99": latency * 1.5},
            "energy_per_1000_j": j, "gemm_gops": 100.0, "energy_method": "estimated"}


def bench_record(model, precision, backends):
    return {"model_name": precision, "precision": "fp32" if precision == "f32" else precision,
            "quantized": precision != "f32", "batch_sizes": BATCHES,
            "model_size_mb": SIZE_MB[(model, precision)], "parameters": 1000000, "threads": 2,
            "hardware": {"cpu": "Intel(R) Xeon(R) Processor", "isa": "avx512+vnni+bf16+amx"},
            "max_length": 150, "abstracts": 20, **backends}


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    runs = ledger()
    model_json = {m: training_files(m, size) for m, size in MODELS.items()}
    for m in MODELS:
        for p in PRECISIONS:
            write_json(f"results/{m}/eval-{p}.json", {
                "format": "greenbert-eval", "version": 1,
                "model": {**model_json[m], "precision": p}, "split": "test", "threshold": 0.35,
                "metrics": metrics(F1[(m, p)], 100), "seconds": 0.5})
            write_json(f"results/{m}/bench-{p}.json",
                       [bench_record(m, p, {"cpp": [bench_point(m, p, b) for b in BATCHES]})])
    # Baselines measured outside the study (scripts/baselines), slower and hungrier.
    torch_points = []
    for b in BATCHES:
        point = bench_point("tinybert", "f32", b, extra_j=100.0)
        point["inference_time"] *= 3.0
        point["memory_usage_mb"] = 450.0
        del point["latency_ms"], point["throughput_seq_per_s"], point["gemm_gops"]
        torch_points.append(point)
    ort_points = [dict(p, inference_time=p["inference_time"] / 2, memory_usage_mb=300.0)
                  for p in torch_points]
    baseline = bench_record("tinybert", "f32", {"pytorch": torch_points,
                                                "onnxruntime": ort_points})
    baseline["model_name"] = "tinybert"
    write_json("baselines/tinybert-f32.json", [baseline])

    stages = [("split", "", "split", ["data", "split", "--data", "/data/arxiv_data.csv",
                                       "--out", "data", "--seed", "42", "--max-rows", "2000"]),
              ("vocab", "", "vocab", ["vocab", "--data", "data", "--size", "8192", "--out",
                                      "vocab/vocab.txt"])]
    for m in MODELS:
        d = f"models/{m}"
        stages.append((f"{m}/train", m, "train",
                       ["train", "--data", "data", "--out", f"{d}/f32", "--preset", m, "--vocab",
                        "vocab/vocab.txt", "--epochs", "2", "--max-length", "150", "--seed", "42",
                        "--threads", "2"]))
        stages.append((f"{m}/eval-f32", m, "eval-f32",
                       ["eval", "--model", f"{d}/f32", "--data", "data", "--split", "test",
                        "--max-length", "150", "--threads", "2", "--json"]))
        for p in PRECISIONS[1:]:
            stages.append((f"{m}/quantize-{p}", m, f"quantize-{p}",
                           ["quantize", "--model", f"{d}/f32", "--precision", p, "--out",
                            f"{d}/{p}", "--max-length", "150", "--threads", "2"]))
            stages.append((f"{m}/eval-{p}", m, f"eval-{p}",
                           ["eval", "--model", f"{d}/{p}", "--data", "data", "--split", "test",
                            "--max-length", "150", "--threads", "2", "--json"]))
        for p in PRECISIONS:
            stages.append((f"{m}/bench-{p}", m, f"bench-{p}",
                           ["bench", "--model", f"{d}/{p}", "--precisions", p, "--data", "data",
                            "--batch-sizes", "1,4,16", "--max-length", "150", "--repeats", "10",
                            "--threads", "2", "--out", f"results/{m}/bench-{p}.json",
                            "--work-dir", f"results/{m}/bench-{p}",
                            "--emissions", f"results/{m}/bench-{p}/emissions.csv"]))
    stages.append(("report", "", "report", ["report", "--study", ".", "--lifetime-predictions",
                                            "1000000"]))
    records = []
    for sid, model, kind, command in stages:
        energy = runs.get(sid, [])
        seconds = sum(s for i, s, _ in LEDGER if i == sid)
        records.append({"id": sid, "model": model, "kind": kind, "command": command,
                        "status": "pending" if sid == "report" else "done",
                        "attempts": len(energy), "seconds": float(seconds),
                        "finished": "" if sid == "report" else "2025-01-01T00:00:00",
                        "failure": "", "outputs": [], "energy_runs": energy})
    write_json("study_state.json", {
        "format": "greenbert-study-state", "version": 1, "greenbert_version": "0.1.0",
        "settings": {"data": "/data/arxiv_data.csv", "max_rows": 2000, "seed": 42, "epochs": 2,
                     "threads": 2,
                     "models": [{"name": m, "preset": m, "size": s} for m, s in MODELS.items()],
                     "precisions": PRECISIONS, "batch_sizes": BATCHES, "max_length": 150,
                     "bench_repeats": 10, "bench_rows": 0, "vocab": "",
                     "vocab_size": 8192, "lifetime_predictions": 1000000, "energy_args": []},
        "hardware": {"cpu": "Intel(R) Xeon(R) Processor", "logical_cpus": 2,
                     "physical_cores": 2, "isa": "avx512+vnni+bf16+amx", "ram_gb": 23.5,
                     "os": "Linux-6.1.0-x86_64-with-glibc2.36"},
        "stages": records})


if __name__ == "__main__":
    main()
