#!/bin/sh
# Installs the npm packages of package-lock.json: ONNX Runtime for Node.js (CPU binaries bundled),
# for `greenbert bench --baselines onnxruntime` and the tests that run greenbert's ONNX exports,
# and transformers.js (@huggingface/transformers, on the same onnxruntime-node), for the tests
# that load exported Hugging Face directories. Install scripts only fetch CUDA pieces (and fail
# offline), hence ONNXRUNTIME_NODE_INSTALL=skip and --ignore-scripts. package.json overrides
# sharp (transformers.js loads it at import) with 0.33.5: transformers 4.3 asks for sharp 0.35,
# which refuses Debian 12's Node.js 18 ("Requires >=20.9.0", seen on a fresh Debian 12 root). PyTorch comes from Debian
# (python3-torch, scripts/install-deps.sh). scripts/test.sh runs this.
set -e
cd "$(dirname "$0")"
# Installed already from this very lock file: nothing to do (npm ci would download it all again).
cmp -s package-lock.json node_modules/.installed-from-lock 2>/dev/null && exit 0
ONNXRUNTIME_NODE_INSTALL=skip npm ci --ignore-scripts --no-audit --no-fund
cp package-lock.json node_modules/.installed-from-lock
