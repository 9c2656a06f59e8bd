#!/usr/bin/env bash
# cpq-gradient-study on tiny_net: at a short W3A3 run's values, the STE's
# weight gradients without DropBits have no variance over masks and with
# DropBits some; every configuration and weight tensor is a row of the CSV
# and of --json; bad input is refused with a message.
#
#   gradient_study_test.sh BUILD_DIR NET CACHE SCRATCH
set -euo pipefail
build=$1 net=$2 cache=$3 scratch=$4
rm -rf "$scratch" && mkdir -p "$scratch"
study="$build/examples/cpq-gradient-study"
fail() { echo "gradient_study_test: $*" >&2; exit 1; }

"$build/tools/cpq-train/cpq-train" "$net" --bits W3A3 --epochs 1 --train-limit 512 --test-limit 100 --batch 32 \
  --cache "$cache" --quiet -o "$scratch/run" > "$scratch/train.log" 2>&1 || fail "training failed: $(tail -3 "$scratch/train.log")"
"$study" "$net" --params "$scratch/run/params.safetensors" --bits W3A3 --dropbits 0.5 --batches 2 --draws 4 \
  --batch 16 --cache "$cache" -o "$scratch/grad.csv" > "$scratch/grad.log" 2>&1 || fail "study failed: $(tail -3 "$scratch/grad.log")"
python3 - "$scratch/grad.csv" <<'PY' || fail "CSV: $(cat "$scratch/grad.csv")"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert list(rows[0]) == ["config", "dropbits", "mode", "tensor", "cosine", "rel_error", "rel_var", "batch_var"], list(rows[0])
configs = sorted({r["config"] for r in rows})
assert configs == ["off", "p0.5-hierarchical", "p0.5-independent"], configs
assert sorted({r["tensor"] for r in rows}) == ["conv1.weight", "fc.weight"]
for r in rows:
    assert -1.0 <= float(r["cosine"]) <= 1.0 and float(r["rel_error"]) >= 0 and float(r["batch_var"]) > 0, r
    if r["config"] == "off":
        assert float(r["rel_var"]) == 0.0, r          # no masks, no variance
    else:
        assert float(r["rel_var"]) > 0.0, r           # p = 0.5 drops levels
PY
"$study" "$net" --params "$scratch/run/params.safetensors" --bits W3A3 --dropbits 0.5 --batches 1 --draws 2 \
  --batch 16 --cache "$cache" --json > "$scratch/grad.json" 2> /dev/null || fail "--json failed"
python3 -c "import json,sys; j=json.load(open(sys.argv[1])); assert len(j['rows']) == 6, j" "$scratch/grad.json" ||
  fail "--json: $(cat "$scratch/grad.json")"

# Refusals.
refused() { # expected message, then the arguments
  local expected=$1; shift
  if "$study" "$@" > "$scratch/bad.log" 2>&1; then fail "accepted: $*"; fi
  grep -q "$expected" "$scratch/bad.log" || fail "no '$expected' for $*: $(cat "$scratch/bad.log")"
}
refused "give the network file and --params" "$net"
refused "n in 2..8" "$net" --params "$scratch/run/params.safetensors" --bits W1A1
refused "probabilities in (0, 1)" "$net" --params "$scratch/run/params.safetensors" --dropbits 1.5
refused "draws at least 2" "$net" --params "$scratch/run/params.safetensors" --draws 1
refused "$scratch/none.safetensors" "$net" --params "$scratch/none.safetensors"
echo "gradient_study_test: ok"
