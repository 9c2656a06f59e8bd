#!/usr/bin/env bash
# deb_test.sh BUILD SCRATCH: `cpack -G DEB` makes a Debian package whose
# contents are the install, whose dependencies are declared, and which apt
# can install on this (bookworm) machine (apt-get --simulate: nothing is
# changed).
set -euo pipefail
build_dir=$1 scratch=$2
rm -rf "$scratch"
mkdir -p "$scratch"
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$build_dir" && cpack -G DEB -B "$scratch" > "$scratch/cpack.log")
deb=$(ls "$scratch"/cpq_*_amd64.deb)
[ -f "$deb" ] || fail "cpack made no cpq_*_amd64.deb"
echo "package: $(basename "$deb"), $(du -k "$deb" | cut -f1) KiB"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for p in libhalide14-0 libhalide14-0-dev libllvm14 libxsimd-dev librandom123-dev nlohmann-json3-dev zlib1g-dev g++; do
  echo "$depends" | tr ',' '\n' | sed 's/^ *//; s/ .*//' | grep -qx "$p" || fail "Depends does not name $p"
done
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/cpq-compile ./usr/bin/cpq-train ./usr/bin/cpq-import ./usr/lib/libcpq_runtime.so \
         ./usr/lib/cmake/cpq/cpqConfig.cmake ./usr/lib/pkgconfig/cpq-runtime.pc ./usr/include/cpq/runtime/cpq_runtime.h; do
  # A here-string, not `echo | grep -q`: grep -q stops at the first match,
  # echo then dies of SIGPIPE on a long listing, and pipefail failed the
  # test now and then although the file was there.
  grep -qx -- "$f" <<< "$contents" || fail "the package has no $f"
done
if apt-get install --simulate --no-install-recommends "$deb" > "$scratch/simulate.log" 2>&1; then
  echo "apt-get --simulate: $(grep -c '^Inst' "$scratch/simulate.log") package(s) would be installed"
else
  cat "$scratch/simulate.log" >&2
  fail "apt-get cannot install $deb"
fi
echo "deb_test.sh: all checks passed"
