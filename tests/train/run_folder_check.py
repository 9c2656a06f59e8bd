#!/usr/bin/env python3
"""Checks of a cpq-train run folder for the crash tests (standard library only).

  run_folder_check.py whole RUN [REF]
      Every file under a final name in RUN is whole: each *.safetensors
      parses completely (8-byte little-endian header length, a JSON header,
      every tensor's dtype, shape and data_offsets, the tensors' data
      contiguous and the file exactly 8 + header + data bytes long), log.csv
      is its header and whole rows of consecutive epochs, summary.json is
      JSON, network.mlir equals REF's. Temporary files (NAME.tmp.PID) of the
      final names are allowed (nothing reads them) and printed as
      "temporaries: ..."; any other file is an error. Prints "step: N" of
      the checkpoint (or "step: none").
  run_folder_check.py same REF RUN
      RUN ended like REF: params.safetensors and checkpoint.safetensors hold
      the same tensors bit for bit and the same metadata, log.csv the same
      rows but for the timing columns (train_images_per_s, seconds),
      summary.json the same but for train_images_per_s, network.mlir the
      same text.
  run_folder_check.py final REF RUN
      RUN is whole, holds no temporary file, and ended like REF (same).
  run_folder_check.py bytes FILE_A FILE_B
      The two files are byte-identical.
  run_folder_check.py subset DATA OUT TRAIN TEST
      Writes the first TRAIN training and TEST test images and labels of
      the IDX set in DATA (gzip'ed or plain) to OUT as plain IDX files.
"""
import gzip
import json
import os
import re
import struct
import sys

LOG_HEADER = "epoch,step,lr,train_loss,train_accuracy,test_loss,test_accuracy,train_images_per_s,seconds"
TIMING_COLUMNS = {"train_images_per_s", "seconds"}
FINAL_NAMES = {"checkpoint.safetensors", "params.safetensors", "log.csv", "summary.json", "network.mlir"}
DTYPE_SIZES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1,
               "U64": 8, "U32": 4, "U16": 2, "U8": 1, "BOOL": 1}


class Broken(Exception):
    pass


def read_safetensors(path):
    """(metadata, {name: (dtype, shape, bytes)}) of a whole file, or Broken."""
    data = open(path, "rb").read()
    if len(data) < 8:
        raise Broken(f"{path}: {len(data)} bytes, shorter than the header length")
    n = struct.unpack("<Q", data[:8])[0]
    if 8 + n > len(data):
        raise Broken(f"{path}: header length {n} runs past the end ({len(data)} bytes)")
    try:
        header = json.loads(data[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise Broken(f"{path}: header is not JSON: {e}")
    if not isinstance(header, dict):
        raise Broken(f"{path}: header is not a JSON object")
    metadata = header.pop("__metadata__", {})
    tensors, ranges = {}, []
    for name, entry in header.items():
        try:
            dtype, shape, (begin, end) = entry["dtype"], entry["shape"], entry["data_offsets"]
        except (KeyError, TypeError, ValueError):
            raise Broken(f"{path}: tensor {name!r} lacks dtype, shape or data_offsets")
        count = 1
        for d in shape:
            count *= d
        if dtype not in DTYPE_SIZES or not 0 <= begin <= end or end - begin != count * DTYPE_SIZES[dtype]:
            raise Broken(f"{path}: tensor {name!r}: {dtype} {shape} does not fit data_offsets [{begin}, {end})")
        ranges.append((begin, end, name))
        tensors[name] = (dtype, shape, data[8 + n + begin:8 + n + end])
    ranges.sort()
    at = 0
    for begin, end, name in ranges:
        if begin != at:
            raise Broken(f"{path}: tensor {name!r} starts at {begin}, the data before it end at {at}")
        at = end
    if len(data) != 8 + n + at:
        raise Broken(f"{path}: {len(data)} bytes, the header says {8 + n + at} (8 + {n} + {at}): half-written?")
    return metadata, tensors


def log_rows(path):
    text = open(path, encoding="utf-8").read()
    if not text.endswith("\n"):
        raise Broken(f"{path}: does not end with a newline: half-written?")
    lines = text.split("\n")[:-1]
    if not lines or lines[0] != LOG_HEADER:
        raise Broken(f"{path}: the header is not {LOG_HEADER!r}")
    columns = LOG_HEADER.split(",")
    rows = []
    for k, line in enumerate(lines[1:], 1):
        cells = line.split(",")
        if len(cells) != len(columns) or cells[0] != str(k):
            raise Broken(f"{path}: row {k} is not epoch {k} with {len(columns)} columns: {line!r}")
        rows.append(dict(zip(columns, cells)))
    return rows


def whole(run, ref, report=True):
    temporaries, step = [], "none"
    for entry in sorted(os.listdir(run)) if os.path.isdir(run) else []: # killed before it made the folder
        path = os.path.join(run, entry)
        m = re.fullmatch(r"(.+)\.tmp\.(\d+)", entry)
        if m:
            if m.group(1) not in FINAL_NAMES:
                raise Broken(f"{path}: a temporary file of an unexpected name")
            temporaries.append(entry)
        elif entry not in FINAL_NAMES:
            raise Broken(f"{path}: an unexpected file")
        elif entry.endswith(".safetensors"):
            metadata, _ = read_safetensors(path)
            if entry == "checkpoint.safetensors":
                step = metadata.get("cpq.step", "?")
        elif entry == "log.csv":
            log_rows(path)
        elif entry == "summary.json":
            try:
                summary = json.load(open(path, encoding="utf-8"))
            except json.JSONDecodeError as e:
                raise Broken(f"{path}: not JSON: {e}")
            if "test_accuracy" not in summary:
                raise Broken(f"{path}: no test_accuracy")
        elif entry == "network.mlir" and ref:
            if open(path, "rb").read() != open(os.path.join(ref, entry), "rb").read():
                raise Broken(f"{path}: differs from {ref}'s")
    if report:
        print("temporaries:", " ".join(temporaries))
        print("step:", step)
    return temporaries


def same(ref, run):
    notes = []
    for name in ("params.safetensors", "checkpoint.safetensors"):
        a_meta, a = read_safetensors(os.path.join(ref, name))
        b_meta, b = read_safetensors(os.path.join(run, name))
        if sorted(a) != sorted(b):
            raise Broken(f"{name}: tensors {sorted(a)} in {ref}, {sorted(b)} in {run}")
        differ = [t for t in a if a[t] != b[t]]
        if differ:
            raise Broken(f"{name}: tensors {differ} differ between {ref} and {run}")
        if a_meta != b_meta:
            keys = sorted(k for k in set(a_meta) | set(b_meta) if a_meta.get(k) != b_meta.get(k))
            raise Broken(f"{name}: metadata {keys} differ: {[a_meta.get(k) for k in keys]} vs {[b_meta.get(k) for k in keys]}")
        identical = open(os.path.join(ref, name), "rb").read() == open(os.path.join(run, name), "rb").read()
        notes.append(f"{name}: {len(a)} tensors bit-identical, metadata equal, file {'byte-identical' if identical else 'bytes differ'}")
        if not identical:
            raise Broken(f"{name}: same tensors and metadata but other bytes")
    a_rows, b_rows = log_rows(os.path.join(ref, "log.csv")), log_rows(os.path.join(run, "log.csv"))
    if len(a_rows) != len(b_rows):
        raise Broken(f"log.csv: {len(a_rows)} rows in {ref}, {len(b_rows)} in {run}")
    for k, (ra, rb) in enumerate(zip(a_rows, b_rows), 1):
        for column in ra:
            if column not in TIMING_COLUMNS and ra[column] != rb[column]:
                raise Broken(f"log.csv row {k}: {column} is {ra[column]} in {ref}, {rb[column]} in {run}")
    notes.append(f"log.csv: {len(a_rows)} rows equal but for their timing columns")
    sa = json.load(open(os.path.join(ref, "summary.json"), encoding="utf-8"))
    sb = json.load(open(os.path.join(run, "summary.json"), encoding="utf-8"))
    for s in (sa, sb):
        s.pop("train_images_per_s", None)
    if sa != sb:
        keys = sorted(k for k in set(sa) | set(sb) if sa.get(k) != sb.get(k))
        raise Broken(f"summary.json: {keys} differ between {ref} and {run}")
    if open(os.path.join(ref, "network.mlir"), "rb").read() != open(os.path.join(run, "network.mlir"), "rb").read():
        raise Broken(f"network.mlir differs between {ref} and {run}")
    notes.append("summary.json equal but for train_images_per_s, network.mlir equal")
    print("; ".join(notes))


def subset(data, out, counts):
    os.makedirs(out, exist_ok=True)
    for split, count in counts.items():
        for kind, item in (("images-idx3-ubyte", 784), ("labels-idx1-ubyte", 1)):
            name = f"{split}-{kind}"
            path = os.path.join(data, name)
            f = gzip.open(path + ".gz", "rb") if os.path.exists(path + ".gz") else open(path, "rb")
            with f:
                magic = f.read(4)
                dims = list(struct.unpack(f">{magic[3]}I", f.read(4 * magic[3])))
                if dims[0] < count or item != (dims[1] * dims[2] if len(dims) == 3 else 1):
                    raise Broken(f"{path}: not {count} or more 28x28 images or labels")
                body = f.read(count * item)
            dims[0] = count
            with open(os.path.join(out, name), "wb") as o:
                o.write(magic + struct.pack(f">{len(dims)}I", *dims) + body)


def main(argv):
    try:
        if len(argv) in (3, 4) and argv[1] == "whole":
            whole(argv[2], argv[3] if len(argv) == 4 else None)
        elif len(argv) == 4 and argv[1] == "same":
            same(argv[2], argv[3])
        elif len(argv) == 4 and argv[1] == "final":
            if whole(argv[3], argv[2], report=False):
                raise Broken(f"{argv[3]}: temporary files left")
            same(argv[2], argv[3])
        elif len(argv) == 4 and argv[1] == "bytes":
            if open(argv[2], "rb").read() != open(argv[3], "rb").read():
                raise Broken(f"{argv[3]} is not byte-identical to {argv[2]}")
        elif len(argv) == 6 and argv[1] == "subset":
            subset(argv[2], argv[3], {"train": int(argv[4]), "t10k": int(argv[5])})
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except (Broken, OSError) as e:
        print(f"run_folder_check: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
