#!/usr/bin/env bash
# Installs every Debian bookworm package cpq needs to build, test and run;
# with --peers also what the benchmarks under bench/ compare against
# (PyTorch 1.13 for /usr/bin/python3).
# Idempotent: packages already present are left alone, and apt's index is only
# refreshed when something is missing. Run as root, or as a user with sudo.
set -euo pipefail

peers=0
for arg in "$@"; do
  case "$arg" in
    --peers) peers=1 ;;
    *) echo "usage: install-deps.sh [--peers]" >&2; exit 2 ;;
  esac
done

packages=(
  # toolchain
  g++ cmake ninja-build ccache pkg-config
  # the fuzz preset: clang and its libFuzzer (tests/fuzz)
  clang-14 libclang-rt-14-dev
  # test_kill_resume checks with strace that every rename is followed by a
  # sync of its folder
  strace
  # the two heavy dependencies; they share libLLVM-14
  libhalide14-0-dev
  llvm-14-dev libmlir-14-dev mlir-14-tools llvm-14-tools
  # header-only kernel core and its tests
  libxsimd-dev xtl-dev librandom123-dev libboost-test-dev
  # JSON: manifests, safetensors headers, summaries
  nlohmann-json3-dev
  # data sets: the IDX reader (zlib) and Fashion-MNIST for the main job
  zlib1g-dev dataset-fashion-mnist
  # lit (in llvm-14-tools) runs the cpq-opt tests under Debian's python3
  python3
  # the studies' plots (examples/compression_table.sh and its test)
  gnuplot-nox
  # cpq-import reads ONNX through ONNX's own protobuf definitions
  libonnx-dev libprotobuf-dev protobuf-compiler
  # cpack -G DEB: dependencies of the tools (dpkg-shlibdeps, file)
  dpkg-dev file
  # GPU kernels (OpenCL): Halide's OpenCL runtime loads libOpenCL.so, and
  # PoCL runs OpenCL kernels on the CPU, so the GPU schedules are tested on
  # machines without a GPU (test_codegen_gpu)
  ocl-icd-opencl-dev pocl-opencl-icd
)
if [ "$peers" -eq 1 ]; then
  # OpenBLAS: the sgemm peer, and PyTorch's BLAS through Debian's
  # libblas.so.3 alternative (without it PyTorch runs on reference BLAS, far
  # slower than a researcher's PyTorch).
  packages+=(python3-torch libdnnl-dev libopenblas-pthread-dev)
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "install-deps.sh: must run as root or with sudo available" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps.sh: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
