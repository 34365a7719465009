#!/usr/bin/env bash
# Load benchmark of `greenbert serve` against `greenbert bench` on the same model, precision and
# threads, back to back (REPEATS rounds of: bench, then the served runs), over loopback with wrk
# (apt-get install wrk; only this benchmark needs it):
#   c32   32 clients, one abstract per request: throughput vs bench's batch-16 throughput, CPU
#         time per prediction vs bench's, /metrics' inference energy per 1,000 predictions vs
#         bench's energy_per_1000_j (the server batches up to 16, as bench's batch 16)
#   c1    1 client: latency vs bench's batch-1 latency
#   c128  overload, 4x --max-concurrent 32: 429s at once, accepted ones complete, peak RSS
# Usage: bench/serve_load/run.sh MODEL_DIR PRECISION OUT_DIR [THREADS]
# Environment: GREENBERT (binary, default build/greenbert), DATA (the CSV), DURATION (s per
# run, default 15), REPEATS (default 3), PORT.
set -euo pipefail
cd "$(dirname "$0")/../.."
model=$1 precision=$2 out=$3 threads=${4:-0}
cli=${GREENBERT:-build/greenbert}
data=${DATA:-../shared/data/arxiv_data.csv}
duration=${DURATION:-15}
repeats=${REPEATS:-3}
port=${PORT:-18431}
script=$PWD/bench/serve_load/classify.lua
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Request bodies: 2,000 abstracts of the data in a fixed random order, one JSON per line.
python3 - "$data" "$out/bodies.jsonl" <<'PY'
import csv, json, random, sys
csv.field_size_limit(1 << 24)
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
random.Random(1).shuffle(rows)
with open(sys.argv[2], "w") as out:
    for row in rows[:2000]:
        out.write(json.dumps({"inputs": row["summaries"]}) + "\n")
PY

offline() {  # bench at batch 1 and 16 -> $out/bench-$1.json
  "$cli" bench --model "$model" --precisions "$precision" --batch-sizes 1,16 --data "$data" \
    --max-rows 20000 --threads "$threads" --out "$out/bench-$1.json" > "$out/bench-$1.log" 2>&1
  python3 - "$out/bench-$1.json" "$1" <<'PY'
import json, sys
for c in json.load(open(sys.argv[1]))[0]["cpp"]:
    print(f"{sys.argv[2]} bench b{c['batch_size']}: {c['throughput_seq_per_s']:.1f} seq/s, "
          f"cpu {1000 * c['cpu_time'] / 20:.2f} ms/seq, latency p50 {c['latency_ms']['p50']:.3f} "
          f"ms, {c['energy_per_1000_j']:.2f} J/1000 ({c['energy_method']})")
PY
}

metric() { curl -s "http://127.0.0.1:$port/metrics" | awk -v m="$1" 'index($0, m) == 1 { print $2 }'; }
rss_kib() { awk -v f="$2" '$1 == f":" { print $2 }' "/proc/$1/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

pid=
trap '[ -n "$pid" ] && kill -TERM "$pid"' EXIT
serve() {  # starts the server with extra options; sets $pid
  "$cli" serve --model "$model" --precision "$precision" --threads "$threads" --port "$port" \
    --max-batch-requests 16 "$@" 2> "$out/serve.log" &
  pid=$!
  until grep -q "ready:" "$out/serve.log"; do
    kill -0 "$pid" || { cat "$out/serve.log"; exit 1; }
    sleep 0.2
  done
}
stop() { kill -TERM "$pid"; wait "$pid"; pid=; }

load() {  # wrk with $1 connections for $2 seconds; output to $out/wrk-$3.txt
  wrk -t"$(($1 < 2 ? $1 : 2))" -c"$1" -d"$2"s --latency -s "$script" "http://127.0.0.1:$port" \
    -- "$out/bodies.jsonl" > "$out/wrk-$3.txt"
  grep -E "statuses|answered|requests/s" "$out/wrk-$3.txt" | sed "s/^/$3: /"
}

for round in $(seq "$repeats"); do
  echo "== round $round"
  offline "r$round"
  serve --max-concurrent 64
  load 32 3 warm-up > /dev/null
  joules0=$(metric 'greenbert_inference_energy_joules_total{')
  predictions0=$(metric greenbert_predictions_total)
  batches0=$(metric greenbert_batch_size_count)
  ticks0=$(cpu_ticks "$pid")
  load 32 "$duration" "r$round-c32"
  ticks1=$(cpu_ticks "$pid")
  joules1=$(metric 'greenbert_inference_energy_joules_total{')
  predictions1=$(metric greenbert_predictions_total)
  batches1=$(metric greenbert_batch_size_count)
  python3 -c "
j = $joules1 - $joules0; n = $predictions1 - $predictions0; b = $batches1 - $batches0
cpu = ($ticks1 - $ticks0) / $(getconf CLK_TCK)
print(f'r$round-c32: {n} predictions in {b} batches (mean {n / b:.1f}), cpu {1000 * cpu / n:.2f} ms/seq, '
      f'inference energy {1000 * j / n:.2f} J/1000')"
  load 1 "$duration" "r$round-c1"
  echo "r$round RSS after c32 and c1: $(rss_kib "$pid" VmRSS) KiB (peak $(rss_kib "$pid" VmHWM) KiB)"
  stop
done

echo "== overload: 128 clients, max-concurrent 32"
serve --max-concurrent 32
load 32 3 warm-up > /dev/null
steady=$(rss_kib "$pid" VmRSS)
load 128 "$duration" c128 &
wrk_pid=$!
sleep 3
for i in $(seq 20); do  # single requests during the overload: how fast is a 429?
  sed -n "${i}p" "$out/bodies.jsonl" > "$out/probe.json"
  curl -s -o /dev/null -w "%{http_code} %{time_total}\n" -H "Content-Type: application/json" \
    --data-binary "@$out/probe.json" "http://127.0.0.1:$port/v1/classify"
done | awk '{ n[$1]++; t[$1] = t[$1] " " $2 } END { for (s in n) print "probe " s ": " n[s] " answers, seconds:" t[s] }'
wait "$wrk_pid"
curl -s -o /dev/null -w "after overload: /health/live %{http_code}\n" "http://127.0.0.1:$port/health/live"
echo "RSS: steady $steady KiB, peak $(rss_kib "$pid" VmHWM) KiB"
stop
