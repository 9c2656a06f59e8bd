#!/usr/bin/env bash
# examples/compression_table.sh on tiny_net and small Fashion-MNIST subsets,
# two seeds: the table has the float and W2A2 rows and the fourteen
# compression rows with
# per-seed accuracies, mean and spread; table.csv has a row per compressed
# model whose figures are the JSON lines'; accuracy.png is a PNG; a second
# call compresses nothing and touches no file; a removed result is made
# again (and only it); a failing compression stops the script with its
# output; bad arguments are refused.
#
#   compression_table_test.sh SOURCE_DIR BUILD_DIR NET CACHE SCRATCH
set -euo pipefail
src=$1 build=$2 net=$3 cache=$4 scratch=$5
script="$src/examples/compression_table.sh"
rm -rf "$scratch" && mkdir -p "$scratch"
export CPQ_BUILD="$build" CPQ_COMPRESS_NET="$net" CPQ_COMPRESS_DIR="$scratch/table" CPQ_COMPRESS_EPOCHS=1
export CPQ_TRAIN_OPTIONS="--train-limit 1000 --test-limit 300 --cache $cache"
export CPQ_COMPRESS_OPTIONS="--train-limit 1000 --test-limit 300 --cache $cache"

fail() { echo "compression_table_test: $*" >&2; exit 1; }

# 1. The whole table, two seeds.
"$script" "1 2" > "$scratch/first.log" 2>&1 || fail "first call failed: $(tail -20 "$scratch/first.log")"
md="$scratch/table/table.md"
[ -f "$md" ] || fail "no table.md"
rows=$(grep -c '^| [a-zA-Z]' "$md")
[ "$rows" = 17 ] || fail "table has $rows rows (with the header), expected 17: $(cat "$md")"
grep -Eq '^\| CPQ W2A2 \(reference, packed\) \| [0-9.]+ / [0-9.]+ \| [0-9.]+ ± [0-9.]+ \| [-+][0-9.]+ \| [0-9.]+ \|' "$md" || fail "W2A2 row malformed"
grep -Eq '^\| float32 \(reference\) \| [0-9]+\.[0-9]{2} / [0-9]+\.[0-9]{2} \| [0-9.]+ ± [0-9.]+ \|' "$md" || fail "float row malformed"
grep -Eq '^\| pruned \+ ECSQ, 3 bits \| [0-9.]+ / [0-9.]+ \| [0-9.]+ ± [0-9.]+ \| [-+][0-9.]+ \| [0-9.]+ ± [0-9.]+ \| [0-9.]+ \|' "$md" ||
  fail "pruned ECSQ row malformed: $(grep ECSQ "$md")"
python3 - "$scratch/table" <<'PY' || fail "table.csv does not match the runs"
import csv, json, statistics, sys
folder = sys.argv[1]
rows = list(csv.DictReader(open(f"{folder}/table.csv")))
assert len(rows) == 28, len(rows)
for r in rows:
    j = json.load(open(f"{folder}/{r['config']}-seed{r['seed']}.json"))
    assert abs(float(r["ratio"]) - j["ratio"]) < 1e-9 and abs(float(r["test_accuracy"]) - j["test_accuracy"]) < 1e-12, r
    if "pruned" in r["config"]:
        assert abs(j["sparsity"] - (0.95 if r["config"].startswith("pruned95") else 0.9)) < 0.02, j
        assert j["entropy"] <= 3.05, j
    elif r["config"] == "w2a2-grid":
        # The W2A2 run coded exactly on its grids: its own accuracy.
        assert j["method"] == "grid" and j["sparsity"] == 0 and j["test_accuracy"] == j["reference_accuracy"], j
    else:
        assert j["sparsity"] == 0 and j["entropy"] <= 2.05, j
# The table's mean is the mean of its seeds.
for line in open(f"{folder}/table.md"):
    if line.startswith("| Hessian k-means (diagonal), 4 |"):
        cells = line.split("|")
        accs = [float(a) for a in cells[2].split(" / ")]
        assert abs(statistics.mean(accs) - float(cells[3].split()[0])) < 0.006, line
        break
else:
    raise AssertionError("no Hessian k-means (diagonal) row")
PY
[ "$(head -c 8 "$scratch/table/accuracy.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "accuracy.png is not a PNG"

# 2. A second call compresses nothing and touches nothing.
before=$(stat -c %Y "$scratch"/table/*.json "$scratch"/table/*.cpqz | md5sum)
"$script" "1 2" > "$scratch/second.log" 2>&1 || fail "second call failed"
[ "$(grep -c ": done$" "$scratch/second.log")" = 32 ] || fail "second call did not skip every run: $(cat "$scratch/second.log")"
[ "$before" = "$(stat -c %Y "$scratch"/table/*.json "$scratch"/table/*.cpqz | md5sum)" ] || fail "second call touched the results"

# 3. A removed result is made again, and only it.
rm "$scratch/table/ecsq-seed2.json"
"$script" "1 2" > "$scratch/third.log" 2>&1 || fail "third call failed"
[ "$(grep -c ": done$" "$scratch/third.log")" = 31 ] || fail "third call redid more than the removed result"
grep -q "== .*table/ecsq-seed2 (--method ecsq" "$scratch/third.log" || fail "the removed result was not made again"

# 4. A failing compression stops the script and shows why.
rm "$scratch/table/kmeans-seed1.json"
CPQ_COMPRESS_OPTIONS="--lr -1" "$script" "1" > "$scratch/failing.log" 2>&1 && fail "a failing compression was not reported"
grep -q "cpq-compress failed for .*kmeans-seed1" "$scratch/failing.log" || fail "no message for the failing compression"
grep -q -- "--lr" "$scratch/failing.log" || fail "cpq-compress's own message not shown: $(cat "$scratch/failing.log")"

# 5. Bad arguments.
"$script" "1 x" > "$scratch/bad.log" 2>&1 && fail "seed x accepted"
grep -q "seeds must be integers" "$scratch/bad.log" || fail "no message for seed x"
CPQ_COMPRESS_EPOCHS=0 "$script" > "$scratch/bad.log" 2>&1 && fail "0 epochs accepted"
grep -q "CPQ_COMPRESS_EPOCHS must be a positive integer" "$scratch/bad.log" || fail "no message for 0 epochs"
CPQ_COMPRESS_NET="$scratch/missing.mlir" "$script" > "$scratch/bad.log" 2>&1 && fail "missing network accepted"
grep -q "missing.mlir: no such network file" "$scratch/bad.log" || fail "no message for a missing network"
echo "compression_table_test: passed"
