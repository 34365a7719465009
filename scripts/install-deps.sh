#!/usr/bin/env bash
# Installs greenbert's build and test dependencies from Debian 12's packages (nothing else).
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  libdnnl-dev          # GEMM (fp32, bf16, int8) with AVX-512 / VNNI / AMX kernels
  libutf8proc-dev      # Unicode data for the tokenizer (categories, NFD, case folding)
  nlohmann-json3-dev   # config.json, labels.json, safetensors headers, reports
  libcli11-dev         # command line
  libcpp-httplib-dev   # `greenbert serve`
  libopenmpi-dev openmpi-bin  # `mpirun -np N greenbert train` (data-parallel training)
  libonnx-dev libprotobuf-dev  # `greenbert export --to onnx` (ONNX's protobuf classes, checker)
  libgtest-dev libgmock-dev libbenchmark-dev
  gnuplot-nox          # report plots (PNG + SVG)
  python3-torch        # tests: exported checkpoints run in PyTorch (scripts/torch_bert.py)
  chromium nodejs      # browser tests of the report and of serve's page (puppeteer-core, npm)
  clang-format         # the formatting check of CI (scripts/check-format.sh)
  ccache               # builds reuse what an earlier build (another clone too) compiled
)
# Tests run exported models in ONNX Runtime and transformers.js and drive chromium with
# puppeteer-core (npm packages). NodeSource's nodejs bundles its own npm.
command -v npm >/dev/null || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
