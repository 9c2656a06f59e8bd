#!/usr/bin/env bash
# Runs one libFuzzer target for ctest (tests/fuzz/CMakeLists.txt).
#   run_fuzzer.sh replay FUZZER CORPUS WORK
#       every file of CORPUS once, whole (regression inputs included);
#   run_fuzzer.sh fuzz FUZZER CORPUS WORK SECONDS MAX_LEN SEED [DICT]
#       fuzzes a fresh copy of CORPUS in WORK for SECONDS seconds from
#       libFuzzer seed SEED (0: libFuzzer draws one).
# Fails on any crash, leak, timeout, out-of-memory or sanitizer report; the
# input that caused it is left in WORK (artifact_prefix) and named in the log.
set -euo pipefail

mode=$1 fuzzer=$2 corpus=$3 work=$4
export ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:check_initialization_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
# Leaks inside a dependency, each explained in the target's suppressions file.
supp="$(dirname "$0")/$(basename "$fuzzer").lsan"
[ ! -f "$supp" ] || export LSAN_OPTIONS="suppressions=$supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
common=(-rss_limit_mb=2048 -timeout=10 -print_final_stats=1)

rm -rf "$work"
mkdir -p "$work"
log="$work/log.txt"
[ -d "$corpus" ] || { echo "run_fuzzer.sh: no corpus $corpus" >&2; exit 1; }

status=0
case "$mode" in
  replay)
    mapfile -t inputs < <(find "$corpus" -type f | LC_ALL=C sort)
    [ ${#inputs[@]} -gt 0 ] || { echo "run_fuzzer.sh: empty corpus $corpus" >&2; exit 1; }
    echo "replaying ${#inputs[@]} inputs of $corpus"
    "$fuzzer" "${common[@]}" -artifact_prefix="$work/" "${inputs[@]}" >"$log" 2>&1 || status=$?
    ;;
  fuzz)
    seconds=$5 max_len=$6 seed=$7 dict=${8:-}
    cp -r "$corpus" "$work/corpus"
    args=("${common[@]}" -max_total_time="$seconds" -max_len="$max_len" -seed="$seed" -artifact_prefix="$work/")
    [ -z "$dict" ] || args+=(-dict="$dict")
    echo "fuzzing a copy of $corpus for $seconds s from seed $seed"
    "$fuzzer" "${args[@]}" "$work/corpus" >"$log" 2>&1 || status=$?
    ;;
  *) echo "usage: run_fuzzer.sh replay|fuzz FUZZER CORPUS WORK [SECONDS MAX_LEN SEED [DICT]]" >&2; exit 2 ;;
esac

# A sanitizer report that did not stop the run still fails it.
if grep -qE 'ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|WARNING: .*Sanitizer|runtime error:|==[0-9]+==ERROR' "$log"; then
  [ "$status" -ne 0 ] || status=1
fi
if [ "$status" -ne 0 ]; then
  tail -n 80 "$log"
  echo "run_fuzzer.sh: $(basename "$fuzzer") failed (exit $status); log $log; inputs left in $work:" >&2
  ls "$work" | grep -E '^(crash|leak|timeout|oom|slow-unit)-' >&2 || true
  exit 1
fi
# And a run that did not do its work fails too.
if [ "$mode" = replay ]; then
  ran=$(grep -c '^Executed ' "$log" || true)
  if [ "$ran" -ne ${#inputs[@]} ]; then
    tail -n 20 "$log"
    echo "run_fuzzer.sh: ran $ran of the ${#inputs[@]} inputs" >&2
    exit 1
  fi
  echo "all ${#inputs[@]} inputs ran"
else
  if ! grep -qE '^Done [0-9]+ runs in ' "$log"; then
    tail -n 20 "$log"
    echo "run_fuzzer.sh: the fuzzer did not run to its time limit" >&2
    exit 1
  fi
  grep -E '^(#[0-9]+[[:space:]]+DONE|Done [0-9]+ runs in) ' "$log"
fi
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$log" || true
