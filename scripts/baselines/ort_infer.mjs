// ONNX Runtime baseline for `greenbert bench`: times an ONNX model (as `greenbert export --to
// onnx` writes it) on the token ids greenbert wrote, with the same batches (padded to the longest
// in each), threads and repeats; graph optimizations "all", intra-op threads = --threads,
// sequential execution.
//
//   node scripts/baselines/ort_infer.mjs --model DIR/model_quantized.onnx --inputs INPUTS.json \
//       --batch-size 16 --threads 2 --repeats 10 --out RESULT.json
import fs from 'node:fs';
import process from 'node:process';
import ort from 'onnxruntime-node';

function parseArgs(argv) {
  const args = {batchSize: 1, threads: 2, repeats: 10};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    args[key] = ['batchSize', 'threads', 'repeats'].includes(key) ? Number(argv[i + 1]) : argv[i + 1];
  }
  for (const required of ['model', 'inputs', 'out'])
    if (!args[required]) throw new Error(`--${required} is required`);
  return args;
}

// Consecutive sequences padded to their longest (pad id 0, mask 0), as int64 tensors.
function batches(sequences, batchSize, withTypes) {
  const out = [];
  for (let i = 0; i < sequences.length; i += batchSize) {
    const chunk = sequences.slice(i, i + batchSize);
    const width = Math.max(...chunk.map((s) => s.length));
    const ids = new BigInt64Array(chunk.length * width);
    const mask = new BigInt64Array(chunk.length * width);
    chunk.forEach((s, row) => s.forEach((id, j) => {
      ids[row * width + j] = BigInt(id);
      mask[row * width + j] = 1n;
    }));
    const dims = [chunk.length, width];
    const feeds = {input_ids: new ort.Tensor('int64', ids, dims),
                   attention_mask: new ort.Tensor('int64', mask, dims)};
    if (withTypes) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(ids.length), dims);
    out.push(feeds);
  }
  return out;
}

// This process's peak resident memory in MB: VmHWM, not resourceUsage().maxRSS, which Linux
// carries over execve from the parent (greenbert bench's own peak).
function peakRssMb() {
  const line = fs.readFileSync('/proc/self/status', 'utf8').split('\n')
      .find((l) => l.startsWith('VmHWM:'));
  return Number(line.split(/\s+/)[1]) * 1024 / 1e6;
}

function percentile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

const args = parseArgs(process.argv.slice(2));
const session = await ort.InferenceSession.create(args.model, {
  graphOptimizationLevel: 'all', intraOpNumThreads: args.threads, interOpNumThreads: 1,
  executionMode: 'sequential'});
const inputs = JSON.parse(fs.readFileSync(args.inputs, 'utf8'));
const withTypes = session.inputNames.includes('token_type_ids');
const timed = batches(inputs.abstracts, args.batchSize, withTypes);
for (const feeds of timed) await session.run(feeds);  // warm-up
const times = [], latencies = [];
for (let r = 0; r < args.repeats; ++r) {
  const start = performance.now();
  for (const feeds of timed) {
    const t = performance.now();
    await session.run(feeds);
    latencies.push(performance.now() - t);
  }
  times.push((performance.now() - start) / 1e3);
}
const throughput = batches(inputs.throughput, args.batchSize, withTypes);
const start = performance.now();
for (const feeds of throughput) await session.run(feeds);
const seconds = (performance.now() - start) / 1e3;
const sorted = [...times].sort((a, b) => a - b);
const result = {
  batch_size: args.batchSize,
  inference_time: percentile(times, 0.5),
  min: sorted[0],
  max: sorted[sorted.length - 1],
  memory_usage_mb: peakRssMb(),
  throughput_seq_per_s: inputs.throughput.length / seconds,
  throughput_sequences: inputs.throughput.length,
  latency_ms: {p50: percentile(latencies, 0.5), p90: percentile(latencies, 0.9),
               p99: percentile(latencies, 0.99)},
  backend: 'onnxruntime',
  version: JSON.parse(fs.readFileSync(new URL('./node_modules/onnxruntime-node/package.json',
                                              import.meta.url))).version,
  model: args.model,
  threads: args.threads,
};
fs.writeFileSync(args.out, JSON.stringify(result, null, 2));
