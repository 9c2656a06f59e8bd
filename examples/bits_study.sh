#!/usr/bin/env bash
# The CPQ paper's two claims on LeNet-5 / Fashion-MNIST, over seeds:
#  (i) learned bit-widths: cpq-train --learn-bits at W4A4 (the maxima) with
#      an L0 weight lambda; the widths it chose fixed with cpq-opt
#      --cpq-assign-bitwidths and fine-tuned at them ("-ft"), or trained
#      from scratch at them (cpq-train --bits-from, "-scratch"); against
#      fixed W2A2, W3A3 and W4A4;
# (ii) DropBits: p in {0.05, 0.1, 0.25}, hierarchical and independent masks,
#      at W2A2 and W3A3, against DropBits off. (At 2 bits the two modes are
#      the same masks: one droppable level, cpq-method.md section 4; a test
#      of cpq-train shows the runs bit-identical, so W2A2 runs once.)
# Writes runs/bits/study.csv (one row a run), runs/bits/summary.csv (mean and
# spread per configuration), runs/bits/study.md (the tables) and the plots
# runs/bits/accuracy-bits.png (test accuracy against average weight bits),
# runs/bits/dropbits.png (accuracy against p) and runs/bits/layer-bits.png
# (the bits each learned configuration chose per tensor).
#
#   examples/bits_study.sh [epochs] [seeds]     (defaults: 8 epochs, seeds "1 2 3")
#
# Resumable like accuracy_table.sh: finished runs are kept, an interrupted
# one continues from its checkpoint; seeds go round all configurations
# before the next seed starts. The learned runs spend the epochs in two
# halves (learn, then fine-tune at the learned widths), so that every row
# costs the same epochs; "-scratch" trains the full epochs at the widths.
#
# Environment: CPQ_BUILD the build folder (default build); CPQ_STUDY_DIR the
# runs' folder (default runs/bits); CPQ_STUDY_NET the network (default
# examples/networks/lenet5.mlir); CPQ_STUDY_CONFIGS the configurations to
# run, by name, in that order (default: all; the tables use what exists);
# CPQ_STUDY_OPTIONS more cpq-train options for every run (e.g.
# "--train-limit 1000 --test-limit 500"); CPQ_STUDY_TABLES_ONLY=1 only
# writes the tables and plots of the runs that exist.
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-8}
seeds=${2:-"1 2 3"}
net=${CPQ_STUDY_NET:-examples/networks/lenet5.mlir}
dir=${CPQ_STUDY_DIR:-runs/bits}
extra=${CPQ_STUDY_OPTIONS:-}
build=${CPQ_BUILD:-build}
train="$build/tools/cpq-train/cpq-train"
opt="$build/tools/cpq-opt/cpq-opt"
for tool in "$train" "$opt"; do
  if [ ! -x "$tool" ]; then
    echo "bits_study.sh: $tool not found; build first (cmake --preset default && cmake --build --preset default)" >&2
    exit 1
  fi
done
case "$epochs" in '' | *[!0-9]* | 0 | 1) echo "bits_study.sh: epochs must be an integer of at least 2, got '$epochs'" >&2; exit 1 ;; esac
for seed in $seeds; do
  case "$seed" in *[!0-9]*) echo "bits_study.sh: seeds must be integers, got '$seed'" >&2; exit 1 ;; esac
done
if [ -z "${seeds// /}" ]; then echo "bits_study.sh: no seeds given" >&2; exit 1; fi
if [ ! -f "$net" ]; then echo "bits_study.sh: $net: no such network file" >&2; exit 1; fi
command -v gnuplot > /dev/null || { echo "bits_study.sh: gnuplot not found (apt-get install gnuplot-nox)" >&2; exit 1; }
half=$((epochs / 2))

# The learned configurations: lambda of the L0 term, the gates' rate (and
# first logit: -init6).
learn="--bits W4A4 --learn-bits --gate-lr-scale 10"
# name | kind | cpq-train options. Kinds: train (one run); learn (the first
# half of a learned configuration); ft (the second half: the learned
# widths fixed, fine-tuned from the learn run's values; options name the
# learn run, at lr 1e-3: 91.05% against 90.59% at 3e-4, seed 1);
# scratch (the full epochs at the learn run's widths). The order is the
# order of a seed's runs: the most telling first.
configs=(
  "learn-1e-6-init6|learn|$learn --gate-lambda 1e-6 --gate-init 6"
  "learn-1e-6-init6-ft|ft|learn-1e-6-init6"
  "w3a3|train|--bits W3A3"
  "w3a3-p0.05|train|--bits W3A3 --dropbits 0.05"
  "w2a2|train|--bits W2A2"
  "w2a2-p0.05|train|--bits W2A2 --dropbits 0.05"
  "w3a3-p0.1|train|--bits W3A3 --dropbits 0.1"
  "w3a3-p0.05-ind|train|--bits W3A3 --dropbits 0.05 --dropbits-mode independent"
  "w2a2-p0.1|train|--bits W2A2 --dropbits 0.1"
  "w3a3-p0.25|train|--bits W3A3 --dropbits 0.25"
  "w3a3-p0.25-ind|train|--bits W3A3 --dropbits 0.25 --dropbits-mode independent"
  "w3a3-p0.1-ind|train|--bits W3A3 --dropbits 0.1 --dropbits-mode independent"
  "w2a2-p0.25|train|--bits W2A2 --dropbits 0.25"
  "w4a4|train|--bits W4A4"
  "learn-1e-6|learn|$learn --gate-lambda 1e-6"
  "learn-1e-6-ft|ft|learn-1e-6"
  "learn-1e-6-scratch|scratch|learn-1e-6"
)
if [ -n "${CPQ_STUDY_CONFIGS:-}" ]; then
  chosen=()
  for name in $CPQ_STUDY_CONFIGS; do
    found=""
    for config in "${configs[@]}"; do
      if [ "${config%%|*}" = "$name" ]; then chosen+=("$config"); found=1; fi
    done
    if [ -z "$found" ]; then echo "bits_study.sh: CPQ_STUDY_CONFIGS names '$name', which is no configuration" >&2; exit 1; fi
  done
  configs=("${chosen[@]}")
fi

mkdir -p "$dir"
# run_train RUN EPOCHS NETWORK OPTIONS...: trains RUN unless it is done,
# resuming it when cut short.
run_train() {
  local run=$1 n=$2 network=$3
  shift 3
  if [ -f "$run/summary.json" ] && grep -q "\"epochs\": $n," "$run/summary.json"; then
    echo "== $run: done"
    return 0
  fi
  local resume=--overwrite note=""
  if [ -f "$run/checkpoint.safetensors" ] && [ ! -f "$run/summary.json" ]; then
    resume=--resume note=", resuming from its checkpoint"
  fi
  echo "== $run ($*, $n epochs$note)"
  # shellcheck disable=SC2086  # options are words
  "$train" "$network" "$@" $extra --epochs "$n" -o "$run" $resume --quiet
}

if [ -z "${CPQ_STUDY_TABLES_ONLY:-}" ]; then
  for seed in $seeds; do
    for config in "${configs[@]}"; do
      name=${config%%|*}
      rest=${config#*|}
      kind=${rest%%|*}
      options=${rest#*|}
      run="$dir/$name-seed$seed"
      case $kind in
        train)
          # shellcheck disable=SC2086
          run_train "$run" "$epochs" "$net" $options --seed "$seed" ;;
        learn)
          # shellcheck disable=SC2086
          run_train "$run" "$half" "$net" $options --seed "$seed" ;;
        ft | scratch)
          source="$dir/$options-seed$seed"
          if [ ! -f "$source/summary.json" ]; then
            echo "== $run: waits for $source to finish"
            continue
          fi
          if [ "$kind" = scratch ]; then
            # The widths the learn run chose, trained from scratch: the W4A4
            # maxima and the learn run's per-tensor bits.
            run_train "$run" "$epochs" "$net" --bits W4A4 --bits-from "$source/summary.json" --seed "$seed"
          else
            # The learn run's values with its widths fixed (the gates go),
            # trained on as that mixed-width network.
            mkdir -p "$run"
            if [ ! -f "$run/mixed.mlir" ]; then
              "$opt" "$source/network.mlir" --cpq-bind-params="file=$source/params.safetensors" \
                --cpq-assign-bitwidths -o "$run/mixed.mlir.tmp"
              mv "$run/mixed.mlir.tmp" "$run/mixed.mlir"
            fi
            run_train "$run" "$((epochs - half))" "$run/mixed.mlir" --lr 1e-3 --seed "$seed"
          fi ;;
      esac
    done
  done
fi

python3 - "$dir" "$net" "$epochs" "$extra" $seeds <<'EOF'
import csv, json, os, re, statistics, subprocess, sys
folder, net, epochs, extra, seeds = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5:]

def spread(values):
    return statistics.stdev(values) if len(values) > 1 else 0.0

def configuration(name):
    """(bits, p, mode, kind, lambda) of a configuration's name."""
    learned = re.fullmatch(r"learn-([0-9.e-]+?)(-init[0-9.]+)?(?:-(ft|scratch))?", name)
    if learned:
        return "W4A4 max", 0.0, "", learned.group(3) or "learn", float(learned.group(1))
    parts = name.split("-")
    p = float(parts[1][1:]) if len(parts) > 1 else 0.0
    mode = "independent" if name.endswith("-ind") else ("hierarchical" if p > 0 else "")
    return parts[0].upper(), p, mode, "fixed", None

runs = {}
for entry in sorted(os.listdir(folder)):
    if "-seed" not in entry or not os.path.isfile(f"{folder}/{entry}/summary.json"):
        continue
    name, seed = entry.rsplit("-seed", 1)
    if seed not in seeds:
        continue
    with open(f"{folder}/{entry}/summary.json") as f:
        summary = json.load(f)
    with open(f"{folder}/{entry}/log.csv") as f:
        seconds = sum(float(r["seconds"]) for r in csv.DictReader(f))
    runs.setdefault(name, {})[seed] = (summary, seconds)
if not runs:
    sys.exit(f"bits_study.sh: no finished runs in {folder}")

# Runs of cpq-train before the fix name an assigned activation grid after
# its renamed alpha ("act1.alpha@2bit"): the tensor is "act1".
for by_seed in runs.values():
    for summary, _ in by_seed.values():
        for t in summary["tensors"]:
            t["tensor"] = re.sub(r"\.alpha@[0-9]+bit$", "", t["tensor"])
tensors = []
for by_seed in runs.values():
    for summary, _ in by_seed.values():
        for t in summary["tensors"]:
            if t["kind"] != "input" and t["tensor"] not in tensors:
                tensors.append(t["tensor"])

columns = ["config", "seed", "kind", "bits", "dropbits", "dropbits_mode", "gate_lambda", "epochs", "test_accuracy",
           "average_weight_bits", "model_bits", "seconds"] + [f"bits:{t}" for t in tensors]
with open(f"{folder}/study.csv.tmp", "w", newline="") as f:
    out = csv.writer(f)
    out.writerow(columns)
    for name in sorted(runs):
        bits, p, mode, kind, lam = configuration(name)
        for seed in sorted(runs[name], key=int):
            summary, seconds = runs[name][seed]
            per = {t["tensor"]: t["bits"] for t in summary["tensors"]}
            out.writerow([name, seed, kind, bits, p, mode, "" if lam is None else lam, summary["epochs"],
                          f"{100 * summary['test_accuracy']:.2f}", f"{summary['average_weight_bits']:.4f}",
                          summary["model_bits"], f"{seconds:.0f}"] + [per.get(t, "") for t in tensors])
os.replace(f"{folder}/study.csv.tmp", f"{folder}/study.csv")

summary_rows = []
for name in runs:
    bits, p, mode, kind, lam = configuration(name)
    values = [runs[name][s] for s in seeds if s in runs[name]]
    accs = [100 * s["test_accuracy"] for s, _ in values]
    avg_bits = [s["average_weight_bits"] for s, _ in values]
    layer = {t: statistics.mean([next((x["bits"] for x in s["tensors"] if x["tensor"] == t), 0) for s, _ in values])
             for t in tensors}
    summary_rows.append(dict(config=name, kind=kind, bits=bits, dropbits=p, dropbits_mode=mode,
                             gate_lambda="" if lam is None else lam, seeds=len(values),
                             accuracy_mean=statistics.mean(accs), accuracy_spread=spread(accs),
                             average_weight_bits=statistics.mean(avg_bits),
                             average_weight_bits_spread=spread(avg_bits),
                             per_seed=" / ".join(f"{a:.2f}" for a in accs), layer=layer))
order = {name: i for i, name in enumerate(
    ["w2a2", "w2a2-p0.05", "w2a2-p0.1", "w2a2-p0.25", "w3a3", "w3a3-p0.05", "w3a3-p0.05-ind", "w3a3-p0.1",
     "w3a3-p0.1-ind", "w3a3-p0.25", "w3a3-p0.25-ind", "w4a4"])}
summary_rows.sort(key=lambda r: (order.get(r["config"], 100), r["config"]))
keys = ["config", "kind", "bits", "dropbits", "dropbits_mode", "gate_lambda", "seeds", "accuracy_mean",
        "accuracy_spread", "average_weight_bits", "average_weight_bits_spread"]
with open(f"{folder}/summary.csv.tmp", "w", newline="") as f:
    out = csv.writer(f)
    out.writerow(keys + [f"bits:{t}" for t in tensors])
    for r in summary_rows:
        out.writerow([f"{r[k]:.4f}" if isinstance(r[k], float) else r[k] for k in keys] +
                     [f"{r['layer'][t]:.2f}" for t in tensors])
os.replace(f"{folder}/summary.csv.tmp", f"{folder}/summary.csv")

lines = [f"{os.path.basename(net)}, {epochs} epochs a row (learned rows: {epochs // 2} learning + "
         f"{epochs - epochs // 2} fine-tuning), seeds {' '.join(seeds)}"
         + (f", cpq-train options {extra}" if extra else "") + "; spread: sample standard deviation over the seeds "
         "a row has.", "",
         "| configuration | seeds | test accuracy % per seed | mean ± spread | weight bits (average) | bits per tensor |",
         "|---|---|---|---|---|---|"]
for r in summary_rows:
    per_tensor = ", ".join(f"{t} {r['layer'][t]:.3g}" for t in tensors)
    lines.append(f"| {r['config']} | {r['seeds']} | {r['per_seed']} | {r['accuracy_mean']:.2f} ± "
                 f"{r['accuracy_spread']:.2f} | {r['average_weight_bits']:.3f} | {per_tensor} |")
text = "\n".join(lines) + "\n"
with open(f"{folder}/study.md.tmp", "w") as f:
    f.write(text)
os.replace(f"{folder}/study.md.tmp", f"{folder}/study.md")

# Plot data: fixed widths without DropBits, learned rows, DropBits rows.
def write(path, rows):
    with open(path, "w") as f:
        for r in rows:
            f.write(f"{r['average_weight_bits']:.4f} {r['accuracy_mean']:.4f} {r['average_weight_bits_spread']:.4f} "
                    f"{r['accuracy_spread']:.4f} {r['config']}\n")
fixed = [r for r in summary_rows if r["kind"] == "fixed" and r["dropbits"] == 0]
learned = [r for r in summary_rows if r["kind"] in ("ft", "scratch")]
write(f"{folder}/fixed.dat", fixed)
write(f"{folder}/learned.dat", learned or [dict(average_weight_bits=0, accuracy_mean=0, average_weight_bits_spread=0,
                                                 accuracy_spread=0, config="none")])
plots = []
if fixed:
    plots.append(f"'{folder}/fixed.dat' using 1:2:3:4 with xyerrorbars pt 7 lc 1 title 'fixed W2A2 / W3A3 / W4A4', "
                 f"'' using 1:2:5 with labels offset 0.8,0.4 left font ',8' noenhanced notitle")
if learned:
    plots.append(f"'{folder}/learned.dat' using 1:2:3:4 with xyerrorbars pt 5 lc 2 title 'learned widths (W4A4 max)', "
                 f"'' using 1:2:5 with labels offset 0.8,-0.4 left font ',8' noenhanced notitle")
scripts = []
if plots:
    scripts.append(f"""
set terminal pngcairo size 900,560
set output '{folder}/accuracy-bits.png.tmp'
set title 'LeNet-5, Fashion-MNIST: test accuracy against average weight bits (mean and spread over seeds)' noenhanced
set xlabel 'bits per weight (weighted by element count)'
set ylabel 'test accuracy %'
set key bottom right noenhanced
set grid
set xrange [1.5:4.5]
plot {', '.join(plots)}
""")
# DropBits: accuracy against p, one curve per width and mode (p = 0: off).
curves = []
for bits in ("W2A2", "W3A3"):
    for mode in ("hierarchical", "independent"):
        points = [r for r in summary_rows if r["kind"] == "fixed" and r["bits"] == bits and
                  (r["dropbits_mode"] == mode or r["dropbits"] == 0)]
        if len([r for r in points if r["dropbits"] > 0]) == 0:
            continue
        points.sort(key=lambda r: r["dropbits"])
        path = f"{folder}/dropbits-{bits}-{mode}.dat"
        with open(path, "w") as f:
            for r in points:
                f.write(f"{r['dropbits']} {r['accuracy_mean']:.4f} {r['accuracy_spread']:.4f}\n")
        curves.append(f"'{path}' using 1:2:3 with yerrorlines title '{bits}, {mode}'")
if curves:
    scripts.append(f"""
set terminal pngcairo size 900,560
set output '{folder}/dropbits.png.tmp'
set title 'DropBits: test accuracy against p (p = 0: off; mean and spread over seeds)' noenhanced
set xlabel 'DropBits p'
set ylabel 'test accuracy %'
set key bottom left noenhanced
set grid
set xrange [-0.02:0.27]
plot {', '.join(curves)}
""")
if learned:
    with open(f"{folder}/layer-bits.dat", "w") as f:
        f.write("tensor " + " ".join(r["config"] for r in learned) + "\n")
        for t in tensors:
            f.write(t + " " + " ".join(f"{r['layer'][t]:.3f}" for r in learned) + "\n")
    columns_plot = ", ".join(f"'{folder}/layer-bits.dat' using {i + 2}:xtic(1) title columnhead({i + 2})"
                             for i in range(len(learned)))
    scripts.append(f"""
set terminal pngcairo size 900,560
set output '{folder}/layer-bits.png.tmp'
set title 'Bits chosen per tensor by the learned configurations (mean over seeds)' noenhanced
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel 'bits'
set yrange [0:4.5]
set key top right noenhanced
set xtics rotate by -30 noenhanced
set grid y
plot {columns_plot}
""")
for script in scripts:
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
written = []
for name in ("accuracy-bits", "dropbits", "layer-bits"):
    if os.path.exists(f"{folder}/{name}.png.tmp"):
        os.replace(f"{folder}/{name}.png.tmp", f"{folder}/{name}.png")
        written.append(f"{folder}/{name}.png")
print(text, end="")
print("written: " + ", ".join([f"{folder}/study.csv", f"{folder}/summary.csv", f"{folder}/study.md"] + written))
EOF
