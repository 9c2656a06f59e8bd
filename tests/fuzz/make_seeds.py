#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/).

    /usr/bin/python3 tests/fuzz/make_seeds.py [--build BUILD_DIR]

Generated here: IDX files (plain and gzip, valid and damaged), safetensors
files (as cpq's writer lays them out: 8-byte length, compact JSON padded with
spaces to a multiple of 8, the data), the .mlir files of tests/dialect split
at `// -----` (as cpq-opt --split-input-file splits them) and the small ONNX
fixtures of tests/import. With --build, also kernel manifests and model files
that a build's tests wrote with the real tools (cpq-compile, cpq-compress),
and variants of them made here (a pinned kernel, a scaled compressed
parameter, damaged metadata). Only files named seed-* are written or
replaced: the regression inputs (crash-*) and anything merged from fuzzing
runs are left alone.
"""
import argparse
import gzip
import json
import os
import re
import shutil
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")
MAX_SEED = 64 * 1024


def put(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    assert len(data) <= MAX_SEED, (target, name, len(data))
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


# --- IDX --------------------------------------------------------------------
def idx(dims, data, type_code=0x08):
    b = bytes([0, 0, type_code, len(dims)])
    for d in dims:
        b += struct.pack(">I", d)
    return b + bytes(data)


def gz(b, mtime=0):
    return gzip.compress(b, compresslevel=9, mtime=mtime)


def idx_seeds():
    # The first byte is the target's mode: even parses the rest as it is,
    # odd also gzips the rest and compares.
    ramp = lambda n: [(7 * k + 3) % 256 for k in range(n)]
    files = {
        "labels": idx([6], [0, 9, 4, 1, 2, 3]),
        "images": idx([2, 3, 4], ramp(24)),
        "rank4": idx([1, 2, 2, 3], ramp(12)),
        "big-dim": idx([1, 70000], []),  # truncated body
        "float": idx([2], ramp(8), 0x0D),
        "bad-magic": b"\x01\x00\x08\x01\x00\x00\x00\x01\x05",
        "trailing": idx([2], [1, 2]) + b"\x00",
        "cut-header": idx([2, 3], ramp(6))[:7],
        "zero-dim": idx([2, 0], []),
    }
    for name, b in files.items():
        put("fuzz_idx", "plain-" + name, b"\x00" + b)
        put("fuzz_idx", "both-" + name, b"\x01" + b)
    put("fuzz_idx", "gz-images", b"\x00" + gz(files["images"]))
    put("fuzz_idx", "gz-labels", b"\x00" + gz(files["labels"]))
    z = gz(idx([8, 8], ramp(64)))
    put("fuzz_idx", "gz-truncated", b"\x00" + z[: len(z) // 2])
    put("fuzz_idx", "gz-two-members", b"\x00" + gz(files["images"][:10]) + gz(files["images"][10:]))
    put("fuzz_idx", "gz-trailing-garbage", b"\x00" + gz(files["labels"]) + b"garbage")
    flipped = bytearray(z)
    for k in range(12, len(flipped) - 8, 5):
        flipped[k] ^= 0x5A
    put("fuzz_idx", "gz-flipped", b"\x00" + bytes(flipped))


# --- safetensors ------------------------------------------------------------
def safetensors(tensors, metadata=None, pad=True):
    """tensors: [(name, dtype, shape, bytes)] in data order."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    for name, dtype, shape, data in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(t[3] for t in tensors)


def read_safetensors(b):
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8 : 8 + n])
    data = b[8 + n :]
    meta = header.pop("__metadata__", {})
    tensors = sorted(
        ((k, v["dtype"], v["shape"], data[v["data_offsets"][0] : v["data_offsets"][1]]) for k, v in header.items()),
        key=lambda t: header[t[0]]["data_offsets"][0],
    )
    return tensors, meta


def f32(*values):
    return struct.pack("<%df" % len(values), *values)


def safetensors_seeds():
    put("fuzz_safetensors", "params", safetensors(
        [("conv1.weight", "F32", [2, 1, 2, 2], f32(*[0.5 * k for k in range(8)])), ("conv1.bias", "F32", [2], f32(1, -1))],
        {"cpq.network": "net", "source": "make_seeds.py"}))
    put("fuzz_safetensors", "dtypes", safetensors([
        ("a", "F64", [1], struct.pack("<d", 2.5)), ("b", "F16", [2], b"\x00\x3c\x00\xc0"), ("c", "BF16", [1], b"\x80\x3f"),
        ("d", "I64", [1], struct.pack("<q", -3)), ("e", "I32", [1, 1], struct.pack("<i", 7)), ("f", "I16", [1], b"\x01\x00"),
        ("g", "I8", [3], b"\x01\xff\x02"), ("h", "U64", [1], b"\x00" * 8), ("i", "U32", [1], b"\x00" * 4),
        ("j", "U16", [1], b"\x00" * 2), ("k", "U8", [4], b"\x01\x02\x03\x04"), ("l", "BOOL", [2], b"\x00\x01")]))
    put("fuzz_safetensors", "scalar-and-empty", safetensors([("s", "F32", [], f32(3)), ("z", "F32", [0, 4], b"")]))
    put("fuzz_safetensors", "metadata-only", safetensors([], {"cpq.format": "packed-model 1", "cpq.kernel": "k"}))
    put("fuzz_safetensors", "empty-header", struct.pack("<Q", 2) + b"{}")
    put("fuzz_safetensors", "unpadded", safetensors([("x", "U8", [3], b"abc")], pad=False))
    ok = safetensors([("x", "F32", [2], f32(1, 2)), ("y", "F32", [1], f32(3))])
    put("fuzz_safetensors", "truncated", ok[:-3])
    put("fuzz_safetensors", "overlap", struct.pack("<Q", 96) + json.dumps(
        {"x": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]}, "y": {"dtype": "U8", "shape": [4], "data_offsets": [2, 6]}},
        separators=(",", ":")).encode().ljust(96) + b"\x00" * 8)
    put("fuzz_safetensors", "duplicate-key", struct.pack("<Q", 56) + b'{"x":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"x":1}'.ljust(56))
    put("fuzz_safetensors", "deep", struct.pack("<Q", 48) + (b'{"__metadata__":' + b"[" * 16 + b"]" * 16 + b"}").ljust(48))
    # Model files are safetensors files too.
    for f in ("model.safetensors", "compressed.cpqz"):
        src = os.path.join(CORPUS, "fuzz_model_file", "seed-" + f)
        if os.path.exists(src):
            put("fuzz_safetensors", "model-" + f, open(src, "rb").read())


# --- .mlir ------------------------------------------------------------------
def mlir_seeds():
    d = os.path.join(ROOT, "tests", "dialect")
    for f in sorted(os.listdir(d)):
        if not f.endswith(".mlir"):
            continue
        text = open(os.path.join(d, f)).read()
        chunks = re.split(r"^// -----\s*$", text, flags=re.M)
        for k, chunk in enumerate(chunks):
            # RUN/CHECK lines are comments to the parser; keep the seeds small.
            chunk = "\n".join(l for l in chunk.splitlines() if not re.match(r"\s*// *(RUN|CHECK)", l)).strip() + "\n"
            if chunk.strip() and len(chunk) <= 8192:
                put("fuzz_cpq_opt", "%s-%d.mlir" % (f[:-5], k), chunk)
    for f in ("lenet5.mlir", "lenet5_w2a2.mlir"):
        text = open(os.path.join(ROOT, "examples", "networks", f)).read()
        put("fuzz_cpq_opt", "example-" + f, text)


# --- ONNX -------------------------------------------------------------------
def onnx_seeds():
    d = os.path.join(ROOT, "tests", "import", "fixtures")
    for f in sorted(os.listdir(d)):
        p = os.path.join(d, f)
        if f.endswith(".onnx") and os.path.getsize(p) <= 16 * 1024:
            put("fuzz_onnx", f, open(p, "rb").read())


# --- from a build: manifests and model files --------------------------------
MANIFESTS = {
    "train_step.json": "tests/runtime/trainer_train_step.json",
    "eval_step.json": "tests/runtime/trainer_eval_step.json",
    "small.json": "tests/run/cpq-run-scratch/small.json",
    "packed.json": "tests/run/cpq-run-scratch/packed.json",
    "fakequant.json": "tests/run/cpq-run-scratch/fakequant.json",
    "compress-kernel.json": "tests/compress/cpq-compress-scratch/ecsq_kernel.json",
}
MODELS = {
    "model.safetensors": "tests/run/cpq-run-scratch/model.safetensors",
    "model-bit-rows.safetensors": "tests/run/cpq-run-scratch/model1.safetensors",
    "model-rows-to-panels.safetensors": "tests/run/cpq-run-scratch/model3.safetensors",
    "compressed.cpqz": "tests/compress/cpq-compress-scratch/ecsq.cpqz",
    "compressed-pruned.cpqz": "tests/compress/cpq-compress-scratch/pruned.cpqz",
    "compressed-grid.cpqz": "tests/compress/cpq-compress-scratch/grid.cpqz",
    "compressed-grid-pruned.cpqz": "tests/compress/cpq-compress-scratch/gridpruned.cpqz",
}


def build_seeds(build):
    for name, rel in MANIFESTS.items():
        p = os.path.join(build, rel)
        if os.path.exists(p):
            put("fuzz_manifest", name, open(p, "rb").read())
        else:
            print("make_seeds.py: no %s (run the build's tests first)" % p)
    gate = None
    for root, _, files in os.walk(os.path.join(build, "tests", "train", "kernel-cache")):
        for f in files:
            if f == "train_step.json" and '"gate"' in open(os.path.join(root, f)).read():
                gate = os.path.join(root, f)
    if gate and os.path.getsize(gate) <= MAX_SEED:
        put("fuzz_manifest", "gated-train-step.json", open(gate, "rb").read())
    for name, rel in MODELS.items():
        p = os.path.join(build, rel)
        if os.path.exists(p):
            put("fuzz_model_file", name, open(p, "rb").read())
        else:
            print("make_seeds.py: no %s (run the build's tests first)" % p)
    # Variants: a pinned kernel, and a compressed parameter with a scale.
    packed = os.path.join(CORPUS, "fuzz_model_file", "seed-model.safetensors")
    if os.path.exists(packed):
        tensors, meta = read_safetensors(open(packed, "rb").read())
        meta["cpq.kernel_sha256"] = "0123456789abcdef" * 4
        put("fuzz_model_file", "model-pinned.safetensors", safetensors(tensors, meta))
    coded = os.path.join(CORPUS, "fuzz_model_file", "seed-compressed.cpqz")
    if os.path.exists(coded):
        tensors, meta = read_safetensors(open(coded, "rb").read())
        coding = json.loads(meta["cpq.coding"])
        name = sorted(coding["parameters"])[0]
        shape = coding["parameters"][name]["shape"]
        coding["parameters"][name]["scale"] = name + ".scale"
        scale = f32(*[0.5 + k for k in range(shape[0])])
        tensors.append((name + ".scale", "F32", [shape[0]], scale))
        meta["cpq.crc32." + name + ".scale"] = "%08x" % zlib.crc32(scale)
        meta["cpq.coding"] = json.dumps(coding, separators=(",", ":"))
        meta["cpq.format"] = "compressed-model 2"
        put("fuzz_model_file", "compressed-scaled.cpqz", safetensors(tensors, meta))


def manifest_seeds():
    arg = lambda **kw: dict({"name": "x", "tensor": "x", "role": "input", "direction": "input", "kind": "buffer",
                             "type": "float32", "shape": [None, 4]}, **kw)
    m = {"manifest_version": 1, "function": "f", "source_function": "train_step",
         "arguments": [arg(), arg(name="w", tensor="w", role="param", shape=[4, 4], init={"kind": "constant", "values": [0.5]}),
                       arg(name="n", tensor="n", role="scalar", kind="scalar", type="int32", shape=[]),
                       arg(name="w_out", tensor="w", role="param", direction="output", shape=[4, 4], updates="w")],
         "quantizers": [{"tensor": "w", "kind": "weight", "bits": 2, "elements": 16, "gate": "w.gate"}],
         "externs": ["cpq_dropbits_mask"]}
    put("fuzz_manifest", "handmade.json", json.dumps(m, indent=1))
    m2 = dict(m, arguments=m["arguments"][:1])
    m2.pop("manifest_version")
    put("fuzz_manifest", "old.json", json.dumps(m2))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", help="a build tree whose tests have run (manifests and model files)")
    args = ap.parse_args()
    idx_seeds()
    mlir_seeds()
    onnx_seeds()
    manifest_seeds()
    if args.build:
        build_seeds(args.build)
    safetensors_seeds()
    total = 0
    for root, _, files in os.walk(CORPUS):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    print("make_seeds.py: corpus %d KiB" % (total // 1024))


if __name__ == "__main__":
    main()
