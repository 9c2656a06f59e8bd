#!/usr/bin/env bash
# examples/bits_study.sh on tiny_net and small Fashion-MNIST subsets: an
# interrupted study leaves its runs to be resumed and the fine-tune of a
# learned configuration waits for its learning run; the second call resumes
# them, fixes the learned widths (cpq-opt) and writes the CSVs, the table
# and the plots; a third call trains nothing; bad arguments are refused.
#
#   bits_study_test.sh SOURCE_DIR BUILD_DIR NET CACHE SCRATCH
set -euo pipefail
src=$1 build=$2 net=$3 cache=$4 scratch=$5
script="$src/examples/bits_study.sh"
rm -rf "$scratch" && mkdir -p "$scratch"
export CPQ_BUILD="$build" CPQ_STUDY_NET="$net" CPQ_STUDY_DIR="$scratch/bits"
export CPQ_STUDY_CONFIGS="learn-1e-6 learn-1e-6-ft w2a2 w3a3-p0.05-ind"
small="--train-limit 256 --test-limit 100 --batch 32 --cache $cache"
fail() { echo "bits_study_test: $*" >&2; exit 1; }

# 1. Every run stops after 3 steps: nothing finishes, the fine-tunes wait.
if CPQ_STUDY_OPTIONS="$small --stop-after-steps 3" "$script" 2 "1 2" > "$scratch/first.log" 2>&1; then
  fail "a study of unfinished runs succeeded"
fi
grep -q "no finished runs" "$scratch/first.log" || fail "no 'no finished runs' message: $(tail -3 "$scratch/first.log")"
grep -q "learn-1e-6-ft-seed1: waits for .*learn-1e-6-seed1 to finish" "$scratch/first.log" ||
  fail "the fine-tune did not wait for its learning run"

# 2. The second call resumes the six runs, runs the fine-tunes, and writes
#    everything.
CPQ_STUDY_OPTIONS="$small" "$script" 2 "1 2" > "$scratch/second.log" 2>&1 ||
  fail "second call failed: $(tail -5 "$scratch/second.log")"
[ "$(grep -c "resuming from its checkpoint" "$scratch/second.log")" = 6 ] || fail "not every run resumed"
[ -f "$scratch/bits/learn-1e-6-ft-seed2/mixed.mlir" ] || fail "no assigned network for the fine-tune"
grep -q "gates" "$scratch/bits/learn-1e-6-ft-seed2/mixed.mlir" && fail "the fine-tuned network still has gates"
grep -q '"bits": "as written"' "$scratch/bits/learn-1e-6-ft-seed2/summary.json" || fail "the fine-tune is not the assigned network"
for f in study.csv summary.csv study.md accuracy-bits.png dropbits.png layer-bits.png; do
  [ -s "$scratch/bits/$f" ] || fail "no $f"
done
[ "$(head -c 4 "$scratch/bits/accuracy-bits.png" | tail -c 3)" = PNG ] || fail "accuracy-bits.png is not a PNG"
# One row a run, the per-tensor bits as columns.
[ "$(tail -n +2 "$scratch/bits/study.csv" | wc -l)" = 8 ] || fail "study.csv has not 8 runs: $(cat "$scratch/bits/study.csv")"
head -1 "$scratch/bits/study.csv" | grep -q "average_weight_bits,model_bits,seconds,bits:conv1.weight,bits:act1,bits:fc.weight" ||
  fail "study.csv columns: $(head -1 "$scratch/bits/study.csv")"
grep -q "^w3a3-p0.05-ind,1,fixed,W3A3,0.05,independent," "$scratch/bits/study.csv" || fail "DropBits row malformed"
grep -q "^learn-1e-6-ft,2,ft,W4A4 max,0.0,,1e-06,1," "$scratch/bits/study.csv" || fail "learned row malformed"
# Mean and spread: the mean is the mean of the seeds' accuracies.
python3 - "$scratch/bits" <<'EOF' || fail "summary.csv is not the mean of study.csv"
import csv, statistics, sys
runs = list(csv.DictReader(open(sys.argv[1] + "/study.csv")))
for row in csv.DictReader(open(sys.argv[1] + "/summary.csv")):
    accs = [float(r["test_accuracy"]) for r in runs if r["config"] == row["config"]]
    assert len(accs) == int(row["seeds"]) == 2, row
    assert abs(statistics.mean(accs) - float(row["accuracy_mean"])) < 0.006, (row, accs)
    assert abs(statistics.stdev(accs) - float(row["accuracy_spread"])) < 0.006, (row, accs)
EOF

# 3. A third call trains nothing.
CPQ_STUDY_OPTIONS="$small" "$script" 2 "1 2" > "$scratch/third.log" 2>&1 || fail "third call failed"
[ "$(grep -c ": done$" "$scratch/third.log")" = 8 ] || fail "third call did not skip every run"

# 4. Bad arguments.
for args in "1" "x" "2 a"; do
  # shellcheck disable=SC2086
  if "$script" $args > "$scratch/bad.log" 2>&1; then fail "'$args' was accepted"; fi
done
if CPQ_STUDY_CONFIGS="w9a9" "$script" 2 "1" > "$scratch/bad.log" 2>&1; then fail "an unknown configuration was accepted"; fi
grep -q "names 'w9a9', which is no configuration" "$scratch/bad.log" || fail "no message for an unknown configuration"
echo "bits_study_test: ok"
