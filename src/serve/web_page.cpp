#include "serve/web_page.h"

namespace greenbert {

const std::string& web_page() {
  static const std::string page = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>greenbert: arXiv category suggestions</title>
<style>
  :root { --ink: #1d2530; --muted: #5b6675; --line: #d8dde4; --accent: #2f7d4f; --bar: #9cc9ac; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
         color: var(--ink); background: #f6f7f9; }
  main { max-width: 860px; margin: 0 auto; padding: 24px 20px 48px; }
  h1 { font-size: 22px; margin: 0 0 4px; }
  #model { color: var(--muted); margin: 0 0 20px; min-height: 1.4em; }
  label { display: block; font-weight: 600; margin: 14px 0 4px; }
  input, textarea { width: 100%; padding: 8px 10px; border: 1px solid var(--line);
                    border-radius: 6px; font: inherit; background: #fff; }
  textarea { min-height: 180px; resize: vertical; }
  button { margin-top: 14px; padding: 9px 18px; border: 0; border-radius: 6px; font: inherit;
           font-weight: 600; color: #fff; background: var(--accent); cursor: pointer; }
  button:disabled { opacity: .6; cursor: wait; }
  #error { color: #a12a2a; margin-top: 12px; white-space: pre-wrap; }
  #summary { margin: 24px 0 8px; font-weight: 600; }
  .category { display: grid; grid-template-columns: 7.5em 1fr 13em 4.2em; gap: 10px;
              align-items: center; padding: 5px 0; border-bottom: 1px solid var(--line); }
  .category.suggested .code, .category.suggested .name { font-weight: 700; color: var(--accent); }
  .code { font-family: ui-monospace, Menlo, Consolas, monospace; }
  .name { color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .track { position: relative; height: 14px; background: #e9ecf0; border-radius: 3px; }
  .fill { position: absolute; left: 0; top: 0; bottom: 0; background: var(--bar);
          border-radius: 3px; }
  .suggested .fill { background: var(--accent); }
  .threshold { position: absolute; top: -3px; bottom: -3px; width: 2px; background: #c0392b; }
  .probability { text-align: right; font-variant-numeric: tabular-nums; }
  #stats { color: var(--muted); margin-top: 16px; }
  .legend { color: var(--muted); font-size: 13px; margin-top: 6px; }
  .legend i { display: inline-block; width: 2px; height: 11px; background: #c0392b;
              margin: 0 4px -1px 0; }
  #key-row { display: none; }
</style>
</head>
<body>
<main>
  <h1>Suggest arXiv categories</h1>
  <p id="model">Loading the model&hellip;</p>
  <form id="form">
    <label for="title">Title</label>
    <input id="title" name="title" autocomplete="off"
           placeholder="Attention Is All You Need">
    <label for="abstract">Abstract</label>
    <textarea id="abstract" name="abstract" required
              placeholder="Paste the abstract here (Ctrl+Enter to classify)"></textarea>
    <div id="key-row">
      <label for="api-key">API key</label>
      <input id="api-key" type="password" autocomplete="off">
    </div>
    <button id="classify" type="submit">Suggest categories</button>
  </form>
  <div id="error" role="alert"></div>
  <div id="summary"></div>
  <div id="results"></div>
  <div class="legend" id="legend" hidden><i></i>the model's decision threshold for the category;
    categories at or above it are suggested.</div>
  <div id="stats"><span id="time"></span> <span id="energy"></span></div>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const apiKey = () => $("api-key").value.trim();
function headers() {
  const h = { "Content-Type": "application/json" };
  if (apiKey()) h["Authorization"] = "Bearer " + apiKey();
  return h;
}
function percent(p) { return (100 * p).toFixed(p < 0.1 ? 1 : 0) + " %"; }
function energyText(e) {
  if (e.joules === null) return "Energy: not measured yet (the first seconds after start).";
  const j = e.joules;
  const value = j >= 1 ? j.toFixed(2) + " J" : j >= 1e-3 ? (j * 1e3).toFixed(2) + " mJ"
                                                : (j * 1e6).toFixed(1) + " \u00b5J";
  return "Energy: " + value + " (" + e.method + (e.source !== e.method ? ", " + e.source : "") +
         "), " +
         (e.g_co2eq * 1e3).toPrecision(2) + " mg CO\u2082eq.";
}
function show(answer, roundTripMs) {
  const result = answer.results[0];
  const results = $("results");
  results.textContent = "";
  for (const s of result.scores) {
    const row = document.createElement("div");
    row.className = "category" + (s.probability >= s.threshold ? " suggested" : "");
    row.dataset.label = s.label;
    row.dataset.probability = s.probability;
    row.dataset.threshold = s.threshold;
    const code = document.createElement("span");
    code.className = "code";
    code.textContent = s.label;
    const track = document.createElement("div");
    track.className = "track";
    track.title = "probability " + percent(s.probability) + ", threshold " + percent(s.threshold);
    const fill = document.createElement("div");
    fill.className = "fill";
    fill.style.width = (100 * s.probability).toFixed(2) + "%";
    const mark = document.createElement("div");
    mark.className = "threshold";
    mark.style.left = "calc(" + (100 * s.threshold).toFixed(2) + "% - 1px)";
    track.append(fill, mark);
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = s.name || "";
    const p = document.createElement("span");
    p.className = "probability";
    p.textContent = percent(s.probability);
    row.append(code, track, name, p);
    results.append(row);
  }
  $("legend").hidden = false;
  $("summary").textContent = result.labels.length
      ? "Suggested: " + result.labels.join(", ")
      : "No category reaches its threshold; the most probable are:";
  const t = answer.timing;
  $("time").textContent = "Time: " + t.total_ms.toFixed(1) + " ms in the service (inference " +
      t.inference_ms.toFixed(1) + " ms in a batch of " + t.batch_sequences + "), " +
      roundTripMs.toFixed(0) + " ms round trip, " + result.tokens + " tokens.";
  $("energy").textContent = energyText(answer.energy);
}
async function classify(event) {
  event.preventDefault();
  const abstract = $("abstract").value.trim();
  $("error").textContent = "";
  if (!abstract) { $("error").textContent = "Paste an abstract first."; return; }
  $("classify").disabled = true;
  const started = performance.now();
  try {
    const response = await fetch("/v1/classify", { method: "POST", headers: headers(),
      body: JSON.stringify({ inputs: [{ title: $("title").value.trim(), abstract }], top_k: 10 }) });
    const answer = await response.json();
    if (response.status === 401) $("key-row").style.display = "block";
    if (!response.ok) throw new Error(answer.error ? answer.error.message : response.statusText);
    show(answer, performance.now() - started);
  } catch (e) {
    $("error").textContent = String(e.message || e);
  } finally {
    $("classify").disabled = false;
  }
}
async function describeModel() {
  try {
    const response = await fetch("/v1/model", { headers: headers() });
    if (response.status === 401) { $("key-row").style.display = "block";
      $("model").textContent = "This service needs an API key."; return; }
    const m = await response.json();
    if (!response.ok) throw new Error(m.error ? m.error.message : response.statusText);
    $("model").textContent = m.name + " \u00b7 " + m.model_type + ", " + m.precision + ", " +
        m.labels.length + " categories, " + (m.activation === "softmax"
            ? "softmax over the categories (single-label)"
            : "sigmoid per category (multi-label)") + ", inputs: " + m.text;
  } catch (e) {
    $("model").textContent = "The model is not ready: " + (e.message || e);
    setTimeout(describeModel, 2000);
  }
}
$("form").addEventListener("submit", classify);
$("abstract").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) classify(e);
});
describeModel();
</script>
</body>
</html>
)html";
  return page;
}

}  // namespace greenbert
