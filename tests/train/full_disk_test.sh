#!/usr/bin/env bash
# cpq-train on a full disk (issue 22): a checkpoint that cannot be written
# stops the run with exit code 1 and one message naming the file and the
# reason, the previous checkpoint stays as it was, no temporary file is
# left, and once there is room again --resume ends bit-identical to an
# uninterrupted run.
#
# The disk is a 1 MiB tmpfs filled up to a few KiB (when mount works: root
# with CAP_SYS_ADMIN) and, always, a file-size limit (ulimit -f: write(2)
# fails with EFBIG; cpq-train ignores SIGXFSZ itself, so the test does not).
# For each: a run stopped at step 6 of 40 (tiny_net W2A2, a checkpoint every
# 4 steps) resumes with
#  1. room for less than params.safetensors (48000 bytes): the save at step
#     8 fails on params.safetensors, both files unchanged;
#  2. room for params but not checkpoint.safetensors (144152 bytes): it fails
#     on the checkpoint, which is byte-identical to before (params, written
#     first, may hold step 8: resuming from the checkpoint rewrites it);
#  3. room again: --resume runs to the end and equals the reference.
#
#   full_disk_test.sh BUILD_DIR NET CACHE SCRATCH
set -euo pipefail
build=$1 net=$2 cache=$3 scratch=$4
here=$(cd "$(dirname "$0")" && pwd)
train="$build/tools/cpq-train/cpq-train"
python=$(python3 -c 'import sys; print(sys.executable)')
check() { "$python" "$here/run_folder_check.py" "$@"; }
fail() { echo "full_disk_test: FAIL: $*" >&2; exit 1; }
say() { echo "full_disk_test: $*"; }
begin=$(date +%s.%N)
disk="$scratch/disk"
mounted() { grep -qs " $(realpath -m "$disk") tmpfs " /proc/mounts; }
if mounted; then umount "$disk"; fi
rm -rf "$scratch" && mkdir -p "$scratch"
trap 'if mounted; then umount "$disk"; fi' EXIT

check subset "${CPQ_TEST_DATA:-/usr/share/datasets/fashion-mnist}" "$scratch/data" 640 200 || fail "cannot make the data subset"
opts=("$net" --bits W2A2 --dropbits 0.25 --batch 32 --epochs 2 --checkpoint-every 4 --data "$scratch/data"
      --cache "$cache" --quiet)
"$train" "${opts[@]}" -o "$scratch/A" > "$scratch/A.log" 2>&1 || fail "the reference run failed: $(tail -5 "$scratch/A.log")"
"$train" "${opts[@]}" --stop-after-steps 6 -o "$scratch/stopped" > "$scratch/stopped.log" 2>&1 ||
  fail "the stopped run failed: $(tail -5 "$scratch/stopped.log")"
[ "$(check whole "$scratch/stopped" | sed -n 's/^step: //p')" = 6 ] || fail "the stopped run's checkpoint is not at step 6"
cp "$scratch/stopped/checkpoint.safetensors" "$scratch/checkpoint-6.safetensors"
cp "$scratch/stopped/params.safetensors" "$scratch/params-6.safetensors"

# room KIB: a method's limit. tmpfs: fill the disk up to KIB KiB free.
# ulimit: files up to KIB KiB (bash counts ulimit -f in KiB).
room() {
  if [ "$method" = tmpfs ]; then
    rm -f "$disk/filler"
    local avail
    avail=$(df -B1 --output=avail "$disk" | tail -1)
    head -c $((avail - $1 * 1024)) /dev/zero > "$disk/filler"
    avail=$(df -B1 --output=avail "$disk" | tail -1)
    [ "$avail" -le $((($1 + 8) * 1024)) ] && [ "$avail" -ge $((($1 - 8) * 1024)) ] ||
      fail "tmpfs: $avail bytes free, not about $1 KiB"
  fi
  limit=$1
}
# resume_short WHAT FILE: --resume must fail on FILE, naming it and the reason.
resume_short() {
  local status=0
  if [ "$method" = tmpfs ]; then
    "$train" "${opts[@]}" --resume -o "$run" > "$scratch/$method.out" 2> "$scratch/$method.err" || status=$?
  else
    (ulimit -f "$limit" && exec "$train" "${opts[@]}" --resume -o "$run") > "$scratch/$method.out" 2> "$scratch/$method.err" ||
      status=$?
  fi
  [ "$status" = 1 ] || fail "$method, $1: exit status $status, not 1 (killed by a signal?): $(tail -3 "$scratch/$method.err")"
  # One line (a SIGXFSZ that is not ignored had LLVM's signal handler print
  # a stack dump before the message).
  local expected="cpq-train: error: $run/$2: cannot write: $reason (the previous file is kept)"
  [ "$(cat "$scratch/$method.err")" = "$expected" ] ||
    fail "$method, $1: the output is not the one line '$expected': $(head -c 2000 "$scratch/$method.err")"
  local out
  out=$(check whole "$run" "$scratch/A") || fail "$method, $1: a file is not whole"
  [ -z "$(sed -n 's/^temporaries: *//p' <<< "$out")" ] || fail "$method, $1: temporary files left: $out"
  check bytes "$scratch/checkpoint-6.safetensors" "$run/checkpoint.safetensors" ||
    fail "$method, $1: the checkpoint changed"
  say "$method, $1: exit 1, '$(cat "$scratch/$method.err")'; checkpoint unchanged, no temporary left"
}

methods=()
mkdir -p "$disk"
if mount -t tmpfs -o size=1m cpq-full-disk "$disk" 2> "$scratch/mount.err"; then
  methods+=(tmpfs)
else
  say "tmpfs: cannot mount ($(cat "$scratch/mount.err")); the file-size limit only"
fi
methods+=(ulimit)
for method in "${methods[@]}"; do
  if [ "$method" = tmpfs ]; then
    run="$disk/run" reason="No space left on device"
  else
    run="$scratch/ulimit-run" reason="File too large"
  fi
  say "$method: $([ "$method" = tmpfs ] && echo "a 1 MiB tmpfs at $disk, filled" || echo "ulimit -f")"
  cp -r "$scratch/stopped" "$run"
  room 20
  resume_short "room for 20 KiB" params.safetensors
  check bytes "$scratch/params-6.safetensors" "$run/params.safetensors" || fail "$method: params changed"
  room 100
  resume_short "room for 100 KiB" checkpoint.safetensors
  [ "$method" = tmpfs ] && rm "$disk/filler"
  "$train" "${opts[@]}" --resume -o "$run" > "$scratch/$method-room.log" 2>&1 ||
    fail "$method: --resume with room again failed: $(tail -3 "$scratch/$method-room.log")"
  same=$(check final "$scratch/A" "$run") || fail "$method: the resumed run did not end like the reference"
  say "$method, room again: --resume ends like the reference: $same"
done
say "passed (${methods[*]}) in $(awk -v a="$begin" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
