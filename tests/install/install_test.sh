#!/usr/bin/env bash
# install_test.sh SOURCE BUILD SCRATCH: installs BUILD into SCRATCH/prefix,
# checks what is there and that no installed CMake or pkg-config file names
# the source or build tree, moves the prefix (the package is relocatable),
# then builds and runs examples/consumer against the moved prefix only.
set -euo pipefail
source_dir=$1 build_dir=$2 scratch=$3
rm -rf "$scratch"
mkdir -p "$scratch"
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build_dir" --prefix "$scratch/prefix" > "$scratch/install.log"
cd "$scratch/prefix"
for f in bin/cpq-opt bin/cpq-compile bin/cpq-train bin/cpq-run bin/cpq-compress bin/cpq-import \
         include/cpq/runtime/cpq_runtime.h include/cpq/runtime/model.h include/cpq/kernels/quantizer_reference.h \
         lib/libcpq_runtime.so lib/libcpq_training_externs.a lib/libcpq_packed_externs.a lib/libcpq_kernels_dispatch.a \
         lib/cmake/cpq/cpqConfig.cmake lib/cmake/cpq/cpqConfigVersion.cmake lib/cmake/cpq/cpqTargets.cmake \
         lib/cmake/cpq/CpqNetwork.cmake lib/pkgconfig/cpq-runtime.pc share/cpq/networks/lenet5.mlir; do
  [ -e "$f" ] || fail "the install has no $f"
done
echo "installed: $(find . -type f | wc -l) files"
if grep -rl -e "$source_dir" -e "$build_dir" lib/cmake lib/pkgconfig; then
  fail "installed CMake or pkg-config files name the source or build tree"
fi
for tool in bin/cpq-*; do
  if ldd "$tool" | grep -q "not found"; then fail "$tool: $(ldd "$tool" | grep 'not found')"; fi
done

# A version the package does not provide is refused by find_package.
mkdir -p "$scratch/too-new"
cat > "$scratch/too-new/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(too_new LANGUAGES C CXX)
find_package(cpq 99 REQUIRED)
CMAKE
if cmake -S "$scratch/too-new" -B "$scratch/too-new/build" -DCMAKE_PREFIX_PATH="$scratch/prefix" \
     > "$scratch/too-new.log" 2>&1; then
  fail "find_package(cpq 99) succeeded"
fi
grep -q "cpqConfig.cmake" "$scratch/too-new.log" || fail "find_package(cpq 99) did not say which version it found"

cd "$scratch"
mv prefix moved-prefix
bash "$source_dir/examples/consumer/build_and_run.sh" "$scratch/moved-prefix" "$scratch/consumer"
echo "install_test.sh: all checks passed"
