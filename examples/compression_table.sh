#!/usr/bin/env bash
# The compression table of the README (the third seed, "Towards the Limit of
# Network Quantization"): LeNet-5 on Fashion-MNIST trained in float32 by
# cpq-train, then compressed by cpq-compress with every method (k-means,
# Hessian-weighted k-means with Adam's second moments and with the loss's
# Hessian diagonal, uniform and ECSQ at a target rate), each without pruning
# (2 bits per weight) and with 90% of the weights pruned (3 bits per kept
# weight; and ECSQ at 2 bits, and at 95% pruning), one codebook for the
# network; and the same network trained with CPQ at W2A2 (fine-tuned from
# the float run, as in the accuracy table) coded on its own grids
# (--method grid), without and with 90% pruning; over several seeds; then
# mean and spread of test accuracy and compression ratio, a CSV and a PNG
# plot.
#
#   examples/compression_table.sh [seeds]     (default: seeds "1 2 3")
#
# Files go to runs/compress: fp32-seed<S> (the float run, trained for
# CPQ_COMPRESS_EPOCHS epochs, default 8), w2a2-seed<S> (the CPQ run, as many
# epochs from the float run's parameters), <config>-seed<S>.cpqz with its
# kernel, .log and .json (the cpq-compress --json line), and at the end
# table.md, table.csv (one row per compressed model) and accuracy.png
# (accuracy against compression ratio, mean and spread over seeds). The
# script can be stopped and run again: a float run continues from its
# checkpoint (cpq-train --resume), a finished compression (its .json) is kept,
# an unfinished one starts again. Seeds go round all configurations before
# the next seed starts.
#
# Environment: CPQ_BUILD the build folder (default build); CPQ_COMPRESS_NET the
# network (default examples/networks/lenet5.mlir); CPQ_COMPRESS_DIR the
# folder (default runs/compress); CPQ_COMPRESS_EPOCHS the float runs' epochs;
# CPQ_TRAIN_OPTIONS more cpq-train options and CPQ_COMPRESS_OPTIONS more
# cpq-compress options for every run (e.g. "--train-limit 1000 --test-limit 1000").
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-"1 2 3"}
net=${CPQ_COMPRESS_NET:-examples/networks/lenet5.mlir}
dir=${CPQ_COMPRESS_DIR:-runs/compress}
epochs=${CPQ_COMPRESS_EPOCHS:-8}
train_extra=${CPQ_TRAIN_OPTIONS:-}
extra=${CPQ_COMPRESS_OPTIONS:-}
build=${CPQ_BUILD:-build}
train="$build/tools/cpq-train/cpq-train" compress="$build/tools/cpq-compress/cpq-compress"
for tool in "$train" "$compress"; do
  if [ ! -x "$tool" ]; then
    echo "compression_table.sh: $tool not found; build first (cmake --preset default && cmake --build --preset default)" >&2
    exit 1
  fi
done
case "$epochs" in '' | *[!0-9]* | 0) echo "compression_table.sh: CPQ_COMPRESS_EPOCHS must be a positive integer, got '$epochs'" >&2; exit 1 ;; esac
for seed in $seeds; do
  case "$seed" in *[!0-9]*) echo "compression_table.sh: seeds must be integers, got '$seed'" >&2; exit 1 ;; esac
done
if [ -z "${seeds// /}" ]; then echo "compression_table.sh: no seeds given" >&2; exit 1; fi
if [ ! -f "$net" ]; then echo "compression_table.sh: $net: no such network file" >&2; exit 1; fi
command -v gnuplot > /dev/null || { echo "compression_table.sh: gnuplot not found (apt-get install gnuplot-nox)" >&2; exit 1; }

# name | the run compressed | cpq-compress options (--seed is added)
configs=(
  "kmeans|fp32|--method kmeans --clusters 4 --hessian none --fine-tune-epochs 1"
  "hkmeans-adam|fp32|--method hkmeans --clusters 4 --hessian adam --fine-tune-epochs 1"
  "hkmeans-diag|fp32|--method hkmeans --clusters 4 --hessian diag --fine-tune-epochs 1"
  "uniform|fp32|--method uniform --rate 2 --fine-tune-epochs 1"
  "ecsq|fp32|--method ecsq --rate 2 --fine-tune-epochs 1"
  "pruned-kmeans|fp32|--prune 0.9 --method kmeans --clusters 8 --hessian none --fine-tune-epochs 3"
  "pruned-hkmeans-adam|fp32|--prune 0.9 --method hkmeans --clusters 8 --hessian adam --fine-tune-epochs 3"
  "pruned-hkmeans-diag|fp32|--prune 0.9 --method hkmeans --clusters 8 --hessian diag --fine-tune-epochs 3"
  "pruned-uniform|fp32|--prune 0.9 --method uniform --rate 3 --fine-tune-epochs 3"
  "pruned-ecsq|fp32|--prune 0.9 --method ecsq --rate 3 --fine-tune-epochs 3"
  "pruned-ecsq-2bits|fp32|--prune 0.9 --method ecsq --rate 2 --fine-tune-epochs 3"
  "pruned95-ecsq|fp32|--prune 0.95 --method ecsq --rate 3 --fine-tune-epochs 3"
  "w2a2-grid|w2a2|--method grid"
  "w2a2-pruned-grid|w2a2|--prune 0.9 --method grid --fine-tune-epochs 3"
)

mkdir -p "$dir"
# train NAME SEED OPTIONS...: the run $dir/NAME-seedSEED, resumed if cut short.
train_run() {
  local run="$dir/$1-seed$2" seed=$2
  shift 2
  if [ -f "$run/summary.json" ] && grep -q "\"epochs\": $epochs," "$run/summary.json"; then
    echo "== $run: done"
    return
  fi
  local resume=--overwrite note=""
  if [ -f "$run/checkpoint.safetensors" ] && [ ! -f "$run/summary.json" ]; then
    resume=--resume note=", resuming from its checkpoint"
  fi
  echo "== $run ($*, $epochs epochs, seed $seed$note)"
  # shellcheck disable=SC2086  # options are words
  "$train" "$net" "$@" $train_extra --epochs "$epochs" --seed "$seed" -o "$run" $resume --quiet
}
for seed in $seeds; do
  train_run fp32 "$seed" --bits FP32
  train_run w2a2 "$seed" --bits W2A2 --lr 3e-4 --init-from "$dir/fp32-seed$seed/params.safetensors"
  for config in "${configs[@]}"; do
    name=${config%%|*}
    rest=${config#*|}
    from="$dir/${rest%%|*}-seed$seed"
    options=${rest#*|}
    out="$dir/$name-seed$seed"
    if [ -f "$out.json" ]; then
      echo "== $out: done"
      continue
    fi
    echo "== $out ($options, seed $seed)"
    start=$(date +%s)
    # shellcheck disable=SC2086  # options are words
    if ! "$compress" "$from" $options $extra --seed "$seed" --json --quiet -o "$out.cpqz" > "$out.log" 2>&1; then
      echo "compression_table.sh: cpq-compress failed for $out; its output:" >&2
      tail -20 "$out.log" >&2
      exit 1
    fi
    # The JSON line, with the run's wall time, written under a temporary name.
    python3 - "$out.log" "$out.json" "$(( $(date +%s) - start ))" <<'EOF'
import json, os, sys
line = open(sys.argv[1]).read().strip().splitlines()[-1]
j = json.loads(line)
j["seconds"] = int(sys.argv[3])
with open(sys.argv[2] + ".tmp", "w") as f:
    json.dump(j, f)
    f.write("\n")
os.replace(sys.argv[2] + ".tmp", sys.argv[2])
EOF
  done
done

python3 - "$dir" "$net" "$epochs" "$extra" $seeds <<'EOF'
import csv, json, os, statistics, subprocess, sys
folder, net, epochs, extra, seeds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
labels = [("kmeans", "k-means, 4 clusters"), ("hkmeans-adam", "Hessian k-means (Adam), 4"),
          ("hkmeans-diag", "Hessian k-means (diagonal), 4"), ("uniform", "uniform, 2 bits"),
          ("ecsq", "ECSQ, 2 bits"),
          ("pruned-kmeans", "pruned 90% + k-means, 8"), ("pruned-hkmeans-adam", "pruned + Hessian k-means (Adam), 8"),
          ("pruned-hkmeans-diag", "pruned + Hessian k-means (diagonal), 8"), ("pruned-uniform", "pruned + uniform, 3 bits"),
          ("pruned-ecsq", "pruned + ECSQ, 3 bits"), ("pruned-ecsq-2bits", "pruned + ECSQ, 2 bits"),
          ("pruned95-ecsq", "pruned 95% + ECSQ, 3 bits"), ("w2a2-grid", "CPQ W2A2, its grid + Huffman"),
          ("w2a2-pruned-grid", "CPQ W2A2 pruned 90%, its grid + Huffman")]
unfinished = [f"{folder}/{r}-seed{s}" for r in ("fp32", "w2a2") for s in seeds
              if not os.path.isfile(f"{folder}/{r}-seed{s}/summary.json")]
unfinished += [f"{folder}/{name}-seed{s}" for name, _ in labels for s in seeds
               if not os.path.isfile(f"{folder}/{name}-seed{s}.json")]
if unfinished:
    sys.exit("compression_table.sh: no table: these runs have not finished (run the script again to continue them):\n  "
             + "\n  ".join(unfinished))

def spread(xs):
    return statistics.stdev(xs) if len(xs) > 1 else 0.0

fp32 = [100 * json.load(open(f"{folder}/fp32-seed{s}/summary.json"))["test_accuracy"] for s in seeds]
w2a2 = [json.load(open(f"{folder}/w2a2-seed{s}/summary.json")) for s in seeds]
w2a2_acc = [100 * j["test_accuracy"] for j in w2a2]
w2a2_ratio = statistics.mean(j["fp32_bits"] / j["model_bits"] for j in w2a2)
columns = ["config", "seed", "method", "hessian", "prune", "clusters", "entropy", "bits_per_weight", "ratio",
           "file_bytes", "file_ratio", "sparsity", "reference_accuracy", "accuracy_before_fine_tune",
           "test_accuracy", "seconds"]
rows = [f"| float32 (reference) | " + " / ".join(f"{a:.2f}" for a in fp32) +
        f" | {statistics.mean(fp32):.2f} ± {spread(fp32):.2f} |  | 1 | 32 |  |",
        f"| CPQ W2A2 (reference, packed) | " + " / ".join(f"{a:.2f}" for a in w2a2_acc) +
        f" | {statistics.mean(w2a2_acc):.2f} ± {spread(w2a2_acc):.2f} | "
        f"{statistics.mean(w2a2_acc) - statistics.mean(fp32):+.2f} | {w2a2_ratio:.2f} | {32 / w2a2_ratio:.3f} |  |"]
points = []
with open(f"{folder}/table.csv.tmp", "w", newline="") as f:
    out = csv.writer(f)
    out.writerow(columns)
    for name, label in labels:
        accs, drops, ratios, bits, minutes = [], [], [], [], []
        for s in seeds:
            j = json.load(open(f"{folder}/{name}-seed{s}.json"))
            out.writerow([name, s] + [j.get(c, "") for c in columns[2:]])
            accs.append(100 * j["test_accuracy"])
            drops.append(100 * (j["test_accuracy"] - j["reference_accuracy"]))
            ratios.append(j["ratio"])
            bits.append(j["bits_per_weight"])
            minutes.append(j["seconds"] / 60)
        rows.append(f"| {label} | " + " / ".join(f"{a:.2f}" for a in accs) +
                    f" | {statistics.mean(accs):.2f} ± {spread(accs):.2f} | {statistics.mean(drops):+.2f}"
                    f" | {statistics.mean(ratios):.2f} ± {spread(ratios):.2f} | {statistics.mean(bits):.3f}"
                    f" | {statistics.median(minutes):.1f} |")
        points.append((name, statistics.mean(ratios), spread(ratios), statistics.mean(accs), spread(accs)))
os.replace(f"{folder}/table.csv.tmp", f"{folder}/table.csv")

table = [f"{os.path.basename(net)}, float32 runs of {epochs} epochs, W2A2 runs of {epochs} more from them, "
         f"seeds {' '.join(seeds)}, one codebook for the "
         "network, cpq-compress defaults" + (f" and {extra}" if extra else "") + "; spread: sample standard deviation; "
         "vs run: mean change from the run compressed, of the same seed (the float run; for the CPQ rows the W2A2 run, "
         "whose own row compares it with the float run); ratio: 32-bit parameters against coded indices, "
         "gaps, codebooks and code tables (the paper's count); minutes: per compression, with fine-tuning.",
         "",
         "| compression | test accuracy % per seed | mean ± spread | vs run | ratio (mean ± spread) | bits / weight | minutes |",
         "|---|---|---|---|---|---|---|"] + rows
text = "\n".join(table) + "\n"
with open(f"{folder}/table.md.tmp", "w") as f:
    f.write(text)
os.replace(f"{folder}/table.md.tmp", f"{folder}/table.md")

with open(f"{folder}/points.dat", "w") as f:
    for p in points:
        f.write("%s %.4f %.4f %.4f %.4f\n" % p)
curves = f"""{statistics.mean(fp32):.4f} title 'float32 ({statistics.mean(fp32):.2f}%)' with lines dashtype 2 lc rgb 'gray', \\
     '{folder}/points.dat' using 2:4:3:5 every ::0::4 with xyerrorbars pt 7 lc 1 title 'no pruning, 2 bits', \\
     '' using 2:4:3:5 every ::5::11 with xyerrorbars pt 5 lc 2 title 'pruned (90%; last 95%), 2-3 bits per kept weight', \\
     '' using 2:4:3:5 every ::12::13 with xyerrorbars pt 9 lc 4 title 'CPQ W2A2 on its grid (unpruned, pruned 90%)', \\
     '' using 2:4:1 with labels offset 0.8,0.5 left font ',7' noenhanced notitle"""
# Two panels: everything, and the region within a few points of float32.
top = max(statistics.mean(fp32), max(p[3] + p[4] for p in points)) + 0.5
script = f"""
set terminal pngcairo size 1400,560
set output '{folder}/accuracy.png.tmp'
set multiplot layout 1,2 title 'LeNet-5, Fashion-MNIST: test accuracy against compression ratio (mean and spread over seeds {" ".join(seeds)})' noenhanced
set xlabel 'compression ratio (32-bit parameters / coded model)'
set ylabel 'test accuracy %'
set key bottom right noenhanced font ',9'
set grid
set title 'all'
plot {curves}
set title 'within 5 points of float32'
set yrange [{statistics.mean(fp32) - 5:.2f}:{top:.2f}]
unset key
plot {curves}
unset multiplot
"""
subprocess.run(["gnuplot"], input=script, text=True, check=True)
os.replace(f"{folder}/accuracy.png.tmp", f"{folder}/accuracy.png")
print(text, end="")
print(f"written: {folder}/table.md, {folder}/table.csv, {folder}/accuracy.png")
EOF
