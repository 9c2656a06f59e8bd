#!/usr/bin/env bash
# Checks the CUDA kernels inside a kernel cpq-compile made for a CUDA target
# (--target host-cuda-cuda_capability_80): extracts every PTX module Halide
# embedded in KERNEL (the .so, .a or .o) and assembles it with NVIDIA's
# ptxas for each architecture given (default sm_80 sm_90). Halide 14 writes
# PTX ISA 7.0, which ptxas takes for sm_80; for sm_90 and later (ISA 7.8) the
# module's .version and .target lines are raised first, as the driver's JIT
# would compile it there.
#
# Usage: scripts/check-cuda-ptx.sh KERNEL [ARCH...]
# ptxas: $PTXAS, else on PATH, else /usr/local/cuda/bin/ptxas.
# Exit: 0 all assembled, 1 an error (named), 77 no ptxas (nothing checked).
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: check-cuda-ptx.sh KERNEL [ARCH...]" >&2
  exit 2
fi
kernel=$1
shift
archs=("$@")
[ ${#archs[@]} -gt 0 ] || archs=(sm_80 sm_90)
for arch in "${archs[@]}"; do
  if ! [[ $arch =~ ^sm_[0-9]+$ ]]; then
    echo "check-cuda-ptx.sh: '$arch' is not an architecture (sm_80, sm_90, ...)" >&2
    exit 2
  fi
done

ptxas=${PTXAS:-$(command -v ptxas || true)}
[ -n "$ptxas" ] || ptxas=/usr/local/cuda/bin/ptxas
if [ ! -x "$ptxas" ]; then
  echo "check-cuda-ptx.sh: no ptxas (set PTXAS, or install NVIDIA's CUDA toolkit): nothing checked" >&2
  exit 77
fi
if [ ! -r "$kernel" ]; then
  echo "check-cuda-ptx.sh: $kernel: cannot read" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Each PTX module is a NUL-terminated string in the object's data.
/usr/bin/python3 - "$kernel" "$work" <<'PY'
import re, sys
data = open(sys.argv[1], 'rb').read()
n = 0
for m in re.finditer(rb'\.version \d+\.\d+\n\.target sm_\d+', data):
    begin = data.rfind(b'\x00', 0, m.start()) + 1
    end = data.find(b'\x00', m.start())
    open(f'{sys.argv[2]}/module{n}.ptx', 'wb').write(data[begin:end])
    n += 1

PY
modules=("$work"/module*.ptx)
if [ ! -e "${modules[0]}" ]; then
  echo "check-cuda-ptx.sh: $kernel: no PTX module inside (not compiled for a CUDA target?)" >&2
  exit 1
fi
status=0
for ptx in "${modules[@]}"; do
  entries=$(grep -c '^\.visible \.entry' "$ptx" || true)
  emitted=$(sed -n 's/^\.target \(sm_[0-9]*\).*/\1/p' "$ptx" | head -1)
  for arch in "${archs[@]}"; do
    src=$ptx
    if [ "$arch" != "$emitted" ] && [ "${arch#sm_}" -ge 90 ]; then
      src="$work/$(basename "$ptx" .ptx)_$arch.ptx"
      sed "s/^\.version .*/.version 7.8/; s/^\.target sm_[0-9]*/.target $arch/" "$ptx" > "$src"
    elif [ "$arch" != "$emitted" ]; then
      src="$work/$(basename "$ptx" .ptx)_$arch.ptx"
      sed "s/^\.target sm_[0-9]*/.target $arch/" "$ptx" > "$src"
    fi
    if "$ptxas" --gpu-name "$arch" "$src" -o "$work/out.cubin" 2> "$work/ptxas.log"; then
      echo "$(basename "$ptx"): $entries kernels assembled for $arch"
    else
      echo "$(basename "$ptx"): ptxas failed for $arch:" >&2
      head -20 "$work/ptxas.log" >&2
      status=1
    fi
  done
done
exit $status
