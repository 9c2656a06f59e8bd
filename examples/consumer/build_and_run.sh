#!/usr/bin/env bash
# Uses an installed cpq the two ways an outside project does, and nothing
# from cpq's build tree:
#   1. CMake: find_package(cpq) + cpq_add_network() on mlp.mlir (this
#      folder's CMakeLists.txt), then runs consumer-mlp, which checks the
#      kernel against the kernel core's reference;
#   2. pkg-config: builds classify.c against cpq-runtime, trains cnn.mlir
#      W2A2 briefly with the installed cpq-train, packs it into a model file
#      with the installed cpq-opt and cpq-compile, classifies test images
#      with it, and checks its predictions equal the installed cpq-run's.
#
#   examples/consumer/build_and_run.sh PREFIX [WORK]
#
# PREFIX is where cpq was installed (cmake --install build --prefix PREFIX,
# or /usr for the Debian package); WORK (default: a temporary folder) gets
# the builds, the run and the model. Needs the Fashion-MNIST test set
# (Debian dataset-fashion-mnist) or CPQ_DATA=DIR with the IDX files.
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: examples/consumer/build_and_run.sh PREFIX [WORK]" >&2
  exit 2
fi
prefix=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=${2:-$(mktemp -d)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
data=${CPQ_DATA:-/usr/share/datasets/fashion-mnist}
for f in "$prefix/bin/cpq-train" "$prefix/bin/cpq-compile" "$prefix/bin/cpq-opt" "$prefix/bin/cpq-run"; do
  [ -x "$f" ] || { echo "build_and_run.sh: $f not found: is cpq installed under $prefix?" >&2; exit 1; }
done
for f in t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz train-images-idx3-ubyte.gz; do
  [ -f "$data/$f" ] || { echo "build_and_run.sh: $data/$f not found (package dataset-fashion-mnist, or CPQ_DATA)" >&2; exit 1; }
done

echo "== 1. CMake: find_package(cpq) and cpq_add_network"
cmake -S "$here" -B "$work/cmake-build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" > "$work/cmake-configure.log"
cmake --build "$work/cmake-build" > "$work/cmake-build.log"
"$work/cmake-build/consumer-mlp"

echo "== 2. pkg-config: the C runtime and a packed model file"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$prefix/lib/$(gcc -print-multiarch 2>/dev/null || true)/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
libdir=$(pkg-config --variable=libdir cpq-runtime)
# shellcheck disable=SC2046
cc -O2 -Wall -Wextra "$here/classify.c" $(pkg-config --cflags --libs cpq-runtime) -lz -Wl,-rpath,"$libdir" \
  -o "$work/classify"
"$prefix/bin/cpq-train" "$here/cnn.mlir" --bits W2A2 --epochs 1 --train-limit 3000 --test-limit 500 \
  --data "$data" --cache "$work/cache" -o "$work/run" --overwrite --quiet
"$prefix/bin/cpq-opt" --cpq-inference-pipeline="params=$work/run/params.safetensors" "$work/run/network.mlir" \
  -o "$work/inference.mlir"
"$prefix/bin/cpq-compile" "$work/inference.mlir" --function inference -o "$work/model_kernel" \
  --model "$work/model.safetensors" > /dev/null
"$work/classify" "$work/model.safetensors" "$data/t10k-images-idx3-ubyte.gz" "$data/t10k-labels-idx1-ubyte.gz" \
  1000 "$work/classify.csv"
"$prefix/bin/cpq-run" "$work/model.safetensors" --data "$data" --limit 1000 --predictions "$work/cpq-run.csv" | tail -1
if ! cmp -s "$work/classify.csv" "$work/cpq-run.csv"; then
  echo "build_and_run.sh: classify's predictions differ from cpq-run's ($work/classify.csv, $work/cpq-run.csv)" >&2
  exit 1
fi
echo "build_and_run.sh: both ways work; classify and cpq-run agree on all 1000 images"
