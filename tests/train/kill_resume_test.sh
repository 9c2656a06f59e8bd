#!/usr/bin/env bash
# Crash safety of cpq-train's run folder (issue 22): a run killed at any
# point resumes with --resume and ends bit-identical to an uninterrupted
# run, and no file under a final name is ever half-written.
#  0. The checker (run_folder_check.py) refuses a truncated safetensors file
#     and a truncated log, so the checks below can fail.
#  1. Every point between two files: a small run (2 epochs of 4 steps, a
#     checkpoint every 2 steps: 13 files written) SIGKILLs itself right
#     after its N-th file landed (CPQ_CRASH_AT_WRITE=N), and again with the
#     N-th file half-written to its temporary (N:partial), for every N; each
#     time every file present is whole, the run resumes (or starts afresh
#     when no checkpoint was written yet) and ends like the uninterrupted
#     reference, and no temporary file is left.
#  2. Random SIGKILLs: tiny_net W2A2 with DropBits, 3 epochs of 50 steps, a
#     checkpoint every 3 steps; a reference run A, then cpq-train in run
#     folder B (--resume once it holds a checkpoint) under
#     `timeout -s KILL T`, T drawn from a seeded generator: a quarter within
#     the measured startup, the rest up to the reference run's duration (so
#     they scale with the build). Repeated until at least 30 kills landed on
#     a live process, at least 2 of them before training (data, MLIR, kernel
#     loading), 2 while training and 2 while a file was being written (its
#     temporary left behind). After every kill each file of B is whole and
#     B's checkpoint step never goes back. A run that finished before its
#     kill is compared with A and B starts afresh. Finally B runs to its end
#     and must equal A (tensors and metadata of params and checkpoint bit
#     for bit, log rows but for timing, summary but for images/s), with no
#     temporary file left.
#  3. The folder is fsync'ed after each rename (a power cut keeps it):
#     checked with strace when it is installed, skipped otherwise.
#
#   kill_resume_test.sh BUILD_DIR NET CACHE SCRATCH [SEED]
set -euo pipefail
build=$1 net=$2 cache=$3 scratch=$4 seed=${5:-22}
here=$(cd "$(dirname "$0")" && pwd)
train="$build/tools/cpq-train/cpq-train"
# The interpreter itself, not a wrapper of it (pyenv's shim took 0.2 s a call).
python=$(python3 -c 'import sys; print(sys.executable)')
check() { "$python" "$here/run_folder_check.py" "$@"; }
fail() { echo "kill_resume_test: FAIL: $*" >&2; exit 1; }
say() { echo "kill_resume_test: $*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
rm -rf "$scratch" && mkdir -p "$scratch"
begin=$(now)

# The first images of Fashion-MNIST as plain IDX files: decompressing the
# whole set took most of each run's startup.
check subset "${CPQ_TEST_DATA:-/usr/share/datasets/fashion-mnist}" "$scratch/data" 2400 400 ||
  fail "cannot make the data subset"
# The kernels are compiled (or found in the cache) before anything is timed.
small=(--bits W2A2 --dropbits 0.25 --batch 32 --train-limit 128 --test-limit 100 --epochs 2 --checkpoint-every 2
       --data "$scratch/data" --cache "$cache" --quiet)
"$train" "$net" "${small[@]}" -o "$scratch/small-ref" > "$scratch/small-ref.log" 2>&1 ||
  fail "the small reference run failed: $(tail -5 "$scratch/small-ref.log")"
check whole "$scratch/small-ref" > /dev/null || fail "the small reference run folder is not whole"

# 0. The checker catches what it is meant to catch.
mkdir -p "$scratch/broken"
cp "$scratch/small-ref/network.mlir" "$scratch/broken/"
head -c 100000 "$scratch/small-ref/checkpoint.safetensors" > "$scratch/broken/checkpoint.safetensors"
check whole "$scratch/broken" 2> /dev/null && fail "the checker accepted a truncated checkpoint"
rm "$scratch/broken/checkpoint.safetensors"
head -c -3 "$scratch/small-ref/log.csv" > "$scratch/broken/log.csv"
check whole "$scratch/broken" 2> /dev/null && fail "the checker accepted a truncated log"
check same "$scratch/small-ref" "$scratch/broken" 2> /dev/null && fail "the checker found a broken run equal"

# 1. Every point between two files, and every file half-written.
t1=$(now)
crash_points=0
for mode in "" ":partial"; do
  n=1
  while :; do
    run="$scratch/crash"
    rm -rf "$run"
    status=0
    { CPQ_CRASH_AT_WRITE="$n$mode" "$train" "$net" "${small[@]}" -o "$run" > "$scratch/crash.log" 2>&1; } 2> /dev/null ||
      status=$? # (bash's "Killed" to /dev/null)
    if [ "$status" = 0 ]; then
      # Past the last write: n - 1 files are written in all.
      [ "$n" -gt 10 ] || fail "CPQ_CRASH_AT_WRITE=$n$mode did not crash (a cpq-train without the crash hook?)"
      break
    fi
    [ "$status" = 137 ] || fail "CPQ_CRASH_AT_WRITE=$n$mode: exit $status, not SIGKILL: $(tail -3 "$scratch/crash.log")"
    out=$(check whole "$run" "$scratch/small-ref") || fail "after CPQ_CRASH_AT_WRITE=$n$mode a file is not whole"
    temporaries=$(sed -n 's/^temporaries: *//p' <<< "$out")
    if [ -n "$mode" ]; then
      [ "$(wc -w <<< "$temporaries")" = 1 ] || fail "CPQ_CRASH_AT_WRITE=$n$mode left temporaries '$temporaries'"
    else
      [ -z "$temporaries" ] || fail "CPQ_CRASH_AT_WRITE=$n left temporaries '$temporaries'"
    fi
    again=()
    [ -e "$run/checkpoint.safetensors" ] && again=(--resume)
    "$train" "$net" "${small[@]}" "${again[@]}" -o "$run" > "$scratch/crash-resume.log" 2>&1 ||
      fail "after CPQ_CRASH_AT_WRITE=$n$mode (at step $(sed -n 's/^step: //p' <<< "$out"), files" \
           "$(ls "$run" | tr '\n' ' ')) the run did not continue: $(tail -3 "$scratch/crash-resume.log")"
    check final "$scratch/small-ref" "$run" > /dev/null ||
      fail "after CPQ_CRASH_AT_WRITE=$n$mode the resumed run did not end like the reference, or left a temporary"
    crash_points=$((crash_points + 1))
    n=$((n + 1))
  done
  writes=$((n - 1))
done
say "part 1: $crash_points crash points ($writes files written per run, killed after each and in the middle of" \
    "each), every one resumed to the reference's end, in $(since "$t1") s"

# 2. Random SIGKILLs.
t2=$(now)
opts=(--bits W2A2 --dropbits 0.25 --batch 32 --train-limit 1600 --epochs 3 --checkpoint-every 3 --data "$scratch/data"
      --cache "$cache")
t0=$(now)
"$train" "$net" "${opts[@]}" --quiet -o "$scratch/A" > "$scratch/A.log" 2>&1 || fail "reference run A failed: $(tail -5 "$scratch/A.log")"
t_ref=$(since "$t0")
check whole "$scratch/A" > /dev/null || fail "run A is not whole"
# The startup up to the first thing the trainer does (data, MLIR, kernels
# loaded): a run stopped by an --init-from file that is not there.
t0=$(now)
"$train" "$net" "${opts[@]}" --quiet --init-from "$scratch/none.safetensors" -o "$scratch/startup" \
  > "$scratch/startup.log" 2>&1 && fail "a run with a missing --init-from file did not fail"
t_start=$(since "$t0")
grep -q "none.safetensors: cannot open" "$scratch/startup.log" || fail "the startup run: $(tail -3 "$scratch/startup.log")"
say "part 2: reference run A: $t_ref s, its startup (data, network, kernels): $t_start s; kill times from seed $seed"
# A quarter of the kills within the startup (under 0.05 s in a Release
# build), the others anywhere in the reference run's duration: a run that
# ends before its kill completes B, which is compared with A and started
# again.
mapfile -t times < <("$python" - "$seed" "$t_ref" "$t_start" <<'PY'
import random, sys
r = random.Random(int(sys.argv[1]))
t_ref, t_start = float(sys.argv[2]), float(sys.argv[3])
for _ in range(200):
    print(f"{r.uniform(0.002, 1.3 * t_start) if r.random() < 0.25 else r.uniform(0.002, t_ref):.3f}")
PY
)
B="$scratch/B"
landed=0 attempts=0 generations=0 last_step=-1
declare -A phase=([startup]=0 [loading]=0 [training]=0 [writing]=0)
writing_files=""
while [ "$landed" -lt 30 ] || [ $((phase[startup] + phase[loading])) -lt 2 ] || [ "${phase[training]}" -lt 2 ] ||
      [ "${phase[writing]}" -lt 2 ]; do
  [ "$attempts" -lt "${#times[@]}" ] ||
    fail "only $landed kills landed in $attempts attempts (phases: $(declare -p phase | cut -d= -f2-))"
  t=${times[$attempts]}
  attempts=$((attempts + 1))
  again=()
  [ -e "$B/checkpoint.safetensors" ] && again=(--resume)
  before=$(shopt -s nullglob && cd "$B" 2> /dev/null && printf '%s\n' *.tmp.* | sort || true)
  status=0
  { timeout -s KILL "$t" "$train" "$net" "${opts[@]}" "${again[@]}" -o "$B" > "$scratch/B.out" 2> "$scratch/B.err"; } \
    2> /dev/null || status=$?
  if [ "$status" = 0 ]; then # finished before its kill
    check final "$scratch/A" "$B" > /dev/null || fail "run B (generation $generations) finished unlike A"
    generations=$((generations + 1)) last_step=-1
    rm -rf "$B"
    continue
  fi
  [ "$status" = 137 ] || fail "run B exited with $status, not killed: $(tail -3 "$scratch/B.err")"
  landed=$((landed + 1))
  out=$(check whole "$B" "$scratch/A") || fail "after kill $landed (at $t s) a file of B is not whole"
  step=$(sed -n 's/^step: //p' <<< "$out")
  [ "$step" = none ] && step=-1
  [ "$step" -ge "$last_step" ] || fail "after kill $landed B's checkpoint went back from step $last_step to $step"
  last_step=$step
  left=$(comm -13 <(echo "$before") <(sed -n 's/^temporaries: *//p' <<< "$out" | tr ' ' '\n' | grep . | sort) || true)
  if [ -n "$left" ]; then
    p=writing
    writing_files+=" ${left%.tmp.*}"
  elif grep -q "^cpq-train: training " "$scratch/B.err"; then # the trainer started
    p=training
  elif grep -q "^cpq-train: kernels from the cache" "$scratch/B.err"; then # loading kernels, checkpoint, log
    p=loading
  else
    p=startup
  fi
  phase[$p]=$((phase[$p] + 1))
  echo "  kill $landed at $t s (${again[*]:-fresh}): $p${left:+ ($left)}, checkpoint at step $step"
done
again=()
[ -e "$B/checkpoint.safetensors" ] && again=(--resume)
"$train" "$net" "${opts[@]}" "${again[@]}" --quiet -o "$B" > "$scratch/B.log" 2>&1 ||
  fail "the last run of B failed: $(tail -5 "$scratch/B.log")"
same=$(check final "$scratch/A" "$B") || fail "B did not end like A, or left temporaries"
say "part 2: $landed kills landed in $attempts attempts ($((attempts - landed)) runs finished first, each compared" \
    "with A); at startup (data, MLIR) ${phase[startup]}, loading (kernels, checkpoint) ${phase[loading]}," \
    "training ${phase[training]}, writing a file ${phase[writing]} (${writing_files# }); in $(since "$t2") s"
say "part 2: B = A: $same"

# 3. Directory fsync after each rename.
if command -v strace > /dev/null; then
  ASAN_OPTIONS=detect_leaks=0 strace -f -y -qq -e trace=rename,renameat,renameat2,fsync -o "$scratch/strace.txt" \
    "$train" "$net" "${small[@]}" -o "$scratch/traced" > "$scratch/traced.log" 2>&1 ||
    fail "the traced run failed: $(tail -3 "$scratch/traced.log")"
  "$python" - "$scratch/strace.txt" "$scratch/traced" <<'EOF' || fail "a rename is not followed by an fsync of its folder"
import os, re, sys
lines = open(sys.argv[1]).read().splitlines()
folder = os.path.realpath(sys.argv[2])
renames = synced = 0
pending = None
for line in lines:
    m = re.search(r'rename(?:at2?)?\(.*"([^"]+)\.tmp\.\d+", .*"([^"]+)"', line)
    if m and os.path.realpath(os.path.dirname(m.group(2)) or ".").startswith(folder):
        if pending:
            sys.exit(f"{pending}: renamed, its folder not fsync'ed before the next rename")
        pending, renames = m.group(2), renames + 1
    m = re.search(r"fsync\(\d+<([^>]+)>\) = 0", line)
    if m and pending and os.path.realpath(m.group(1)) == os.path.realpath(os.path.dirname(pending) or "."):
        pending, synced = None, synced + 1
if pending or renames == 0:
    sys.exit(f"{renames} renames into {folder}, the last ({pending}) without an fsync of the folder")
print(f"kill_resume_test: part 3: {renames} renames into the run folder, each followed by an fsync of the folder")
EOF
else
  say "part 3: skipped (no strace)"
fi
say "passed in $(since "$begin") s"
