#!/usr/bin/env bash
# The accuracy table of the README: LeNet-5 on Fashion-MNIST, trained with
# cpq-train in float32 and with CPQ at W4A4 (DropBits), W3A3 and W2A2 (DropBits
# on and off), each over several seeds, then mean, spread and time per run.
#
#   examples/accuracy_table.sh [epochs] [seeds]    (defaults: 8 epochs, seeds "1 2 3")
#
# Runs go to runs/table/<config>-seed<S>. The script can be stopped and run
# again with the same arguments: finished runs are kept, an interrupted one
# continues from its checkpoint (cpq-train --resume), so nothing is trained
# twice. Seeds go round all configurations before the next seed starts, so a
# partial table already has every row. The table is printed at the end and
# written to runs/table/table.md. CPQ_BUILD names the build folder.
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-8}
seeds=${2:-"1 2 3"}
train="${CPQ_BUILD:-build}/tools/cpq-train/cpq-train"
if [ ! -x "$train" ]; then
  echo "accuracy_table.sh: $train not found; build first (cmake --preset default && cmake --build --preset default)" >&2
  exit 1
fi
case "$epochs" in '' | *[!0-9]* | 0) echo "accuracy_table.sh: epochs must be a positive integer, got '$epochs'" >&2; exit 1 ;; esac

# name | cpq-train options
configs=(
  "fp32|--bits FP32"
  "w4a4-dropbits|--bits W4A4 --dropbits 0.25"
  "w3a3|--bits W3A3"
  "w3a3-dropbits|--bits W3A3 --dropbits 0.25"
  "w2a2|--bits W2A2"
  "w2a2-dropbits|--bits W2A2 --dropbits 0.25"
)

mkdir -p runs/table
for seed in $seeds; do
  for config in "${configs[@]}"; do
    name=${config%%|*}
    options=${config#*|}
    run="runs/table/$name-seed$seed"
    if [ -f "$run/summary.json" ] && grep -q "\"epochs\": $epochs," "$run/summary.json"; then
      echo "== $run: done"
      continue
    fi
    resume=--overwrite
    if [ -f "$run/checkpoint.safetensors" ] && [ ! -f "$run/summary.json" ]; then resume=--resume; fi
    echo "== $run ($options, $epochs epochs, seed $seed${resume/--overwrite/})"
    # shellcheck disable=SC2086  # options are words
    "$train" examples/networks/lenet5.mlir $options --epochs "$epochs" --seed "$seed" -o "$run" $resume --quiet
  done
done

python3 - "$epochs" $seeds <<'EOF'
import json, statistics, sys, os, csv
epochs, seeds = sys.argv[1], sys.argv[2:]
labels = [("fp32", "FP32"), ("w4a4-dropbits", "W4A4 + DropBits"), ("w3a3", "W3A3"),
          ("w3a3-dropbits", "W3A3 + DropBits"), ("w2a2", "W2A2"), ("w2a2-dropbits", "W2A2 + DropBits")]
rows, fp32_mean = [], None
for name, label in labels:
    accs, minutes, speed, kib = [], [], [], None
    for s in seeds:
        run = f"runs/table/{name}-seed{s}"
        with open(f"{run}/summary.json") as f:
            summary = json.load(f)
        accs.append(100 * summary["test_accuracy"])
        speed.append(summary["train_images_per_s"])
        kib = summary["model_bits"] / 8192
        with open(f"{run}/log.csv") as f:
            minutes.append(sum(float(r["seconds"]) for r in csv.DictReader(f)) / 60)
    mean = statistics.mean(accs)
    spread = statistics.stdev(accs) if len(accs) > 1 else 0.0
    if name == "fp32":
        fp32_mean = mean
    gap = "" if name == "fp32" else f"{mean - fp32_mean:+.2f}"
    rows.append(f"| {label} | " + " / ".join(f"{a:.2f}" for a in accs) +
                f" | {mean:.2f} ± {spread:.2f} | {gap} | {kib:.1f} | {statistics.median(minutes):.1f} | {statistics.median(speed):.0f} |")
table = [f"LeNet-5, Fashion-MNIST test set (10,000 images), {epochs} epochs, batch 64, Adam lr 1e-3 cosine, seeds {' '.join(seeds)}; "
         "spread: sample standard deviation; minutes: training and evaluation per run (median), without kernel compilation.",
         "",
         "| network | test accuracy % per seed | mean ± spread | vs FP32 | model KiB | minutes | train img/s |",
         "|---|---|---|---|---|---|---|"] + rows
text = "\n".join(table) + "\n"
tmp = "runs/table/table.md.tmp"
with open(tmp, "w") as f:
    f.write(text)
os.replace(tmp, "runs/table/table.md")
print(text, end="")
EOF
