#!/bin/sh
# Installs ONNX Runtime for Node.js (CPU binaries bundled) for the onnxruntime baseline of
# `greenbert bench --baselines onnxruntime`. The postinstall script only fetches CUDA pieces and
# fails offline, hence --ignore-scripts. PyTorch and onnx come from Debian (python3-torch,
# python3-onnx) for /usr/bin/python3. CI does not need any of this.
set -e
cd "$(dirname "$0")"
npm install --ignore-scripts --no-audit --no-fund
