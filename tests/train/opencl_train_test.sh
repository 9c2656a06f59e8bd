#!/usr/bin/env bash
# cpq-train --target host-opencl (docs/gpu.md): tiny_net W2A2 trained for 8
# steps with kernels compiled for OpenCL (run on PoCL, the CPU) and with the
# host's x86 kernels, from the same seed and data: the OpenCL kernel's
# manifest names the device, and the two runs end with the same test
# accuracy and train and test losses within 1% (float rounding of the two
# back ends through eight steps).
#
#   opencl_train_test.sh BUILD_DIR NET CACHE SCRATCH
set -euo pipefail
build=$1 net=$2 cache=$3 scratch=$4
rm -rf "$scratch" && mkdir -p "$scratch"
train="$build/tools/cpq-train/cpq-train"
common=(--bits W2A2 --epochs 1 --train-limit 256 --test-limit 200 --batch 32 --cache "$cache")

"$train" "$net" "${common[@]}" -o "$scratch/host" > "$scratch/host.log" 2>&1 ||
  { tail -20 "$scratch/host.log" >&2; exit 1; }
"$train" "$net" "${common[@]}" --target host-opencl -o "$scratch/opencl" > "$scratch/opencl.log" 2>&1 ||
  { tail -20 "$scratch/opencl.log" >&2; exit 1; }
grep -rl '"device": "opencl"' "$cache" > /dev/null || { echo "opencl_train_test: no kernel manifest names the device" >&2; exit 1; }

/usr/bin/python3 - "$scratch/host/log.csv" "$scratch/opencl/log.csv" <<'PY'
import csv, sys
host, opencl = (list(csv.DictReader(open(p)))[-1] for p in sys.argv[1:3])
print("host:  ", {k: host[k] for k in ("step", "train_loss", "test_loss", "test_accuracy")})
print("opencl:", {k: opencl[k] for k in ("step", "train_loss", "test_loss", "test_accuracy")})
assert host["step"] == opencl["step"] == "8", "both runs take 8 steps"
for key in ("train_loss", "test_loss"):
    a, b = float(host[key]), float(opencl[key])
    assert abs(a - b) <= 0.01 * abs(a), f"{key}: {b} on OpenCL, {a} on the host"
assert host["test_accuracy"] == opencl["test_accuracy"], "test accuracies differ"
PY
echo "opencl_train_test: passed"
