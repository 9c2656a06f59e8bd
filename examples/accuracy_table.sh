#!/usr/bin/env bash
# The accuracy table of the README: LeNet-5 on Fashion-MNIST, trained with
# cpq-train in float32 and with CPQ at W4A4, W3A3 and W2A2, each with
# DropBits on and off, and W4A4 and W2A2 fine-tuned from the float32 run of
# the same seed (--init-from its parameters, --lr 3e-4, the same epochs),
# over several seeds; then mean, spread and time per run.
#
#   examples/accuracy_table.sh [epochs] [seeds]    (defaults: 8 epochs, seeds "1 2 3")
#
# Runs go to runs/table/<config>-seed<S>. The script can be stopped and run
# again with the same arguments: finished runs are kept, an interrupted one
# continues from its checkpoint (cpq-train --resume), so nothing is trained
# twice. Seeds go round all configurations before the next seed starts, so a
# partial table already has every row. The table is printed at the end and
# written to runs/table/table.md.
#
# Environment: CPQ_BUILD the build folder (default build); CPQ_TABLE_NET the
# network (default examples/networks/lenet5.mlir); CPQ_TABLE_DIR the runs'
# folder (default runs/table); CPQ_TABLE_OPTIONS more cpq-train options for
# every run (e.g. "--train-limit 1000 --test-limit 1000").
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-8}
seeds=${2:-"1 2 3"}
net=${CPQ_TABLE_NET:-examples/networks/lenet5.mlir}
dir=${CPQ_TABLE_DIR:-runs/table}
extra=${CPQ_TABLE_OPTIONS:-}
train="${CPQ_BUILD:-build}/tools/cpq-train/cpq-train"
if [ ! -x "$train" ]; then
  echo "accuracy_table.sh: $train not found; build first (cmake --preset default && cmake --build --preset default)" >&2
  exit 1
fi
case "$epochs" in '' | *[!0-9]* | 0) echo "accuracy_table.sh: epochs must be a positive integer, got '$epochs'" >&2; exit 1 ;; esac
for seed in $seeds; do
  case "$seed" in *[!0-9]*) echo "accuracy_table.sh: seeds must be integers, got '$seed'" >&2; exit 1 ;; esac
done
if [ -z "${seeds// /}" ]; then echo "accuracy_table.sh: no seeds given" >&2; exit 1; fi
if [ ! -f "$net" ]; then echo "accuracy_table.sh: $net: no such network file" >&2; exit 1; fi

# name | cpq-train options (@FP32@: the float32 run of the same seed, which
# must have finished first)
configs=(
  "fp32|--bits FP32"
  "w4a4|--bits W4A4"
  "w4a4-dropbits|--bits W4A4 --dropbits 0.25"
  "w3a3|--bits W3A3"
  "w3a3-dropbits|--bits W3A3 --dropbits 0.25"
  "w2a2|--bits W2A2"
  "w2a2-dropbits|--bits W2A2 --dropbits 0.25"
  "w4a4-from-fp32|--bits W4A4 --lr 3e-4 --init-from @FP32@/params.safetensors"
  "w2a2-from-fp32|--bits W2A2 --lr 3e-4 --init-from @FP32@/params.safetensors"
)

mkdir -p "$dir"
for seed in $seeds; do
  for config in "${configs[@]}"; do
    name=${config%%|*}
    options=${config#*|}
    run="$dir/$name-seed$seed"
    if [[ $options == *@FP32@* ]]; then
      if [ ! -f "$dir/fp32-seed$seed/summary.json" ]; then
        echo "== $run: waits for $dir/fp32-seed$seed to finish"
        continue
      fi
      options=${options//@FP32@/$dir/fp32-seed$seed}
    fi
    if [ -f "$run/summary.json" ] && grep -q "\"epochs\": $epochs," "$run/summary.json"; then
      echo "== $run: done"
      continue
    fi
    resume=--overwrite note=""
    if [ -f "$run/checkpoint.safetensors" ] && [ ! -f "$run/summary.json" ]; then
      resume=--resume note=", resuming from its checkpoint"
    fi
    echo "== $run ($options, $epochs epochs, seed $seed$note)"
    # shellcheck disable=SC2086  # options are words
    "$train" "$net" $options $extra --epochs "$epochs" --seed "$seed" -o "$run" $resume --quiet
  done
done

python3 - "$dir" "$net" "$epochs" "$extra" $seeds <<'EOF'
import json, statistics, sys, os, csv
folder, net, epochs, extra, seeds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
labels = [("fp32", "FP32"), ("w4a4", "W4A4"), ("w4a4-dropbits", "W4A4 + DropBits"), ("w3a3", "W3A3"),
          ("w3a3-dropbits", "W3A3 + DropBits"), ("w2a2", "W2A2"), ("w2a2-dropbits", "W2A2 + DropBits"),
          ("w4a4-from-fp32", "W4A4 from FP32"), ("w2a2-from-fp32", "W2A2 from FP32")]
unfinished = [f"{folder}/{name}-seed{s}" for name, _ in labels for s in seeds
              if not os.path.isfile(f"{folder}/{name}-seed{s}/summary.json")]
if unfinished:
    sys.exit("accuracy_table.sh: no table: these runs have not finished (run the script again to continue them):\n  "
             + "\n  ".join(unfinished))
rows, fp32_mean = [], None
for name, label in labels:
    accs, minutes, speed, kib = [], [], [], None
    for s in seeds:
        run = f"{folder}/{name}-seed{s}"
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
table = [f"{os.path.basename(net)}, {epochs} epochs, seeds {' '.join(seeds)}, cpq-train defaults"
         + (f" and {extra}" if extra else "") + "; spread: sample standard deviation; "
         "minutes: training and evaluation per run (median), without kernel compilation.",
         "",
         "| network | test accuracy % per seed | mean ± spread | vs FP32 | model KiB | minutes | train img/s |",
         "|---|---|---|---|---|---|---|"] + rows
text = "\n".join(table) + "\n"
tmp = f"{folder}/table.md.tmp"
with open(tmp, "w") as f:
    f.write(text)
os.replace(tmp, f"{folder}/table.md")
print(text, end="")
EOF
