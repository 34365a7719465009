// transformers.js's text-classification pipeline on an exported Hugging Face directory, offline
// (no hub): the tokenizer from tokenizer.json + tokenizer_config.json, the model from
// onnx/model.onnx (dtype fp32) or onnx/model_quantized.onnx (q8), the sigmoid from config.json's
// problem_type. OUT.json gets, per text, every label with its score.
//
//   node scripts/baselines/transformers_js_classify.mjs --model HF_DIR --texts TEXTS.json \
//       [--dtype fp32|q8] --out OUT.json
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {env, pipeline} from '@huggingface/transformers';

const args = {dtype: 'fp32'};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
for (const required of ['model', 'texts', 'out'])
  if (!args[required]) throw new Error(`--${required} is required`);

env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = path.dirname(path.resolve(args.model)) + path.sep;
const classify = await pipeline('text-classification', path.basename(path.resolve(args.model)),
                                {dtype: args.dtype, device: 'cpu'});
const texts = JSON.parse(fs.readFileSync(args.texts, 'utf8'));
const results = [];
for (const text of texts) results.push(await classify(text, {top_k: null}));
fs.writeFileSync(args.out, JSON.stringify({results}));
