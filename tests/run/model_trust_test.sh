#!/usr/bin/env bash
# What a model file may make cpq-run (and the C API) load: only a kernel in
# the model file's folder unless --any-kernel-path (an absolute reference, a
# "..", a symbolic link out of the folder are refused), a pinned kernel only
# with its SHA-256 (cpq-compile --pin-kernel), and never a missing kernel,
# one that is not a shared object, one of another manifest version or of
# another function. "Refused before it is loaded" is shown with a shared
# object whose constructor writes a marker file: it never appears.
#
#   model_trust_test.sh SOURCE_DIR BUILD_DIR SCRATCH
set -euo pipefail
src=$1 build=$2 scratch=$3
opt="$build/tools/cpq-opt/cpq-opt" compile="$build/tools/cpq-compile/cpq-compile" run="$build/tools/cpq-run/cpq-run"
rm -rf "$scratch" && mkdir -p "$scratch/m" "$scratch/elsewhere" && cd "$scratch"

fail() { echo "model_trust_test: $*" >&2; exit 1; }

"$opt" --cpq-quantize-network="weight-bits=2 activation-bits=2" "$src/tests/run/tiny.mlir" -o quantized.mlir
"$opt" --cpq-freeze quantized.mlir -o frozen.mlir
"$compile" frozen.mlir --function inference -o m/k --model m/model.safetensors > /dev/null
"$compile" frozen.mlir --function inference -o m/pk --model m/pinned.safetensors --pin-kernel > /dev/null

# A shared object that announces being loaded (its constructor runs at dlopen).
cat > evil.c <<'C'
#include <stdio.h>
__attribute__((constructor)) static void loaded(void) {
  FILE *f = fopen("LOADED", "w");
  if (f) fclose(f);
}
C
cc -shared -fPIC -o evil.so evil.c || fail "cannot build the marker shared object"

# meta FILE KEY VALUE: rewrites one metadata value of a safetensors file.
meta() {
  python3 - "$@" <<'PY'
import json, struct, sys
path, key, value = sys.argv[1:4]
b = open(path, 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8 + n])
if value == '-':
    h['__metadata__'].pop(key, None)
else:
    h['__metadata__'][key] = value
head = json.dumps(h).encode()
head += b' ' * ((8 - len(head) % 8) % 8)
open(path, 'wb').write(struct.pack('<Q', len(head)) + head + b[8 + n:])
PY
}
expect_refused() { # expect_refused MODEL PATTERN [cpq-run options]
  local model=$1 pattern=$2; shift 2
  local code=0
  rm -f LOADED
  "$run" "$model" --limit 10 --repeats 1 "$@" > err.log 2>&1 || code=$?
  [ "$code" = 1 ] || fail "$model ($*): exited with $code, expected 1: $(cat err.log)"
  grep -q -- "$pattern" err.log || fail "$model ($*): no '$pattern' in: $(cat err.log)"
  [ "$(wc -l < err.log)" = 1 ] || fail "$model: more than one line: $(cat err.log)"
  [ ! -e LOADED ] || fail "$model ($*): the refused shared object was loaded"
  refusals=$((refusals + 1))
}
expect_loads() { # expect_loads MODEL [cpq-run options]
  local model=$1; shift
  "$run" "$model" --limit 10 --repeats 1 "$@" > ok.log 2>&1 || fail "$model ($*) failed: $(cat ok.log)"
  grep -q 'on 10 images' ok.log || fail "$model ($*): $(cat ok.log)"
}
refusals=0

# 1. Beside the model: loads; the pinned file records the .so's digest.
expect_loads m/model.safetensors
expect_loads m/pinned.safetensors --require-pinned-kernel
python3 - m/pinned.safetensors "$(sha256sum m/pk.so | cut -d' ' -f1)" <<'PY' || fail "the pin is not the kernel's sha256sum"
import json, struct, sys
b = open(sys.argv[1], 'rb').read()
h = json.loads(b[8:8 + struct.unpack('<Q', b[:8])[0]])
assert h['__metadata__']['cpq.kernel_sha256'] == sys.argv[2], h['__metadata__']
PY
expect_refused m/model.safetensors "does not pin its kernel's SHA-256" --require-pinned-kernel

# 2. A kernel outside the model's folder: "..", absolute, a symbolic link.
cp m/k.so m/k.json elsewhere/
cp evil.so elsewhere/evil.so && cp m/k.json elsewhere/evil.json
cp m/model.safetensors m/up.safetensors && meta m/up.safetensors cpq.kernel ../elsewhere/evil
expect_refused m/up.safetensors "its kernel '../elsewhere/evil' leaves the model's folder"
cp m/model.safetensors m/abs.safetensors && meta m/abs.safetensors cpq.kernel "$scratch/elsewhere/evil"
expect_refused m/abs.safetensors "its kernel '$scratch/elsewhere/evil' is an absolute path"
ln -s ../elsewhere/evil.so m/link.so && ln -s ../elsewhere/evil.json m/link.json
cp m/model.safetensors m/link.safetensors && meta m/link.safetensors cpq.kernel link
expect_refused m/link.safetensors "resolves to $scratch/elsewhere/evil.so, outside the model's folder"
# --any-kernel-path lets a real kernel elsewhere load.
cp m/model.safetensors m/away.safetensors && meta m/away.safetensors cpq.kernel ../elsewhere/k
expect_refused m/away.safetensors "leaves the model's folder"
expect_loads m/away.safetensors --any-kernel-path
cp m/model.safetensors m/awayabs.safetensors && meta m/awayabs.safetensors cpq.kernel "$scratch/elsewhere/k"
expect_loads m/awayabs.safetensors --any-kernel-path

# 3. A pinned kernel replaced: refused before loading; a malformed pin too.
cp m/pk.so m/pk.so.orig && cp evil.so m/pk.so
expect_refused m/pinned.safetensors "m/pk.so: its SHA-256 is $(sha256sum evil.so | cut -d' ' -f1), the model file pins"
cp m/pk.so.orig m/pk.so
cp m/pinned.safetensors m/badpin.safetensors && meta m/badpin.safetensors cpq.kernel_sha256 ABC
expect_refused m/badpin.safetensors "cpq.kernel_sha256 is 'ABC', not 64 lowercase hex digits"

# 4. Missing, not a shared object, another manifest version, another function.
cp m/model.safetensors m/missing.safetensors && meta m/missing.safetensors cpq.kernel nothing
expect_refused m/missing.safetensors "its kernel m/nothing.so is missing"
cp m/k.json m/text.json && echo "not a library" > m/text.so
cp m/model.safetensors m/text.safetensors && meta m/text.safetensors cpq.kernel text
expect_refused m/text.safetensors "m/text.so: not a shared object (no ELF header)"
cc -c -fPIC -o m/object.so evil.c && cp m/k.json m/object.json
cp m/model.safetensors m/object.safetensors && meta m/object.safetensors cpq.kernel object
expect_refused m/object.safetensors "not a shared object (type 1, an object file)"
cp evil.so m/newer.so && sed 's/"manifest_version": 1,/"manifest_version": 7,/' m/k.json > m/newer.json
cp m/model.safetensors m/newer.safetensors && meta m/newer.safetensors cpq.kernel newer
expect_refused m/newer.safetensors "a manifest of another version of cpq (manifest_version 7, this cpq reads 1)"
cp evil.so m/evil.so && cp m/k.json m/evil.json
cp m/model.safetensors m/renamed.safetensors && meta m/renamed.safetensors cpq.kernel evil && meta m/renamed.safetensors cpq.function other_net
expect_refused m/renamed.safetensors "m/evil.json: is the manifest of function 'k', not 'other_net'"

# 5. The C API keeps the same rules (c_model_client: the model's logits
# against the kernel with the weights compiled in).
"$compile" frozen.mlir --function inference -o packed > /dev/null
"$build/tests/runtime/c_model_client" m/pinned.safetensors packed frozen.mlir > c.log 2>&1 || fail "C API on the pinned model: $(cat c.log)"
rm -f LOADED
if "$build/tests/runtime/c_model_client" m/up.safetensors packed frozen.mlir > c.log 2>&1; then fail "the C API loaded ../elsewhere/evil"; fi
grep -q "leaves the model's folder" c.log || fail "the C API's refusal: $(cat c.log)"
[ ! -e LOADED ] || fail "the C API loaded the refused shared object"
echo "model_trust_test: $refusals refusals, none loaded the marker object"
