// Logits of an ONNX classifier in ONNX Runtime, for the tests that check greenbert's exports:
// each batch of IN.json ({"batches": [{"input_ids": [[...]], "attention_mask": [[...]],
// "token_type_ids": [[...]]}, ...]}, rows padded to one length) is run as is, with the inputs
// the model declares; OUT.json gets {"logits": [batch][row][label]}. Graph optimizations "all"
// (what users run: ORT's fusions must not change the result), one thread.
//
//   node scripts/baselines/ort_logits.mjs --model DIR/model.onnx --inputs IN.json --out OUT.json
import fs from 'node:fs';
import process from 'node:process';
import ort from 'onnxruntime-node';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
for (const required of ['model', 'inputs', 'out'])
  if (!args[required]) throw new Error(`--${required} is required`);

const session = await ort.InferenceSession.create(args.model, {
  graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1,
  executionMode: 'sequential'});
const logits = [];
for (const batch of JSON.parse(fs.readFileSync(args.inputs, 'utf8')).batches) {
  const rows = batch.input_ids.length, width = batch.input_ids[0].length;
  const feeds = {};
  for (const name of session.inputNames) {
    if (!batch[name]) throw new Error(`the inputs lack ${name}, which the model takes`);
    feeds[name] = new ort.Tensor('int64', BigInt64Array.from(batch[name].flat(), BigInt), [rows, width]);
  }
  const out = (await session.run(feeds)).logits;
  const labels = out.dims[1];
  logits.push(Array.from({length: rows}, (_, r) => Array.from(out.data.slice(r * labels, (r + 1) * labels))));
}
fs.writeFileSync(args.out, JSON.stringify({logits}));
