#!/usr/bin/env bash
# examples/accuracy_table.sh on tiny_net and small Fashion-MNIST subsets:
# an interrupted table gives no table and says which runs are unfinished, a
# second call continues those runs from their checkpoints, starts the runs
# fine-tuned from the float ones (which wait for them) and prints the table
# (nine rows, per-seed accuracies, mean and spread), a third call trains
# nothing, and bad arguments are refused.
#
#   accuracy_table_test.sh SOURCE_DIR BUILD_DIR NET CACHE SCRATCH
set -euo pipefail
src=$1 build=$2 net=$3 cache=$4 scratch=$5
script="$src/examples/accuracy_table.sh"
rm -rf "$scratch" && mkdir -p "$scratch"
export CPQ_BUILD="$build" CPQ_TABLE_NET="$net" CPQ_TABLE_DIR="$scratch/table"
small="--train-limit 256 --test-limit 200 --batch 32 --cache $cache"

fail() { echo "accuracy_table_test: $*" >&2; exit 1; }

# 1. Every run stops after 3 of its 8 steps: no table, the runs are named.
if CPQ_TABLE_OPTIONS="$small --stop-after-steps 3" "$script" 1 "1 2" > "$scratch/first.log" 2>&1; then
  fail "an interrupted table succeeded"
fi
grep -q "these runs have not finished" "$scratch/first.log" || fail "no 'not finished' message: $(tail -5 "$scratch/first.log")"
grep -q "table/w2a2-dropbits-seed2" "$scratch/first.log" || fail "the unfinished runs are not named"
grep -q "table/w2a2-from-fp32-seed1: waits for .*table/fp32-seed1 to finish" "$scratch/first.log" ||
  fail "a fine-tuned run did not wait for its float run"
[ ! -e "$scratch/table/w2a2-from-fp32-seed1" ] || fail "a fine-tuned run started from an unfinished float run"
[ ! -e "$scratch/table/table.md" ] || fail "a table was written from unfinished runs"

# 2. The second call resumes all fourteen runs and writes the table.
CPQ_TABLE_OPTIONS="$small" "$script" 1 "1 2" > "$scratch/second.log" 2>&1 || fail "second call failed: $(tail -5 "$scratch/second.log")"
[ "$(grep -c "resuming from its checkpoint" "$scratch/second.log")" = 14 ] || fail "not every run resumed"
grep -q "w2a2-from-fp32-seed2 (--bits W2A2 --lr 3e-4 --init-from .*table/fp32-seed2/params.safetensors" \
  "$scratch/second.log" || fail "no fine-tuned run from the float run of its seed"
[ -f "$scratch/table/table.md" ] || fail "no table.md"
rows=$(grep -c '^| [FW]' "$scratch/table/table.md")
[ "$rows" = 9 ] || fail "table has $rows rows, expected 9"
# Per-seed accuracies, mean +- spread, and a gap to FP32 on every quantized row.
grep -Eq '^\| FP32 \| [0-9]+\.[0-9]{2} / [0-9]+\.[0-9]{2} \| [0-9]+\.[0-9]{2} ± [0-9]+\.[0-9]{2} \|  \|' "$scratch/table/table.md" ||
  fail "FP32 row malformed: $(grep FP32 "$scratch/table/table.md")"
grep -Eq '^\| W2A2 \+ DropBits \| [0-9.]+ / [0-9.]+ \| [0-9.]+ ± [0-9.]+ \| [-+][0-9]+\.[0-9]{2} \|' "$scratch/table/table.md" ||
  fail "W2A2 + DropBits row malformed"
# The mean is the mean of the printed accuracies.
awk -F'|' '/^\| W3A3 \|/ { split($3, a, " / "); m = (a[1] + a[2]) / 2; split($4, b, " ");
  if (m - b[1] > 0.006 || b[1] - m > 0.006) exit 1 }' "$scratch/table/table.md" || fail "W3A3 mean is not the mean of its seeds"

# 3. A third call trains nothing and leaves the runs untouched.
before=$(stat -c %Y "$scratch"/table/*/summary.json | sort | md5sum)
CPQ_TABLE_OPTIONS="$small" "$script" 1 "1 2" > "$scratch/third.log" 2>&1 || fail "third call failed"
[ "$(grep -c ": done$" "$scratch/third.log")" = 18 ] || fail "third call did not skip every run"
[ "$before" = "$(stat -c %Y "$scratch"/table/*/summary.json | sort | md5sum)" ] || fail "third call touched the runs"

# 4. Bad arguments.
"$script" 0 > "$scratch/bad.log" 2>&1 && fail "0 epochs accepted"
grep -q "epochs must be a positive integer" "$scratch/bad.log" || fail "no message for 0 epochs"
"$script" 1 "1 x" > "$scratch/bad.log" 2>&1 && fail "seed x accepted"
grep -q "seeds must be integers" "$scratch/bad.log" || fail "no message for seed x"
CPQ_TABLE_NET="$scratch/missing.mlir" "$script" 1 > "$scratch/bad.log" 2>&1 && fail "missing network accepted"
grep -q "missing.mlir: no such network file" "$scratch/bad.log" || fail "no message for a missing network"
echo "accuracy_table_test: passed"
