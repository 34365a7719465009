#!/usr/bin/env bash
# Stands in for greenbert's stage commands in tests/study_test.cpp (greenbert study
# --stage-exe): each stage writes what the real one would, copied from the fixture study
# STUB_FIXTURE (tests/data/study/two_models), so that the study's orchestration (manifest,
# skipping, resuming, failures) is tested without training anything. The fixture is a study
# begun before fp32 was spelled one way: its fp32 files are under the name "f32" (layout 1), which
# fixture() maps a stage's paths to. `report` runs the real
# greenbert (STUB_GREENBERT). Every call is appended to STUB_LOG. Test hooks:
#   STUB_FAIL=REGEX    a stage whose arguments match exits 1
#   STUB_HANG=MODEL    that model's training leaves a checkpoint, touches STUB_LOG.hang and
#                      sleeps until killed (unless resumed with --resume)
set -euo pipefail
echo "$*" >> "$STUB_LOG"
option() {  # the value of option $1 among the other arguments
  local name=$1
  shift
  while [ $# -gt 1 ]; do
    if [ "$1" = "$name" ]; then echo "$2"; return; fi
    shift
  done
  echo "stub: no $name" >&2
  exit 2
}
fixture() {  # the fixture's copy of a study path
  echo "$STUB_FIXTURE/${1//fp32/f32}"
}
if [ -n "${STUB_FAIL:-}" ] && [[ "$*" =~ $STUB_FAIL ]]; then
  echo "stub: failing on purpose" >&2
  exit 1
fi
case "$1" in
  data)
    out=$(option --out "$@")
    mkdir -p "$out"
    for split in train val test; do echo "titles,summaries,terms" > "$out/$split.csv"; done
    echo '{}' > "$out/labels.json" ;;
  vocab)
    out=$(option --out "$@")
    mkdir -p "$(dirname "$out")"
    printf '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n' > "$out"
    echo '{}' > "$(dirname "$out")/tokenizer_config.json" ;;
  train)
    out=$(option --out "$@")
    model=$(basename "$(dirname "$out")")
    mkdir -p "$out"
    if [ "${STUB_HANG:-}" = "$model" ] && [[ " $* " != *" --resume "* ]]; then
      mkdir -p "$out/checkpoint"
      touch "$STUB_LOG.hang"
      exec sleep 60
    fi
    cp "$(fixture "$out")"/* "$out/"
    echo '{}' > "$out/config.json"
    echo "$model weights" > "$out/model.safetensors" ;;
  eval)
    dir=$(option --model "$@")
    cat "$(fixture "results/$(basename "$(dirname "$dir")")/eval-$(basename "$dir").json")" ;;
  quantize)
    out=$(option --out "$@")
    mkdir -p "$out"
    echo '{}' > "$out/config.json"
    echo "$(option --precision "$@") weights" > "$out/model.safetensors" ;;
  bench)
    out=$(option --out "$@")
    mkdir -p "$(dirname "$out")"
    cp "$(fixture "$out")" "$out" ;;
  report)
    exec "$STUB_GREENBERT" "$@" ;;
  *)
    echo "stub: unknown stage $1" >&2
    exit 2 ;;
esac
