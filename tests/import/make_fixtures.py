#!/usr/bin/python3
"""Writes the ONNX fixtures of cpq-import's tests into tests/import/fixtures/
(and their README.md), deterministically:

    /usr/bin/python3 tests/import/make_fixtures.py

It needs Debian's PyTorch (python3-torch, 1.13) and Fashion-MNIST in
/usr/share/datasets/fashion-mnist; not the onnx Python package: the files are
read back by the small protobuf reader below, which lists their nodes and
initializers for README.md and runs the float networks in numpy to check them
against the expected values PyTorch computed. When protoc and onnx.proto are
installed (protobuf-compiler, libonnx-dev), the listing is also checked
against `protoc --decode=onnx.ModelProto`.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(HERE, "fixtures")
sys.path.insert(0, os.path.join(REPO, "examples", "pytorch"))
import lenet5_to_onnx as L  # noqa: E402

SOURCE = "tests/import/make_fixtures.py"
SEED = 1


# --------------------------------------------------------------------------
# safetensors

_ST_DTYPES = {np.dtype(np.float32): "F32", np.dtype(np.float64): "F64",
              np.dtype(np.int32): "I32", np.dtype(np.int64): "I64"}


def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, numpy array), written in that order;
    metadata: more string pairs for __metadata__."""
    header, blobs, offset = {}, [], 0
    for name, array in tensors:
        array = np.ascontiguousarray(array)
        dtype = _ST_DTYPES[array.dtype]
        data = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = dict({"source": SOURCE}, **(metadata or {}))
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    _write(path, struct.pack("<Q", len(text)) + text + b"".join(blobs))


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    inverse = {v: k for k, v in _ST_DTYPES.items()}
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = inverse[info["dtype"]].newbyteorder("<")
        out[name] = np.frombuffer(data[8 + n + begin:8 + n + end], dtype=dtype).reshape(info["shape"])
    return out


def _write(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


# --------------------------------------------------------------------------
# A protobuf reader for the part of onnx.proto the fixtures use

ONNX_TYPES = {1: ("FLOAT", "<f4"), 2: ("UINT8", "u1"), 3: ("INT8", "i1"), 6: ("INT32", "<i4"),
              7: ("INT64", "<i8"), 9: ("BOOL", "u1"), 10: ("FLOAT16", "<f2"),
              11: ("DOUBLE", "<f8")}


def _varint(buf, pos):
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def _signed(v):
    return v - (1 << 64) if v >= 1 << 63 else v


def _fields(buf):
    """(field number, wire type, value) of each field of a message."""
    pos, n = 0, len(buf)
    while pos < n:
        key, pos = _varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == 2:
            size, pos = _varint(buf, pos)
            value, pos = buf[pos:pos + size], pos + size
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError("wire type %d" % wire)
        if pos > n:
            raise ValueError("truncated message")
        yield field, wire, value


def _ints(wire, value):
    if wire == 0:
        return [_signed(value)]
    out, pos = [], 0
    while pos < len(value):
        v, pos = _varint(value, pos)
        out.append(_signed(v))
    return out


def _floats(wire, value, fmt="<f"):
    return list(np.frombuffer(bytes(value), dtype=fmt).astype(float))


def parse_tensor(buf):
    t = {"dims": [], "data_type": 0, "name": "", "storage": None, "raw": None, "values": []}
    for field, wire, value in _fields(buf):
        if field == 1:
            t["dims"] += _ints(wire, value)
        elif field == 2:
            t["data_type"] = value
        elif field == 8:
            t["name"] = bytes(value).decode()
        elif field == 9:
            t["storage"], t["raw"] = "raw_data", bytes(value)
        elif field in (4, 5, 7, 10):
            name = {4: "float_data", 5: "int32_data", 7: "int64_data", 10: "double_data"}[field]
            t["storage"] = name
            if field == 4:
                t["values"] += _floats(wire, value, "<f4")
            elif field == 10:
                t["values"] += _floats(wire, value, "<f8")
            else:
                t["values"] += _ints(wire, value)
        elif field == 14 and value == 1:
            t["storage"] = "external"
    return t


def tensor_array(t):
    dtype = ONNX_TYPES[t["data_type"]][1]
    if t["storage"] == "raw_data":
        a = np.frombuffer(t["raw"], dtype=dtype)
    else:
        a = np.array(t["values"], dtype=dtype)
    return a.reshape(t["dims"])


ATTR_TYPES = {1: "FLOAT", 2: "INT", 3: "STRING", 4: "TENSOR", 5: "GRAPH", 6: "FLOATS",
              7: "INTS", 8: "STRINGS"}


def parse_attribute(buf):
    a = {"name": "", "type": None, "f": None, "i": None, "s": None, "t": None,
         "floats": [], "ints": []}
    for field, wire, value in _fields(buf):
        if field == 1:
            a["name"] = bytes(value).decode()
        elif field == 2:
            a["f"] = struct.unpack("<f", value)[0]
        elif field == 3:
            a["i"] = _signed(value)
        elif field == 4:
            a["s"] = bytes(value)
        elif field == 5:
            a["t"] = parse_tensor(value)
        elif field == 7:
            a["floats"] += _floats(wire, value)
        elif field == 8:
            a["ints"] += _ints(wire, value)
        elif field == 20:
            a["type"] = ATTR_TYPES.get(value, value)
    kind = a["type"]
    a["value"] = {"FLOAT": a["f"], "INT": a["i"], "STRING": a["s"], "TENSOR": a["t"],
                  "FLOATS": a["floats"], "INTS": a["ints"]}.get(kind)
    return a


def parse_node(buf):
    n = {"inputs": [], "outputs": [], "name": "", "op_type": "", "domain": "", "attrs": []}
    for field, wire, value in _fields(buf):
        if field == 1:
            n["inputs"].append(bytes(value).decode())
        elif field == 2:
            n["outputs"].append(bytes(value).decode())
        elif field == 3:
            n["name"] = bytes(value).decode()
        elif field == 4:
            n["op_type"] = bytes(value).decode()
        elif field == 5:
            n["attrs"].append(parse_attribute(value))
        elif field == 7:
            n["domain"] = bytes(value).decode()
    return n


def parse_value_info(buf):
    v = {"name": "", "elem_type": None, "dims": []}
    for field, wire, value in _fields(buf):
        if field == 1:
            v["name"] = bytes(value).decode()
        elif field == 2:
            for f2, _, tensor_type in _fields(value):
                if f2 != 1:
                    continue
                for f3, _, v3 in _fields(tensor_type):
                    if f3 == 1:
                        v["elem_type"] = v3
                    elif f3 == 2:
                        for _, _, dim in _fields(v3):
                            for f5, _, v5 in _fields(dim):
                                v["dims"].append(_signed(v5) if f5 == 1 else bytes(v5).decode())
    return v


def parse_model(data):
    m = {"ir_version": None, "producer": "", "opsets": [], "nodes": [], "initializers": [],
         "inputs": [], "outputs": [], "value_info": 0, "graph_name": ""}
    for field, wire, value in _fields(data):
        if field == 1:
            m["ir_version"] = value
        elif field in (2, 3):
            m["producer"] += (" " if m["producer"] else "") + bytes(value).decode()
        elif field == 8:
            domain, version = "", None
            for f2, _, v2 in _fields(value):
                if f2 == 1:
                    domain = bytes(v2).decode()
                elif f2 == 2:
                    version = v2
            m["opsets"].append((domain, version))
        elif field == 7:
            for f2, _, v2 in _fields(value):
                if f2 == 1:
                    m["nodes"].append(parse_node(v2))
                elif f2 == 2:
                    m["graph_name"] = bytes(v2).decode()
                elif f2 == 5:
                    m["initializers"].append(parse_tensor(v2))
                elif f2 == 11:
                    m["inputs"].append(parse_value_info(v2))
                elif f2 == 12:
                    m["outputs"].append(parse_value_info(v2))
                elif f2 == 13:
                    m["value_info"] += 1
    return m


def read_model(path):
    with open(path, "rb") as f:
        return parse_model(f.read())


# --------------------------------------------------------------------------
# A numpy interpreter of the float ops, to check the files against PyTorch


def _conv(x, w, b, a):
    assert a.get("auto_pad", b"NOTSET") == b"NOTSET"
    group = a.get("group", 1)
    dh, dw = a.get("dilations", [1, 1])
    sh, sw = a.get("strides", [1, 1])
    pads = a.get("pads", [0, 0, 0, 0])
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    n, _, hp, wp = x.shape
    m, cg, kh, kw = w.shape
    oh = (hp - dh * (kh - 1) - 1) // sh + 1
    ow = (wp - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, m, oh, ow))
    mg = m // group
    for g in range(group):
        xs = x[:, g * cg:(g + 1) * cg]
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                           j * dw:j * dw + sw * (ow - 1) + 1:sw]
                out[:, g * mg:(g + 1) * mg] += np.einsum(
                    "nchw,mc->nmhw", patch, w[g * mg:(g + 1) * mg, :, i, j])
    if b is not None:
        out += b[None, :, None, None]
    return out


def _pool(x, a, kind):
    assert not a.get("ceil_mode", 0)
    kh, kw = a["kernel_shape"]
    sh, sw = a.get("strides", [1, 1])
    pads = a.get("pads", [0, 0, 0, 0])
    if kind == "avg":
        assert not any(pads), "AveragePool with pads"
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])),
               constant_values=-np.inf)
    oh = (x.shape[2] - kh) // sh + 1
    ow = (x.shape[3] - kw) // sw + 1
    views = [x[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
             for i in range(kh) for j in range(kw)]
    return np.max(views, axis=0) if kind == "max" else np.mean(views, axis=0)


def run_model(model, inputs):
    """Runs the graph of a parsed model on {input name: array}, in float64."""
    env = {t["name"]: tensor_array(t).astype(np.float64) for t in model["initializers"]}
    env.update({k: np.asarray(v, dtype=np.float64) for k, v in inputs.items()})
    for node in model["nodes"]:
        a = {attr["name"]: attr["value"] for attr in node["attrs"]}
        xs = [env[name] if name else None for name in node["inputs"]]
        op = node["op_type"]
        if op == "Conv":
            y = _conv(xs[0], xs[1], xs[2] if len(xs) > 2 else None, a)
        elif op == "BatchNormalization":
            x, scale, bias, mean, var = xs
            shape = (1, -1) + (1,) * (x.ndim - 2)
            y = ((x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + a.get("epsilon", 1e-5))
                 * scale.reshape(shape) + bias.reshape(shape))
        elif op == "Relu":
            y = np.maximum(xs[0], 0)
        elif op == "Sigmoid":
            y = 1 / (1 + np.exp(-xs[0]))
        elif op == "Add":
            y = xs[0] + xs[1]
        elif op == "MaxPool":
            y = _pool(xs[0], a, "max")
        elif op == "AveragePool":
            y = _pool(xs[0], a, "avg")
        elif op == "Flatten":
            axis = a.get("axis", 1)
            y = xs[0].reshape(int(np.prod(xs[0].shape[:axis])), -1)
        elif op == "Gemm":
            p = xs[0].T if a.get("transA", 0) else xs[0]
            q = xs[1].T if a.get("transB", 0) else xs[1]
            y = a.get("alpha", 1.0) * (p @ q)
            if len(xs) > 2:
                y = y + a.get("beta", 1.0) * xs[2]
        elif op == "MatMul":
            y = xs[0] @ xs[1]
        elif op == "Softmax":
            axis = a.get("axis", -1)
            e = np.exp(xs[0] - xs[0].max(axis=axis, keepdims=True))
            y = e / e.sum(axis=axis, keepdims=True)
        else:
            raise NotImplementedError(op)
        env[node["outputs"][0]] = y
    return [env[o["name"]] for o in model["outputs"]]


def check_against(path, inputs, expected, what):
    model = read_model(path)
    (got,) = run_model(model, inputs)
    err = float(np.max(np.abs(got - expected)))
    scale = max(1.0, float(np.max(np.abs(expected))))
    if not err <= 1e-4 * scale:
        raise SystemExit("%s: numpy run of the ONNX file differs from PyTorch's %s by %g"
                         % (os.path.basename(path), what, err))
    return err


# --------------------------------------------------------------------------
# The networks


class AllOps(nn.Module):
    """Every op cpq-import handles, few channels: Conv (pads 1, no bias) +
    BatchNormalization + Relu twice, a residual Add, MaxPool 2, Conv (stride
    2, bias), a global AveragePool 7x7, Flatten, Gemm, Relu, MatMul + Add,
    Softmax."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 4, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(4)
        self.conv3 = nn.Conv2d(4, 8, 3, stride=2, padding=1, bias=True)
        # count_include_pad=False: with the default (True), PyTorch 1.13 puts a
        # Constant (zero pads) and a Pad before the AveragePool, see
        # avgpool_pad.onnx
        self.pool = nn.AvgPool2d(kernel_size=7, count_include_pad=False)
        self.fc = nn.Linear(8, 16)
        self.w = nn.Parameter(torch.randn(16, 10) * 0.25)
        self.b = nn.Parameter(torch.randn(10) * 0.1)

    def logits(self, x):
        h = F.relu(self.bn1(self.conv1(x)))       # 4 x 28 x 28
        y = F.relu(self.bn2(self.conv2(h)))       # 4 x 28 x 28
        y = F.max_pool2d(y + h, 2)                # 4 x 14 x 14
        y = F.relu(self.conv3(y))                 # 8 x 7 x 7
        y = torch.flatten(self.pool(y), 1)        # 8
        y = F.relu(self.fc(y))                    # 16
        return y @ self.w + self.b                # 10

    def forward(self, x):
        return torch.softmax(self.logits(x), dim=1)


class Tiny(nn.Module):
    """body -> ReLU -> global AvgPool -> Flatten -> Linear(channels, 10)."""

    def __init__(self, body, channels, size, count_include_pad=False):
        super().__init__()
        self.body = body
        self.pool = nn.AvgPool2d(size, count_include_pad=count_include_pad)
        self.fc = nn.Linear(channels, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(F.relu(self.body(x))), 1))


class SigmoidBody(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1)

    def forward(self, x):
        return torch.sigmoid(self.conv(x))


def refusal_networks():
    """(file name, description, module, dtype) of the networks cpq-import refuses."""
    c = nn.Conv2d
    return [
        ("unsupported_op.onnx", "Conv (pads 1) -> Sigmoid -> ...: Sigmoid is not supported",
         Tiny(SigmoidBody(), 2, 28), torch.float32),
        ("unsupported_attribute.onnx", "Conv with dilations [2, 2] (26 -> 24) -> ...",
         Tiny(c(1, 2, 3, dilation=2), 2, 24), torch.float32),
        ("grouped_conv.onnx", "Conv 1->4 (pads 1) -> Relu -> Conv 4->4 with group 2 -> ...",
         Tiny(nn.Sequential(c(1, 4, 3, padding=1), nn.ReLU(), c(4, 4, 3, padding=1, groups=2)),
              4, 28), torch.float32),
        ("float64.onnx", "Conv (pads 1) -> ... exported in double precision: every tensor DOUBLE",
         Tiny(c(1, 2, 3, padding=1), 2, 28), torch.float64),
        ("pad_op.onnx", "nn.ZeroPad2d((0, 1, 0, 1)) -> Conv (valid, 29 -> 27) -> ...: a Pad op",
         Tiny(nn.Sequential(nn.ZeroPad2d((0, 1, 0, 1)), c(1, 2, 3)), 2, 27), torch.float32),
        ("asymmetric_pad.onnx", "Conv exported with pads [1, 1, 1, 1], rewritten in the file to "
         "[0, 0, 2, 2] (top, left, bottom, right; still 28 x 28 out) -> ...",
         Tiny(c(1, 2, 3, padding=1), 2, 28), torch.float32),
        ("avgpool_pad.onnx", "Conv (pads 1) -> Relu -> nn.AvgPool2d(28) with its default "
         "count_include_pad=True, which PyTorch 1.13 exports as a Constant (8 zero pads, "
         "INT64), a Pad (mode constant) and the AveragePool, even with padding 0 -> ...: "
         "refused for the Pad, or accepted by folding a Pad of zeros away",
         Tiny(c(1, 2, 3, padding=1), 2, 28, count_include_pad=True), torch.float32),
    ]


def export(model, path, dtype=torch.float32, output="logits", preserve=False):
    """lenet5_to_onnx.export's call; preserve: training=TrainingMode.PRESERVE,
    which (the model being in eval mode) only keeps BatchNormalization from
    being folded into the Conv before it."""
    model.eval()
    if not preserve:
        L.export(model, path, dtype=dtype, output_names=(output,))
        return
    tmp = path + ".tmp"
    with warnings.catch_warnings(), torch.no_grad():
        warnings.filterwarnings("ignore", message=".*constant folding.*")
        torch.onnx.export(model, torch.zeros(1, 1, 28, 28, dtype=dtype), tmp,
                          input_names=["image"], output_names=[output],
                          dynamic_axes={"image": {0: "batch"}, output: {0: "batch"}},
                          opset_version=13, do_constant_folding=True,
                          training=torch.onnx.TrainingMode.PRESERVE)
    os.replace(tmp, path)


def make_asymmetric(path):
    """The Conv's pads [1, 1, 1, 1] become [0, 0, 2, 2] in place: the bytes
    of the unpacked repeated int64 field change, not its length."""
    with open(path, "rb") as f:
        data = f.read()
    old = b"\x0a\x04pads" + b"\x40\x01" * 4
    new = b"\x0a\x04pads" + b"\x40\x00\x40\x00\x40\x02\x40\x02"
    if data.count(old) != 1:
        raise SystemExit("%s: expected one pads [1, 1, 1, 1] attribute" % path)
    _write(path, data.replace(old, new))


# --------------------------------------------------------------------------
# README


def _fmt_value(v):
    if isinstance(v, float):
        return "%g" % v
    if isinstance(v, bytes):
        return '"%s"' % v.decode()
    if isinstance(v, list):
        return "[%s]" % ", ".join(_fmt_value(x) for x in v)
    if isinstance(v, dict):
        return "tensor %s %s" % (ONNX_TYPES[v["data_type"]][0], v["dims"])
    return str(v)


def describe(path):
    """Markdown lines: opset, inputs, outputs, nodes with attributes, initializers."""
    m = read_model(path)
    name = os.path.basename(path)
    lines = []
    opsets = ", ".join("%s %d" % (d or "ai.onnx", v) for d, v in m["opsets"])
    lines.append("ir_version %d, opset %s, producer %s, %d bytes; graph value_info entries: %d"
                 % (m["ir_version"], opsets, m["producer"], os.path.getsize(path),
                    m["value_info"]))
    lines.append("")
    for kind in ("inputs", "outputs"):
        for v in m[kind]:
            lines.append("- %s `%s`: %s %s" % (kind[:-1], v["name"], ONNX_TYPES[v["elem_type"]][0],
                                               v["dims"]))
    lines.append("")
    lines.append("Nodes, in graph order (`%s`):" % " -> ".join(n["op_type"] for n in m["nodes"]))
    lines.append("")
    lines.append("```")
    for n in m["nodes"]:
        attrs = " ".join("%s=%s" % (a["name"], _fmt_value(a["value"])) for a in n["attrs"])
        lines.append("%-18s %s(%s) -> %s  %s" % (n["op_type"], n["name"], ", ".join(n["inputs"]),
                                                 ", ".join(n["outputs"]), attrs))
    lines.append("```")
    lines.append("")
    if m["initializers"]:
        lines.append("| initializer | shape | data_type | stored in |")
        lines.append("|---|---|---|---|")
        for t in m["initializers"]:
            lines.append("| `%s` | %s | %s | %s |" % (t["name"], t["dims"],
                                                   ONNX_TYPES[t["data_type"]][0], t["storage"]))
        lines.append("")
    return lines


def check_with_protoc(path):
    """The op types and initializer names protoc decodes, when it is there."""
    proto = "/usr/include/onnx/onnx.proto"
    protoc = shutil.which("protoc")
    if not protoc or not os.path.isfile(proto):
        return False
    with open(path, "rb") as f:
        text = subprocess.run([protoc, "--decode=onnx.ModelProto", "-I", "/usr/include",
                               "onnx/onnx.proto"], stdin=f, check=True,
                              capture_output=True).stdout.decode("utf-8", "replace")
    ops = [line.split('"')[1] for line in text.splitlines() if line.strip().startswith("op_type:")]
    m = read_model(path)
    if ops != [n["op_type"] for n in m["nodes"]]:
        raise SystemExit("%s: protoc reads the ops %s, the reader here %s"
                         % (path, ops, [n["op_type"] for n in m["nodes"]]))
    for t in m["initializers"]:
        if 'name: "%s"' % t["name"] not in text:
            raise SystemExit("%s: protoc does not show the initializer %s" % (path, t["name"]))
    return True


HELPER_OPS = ("Constant", "ConstantOfShape", "Shape", "Gather", "Unsqueeze", "Squeeze",
              "Reshape", "Identity", "Concat", "Slice", "Transpose", "Cast")


def _storage_and_helpers(paths):
    """A README sentence: where tensors are stored, which files hold shape
    and constant plumbing."""
    storages, helpers = set(), []
    for path in paths:
        m = read_model(path)
        tensors = list(m["initializers"]) + [a["value"] for n in m["nodes"] for a in n["attrs"]
                                             if a["type"] == "TENSOR"]
        storages.update(t["storage"] for t in tensors)
        ops = sorted({n["op_type"] for n in m["nodes"]} & set(HELPER_OPS))
        if ops:
            helpers.append("%s (%s)" % (os.path.basename(path), ", ".join(ops)))
    return ("Every initializer and Constant value is stored little-endian in %s. "
            "Of the ops %s, only %s hold any: the others, lenet5 and allops among them, have "
            "none (the dynamic batch axis does not make the exporter emit shape arithmetic: "
            "Flatten takes axis 1)." % (" and ".join("`%s`" % s for s in sorted(storages)),
                                        ", ".join(HELPER_OPS), "; ".join(helpers) or "none"))


def write_readme(info):
    f = lambda name: os.path.join(FIXTURES, name)  # noqa: E731
    out = []
    add = out.extend
    add(["# ONNX fixtures of cpq-import", "",
         "Generated, deterministically, by", "",
         "```sh", "/usr/bin/python3 tests/import/make_fixtures.py", "```", "",
         "with Debian's PyTorch %s (python3-torch; the exporter's opset 13, the batch axis "
         "dynamic, `do_constant_folding=True`) and Fashion-MNIST from "
         "`/usr/share/datasets/fashion-mnist`. Do not edit them by hand: change the script and "
         "run it again. It reads every file back with its own protobuf reader (the listings "
         "below are its output), runs the float networks in numpy and checks them against the "
         "expected values PyTorch computed (largest difference: lenet5 %.2g, allops %.2g, "
         "allops_bn_folded %.2g), and compares the op types and initializer names with "
         "`protoc --decode=onnx.ModelProto -I /usr/include onnx/onnx.proto < FILE` "
         "when protoc is installed (packages protobuf-compiler and libonnx-dev)%s."
         % (torch.__version__, info["err_lenet5"], info["err_allops"], info["err_folded"],
            "" if info["protoc"] else " (it was not, when these were made)"), "",
         "Images enter as cpq-train and cpq-run feed them: x = pixel * float32(1/255); layout NCHW float32, N x 1 x 28 x 28. %s" % _storage_and_helpers(
             [f(name) for name, _ in info["table"] if name.endswith(".onnx")
              and name not in ("not_onnx.onnx", "truncated.onnx")]), "",
         "The `*_expected.safetensors` files hold, after an 8-byte little-endian header "
         "length and a JSON header padded with spaces to a multiple of 8, the tensors named "
         "below, little-endian; `__metadata__` is `{\"source\": \"%s\"}`." % SOURCE, "",
         "| file | bytes | what |", "|---|---|---|"])
    for name, what in info["table"]:
        add(["| `%s` | %d | %s |" % (name, os.path.getsize(f(name)), what)])
    add(["", "## lenet5.onnx", "",
         "LeNet-5 of `examples/pytorch/lenet5_to_onnx.py` (the network of "
         "`examples/networks/lenet5.mlir`, same parameter names), torch.manual_seed(%d), "
         "trained one epoch (Adam, lr 1e-3, batch 64) on the first 6000 training images: "
         "test accuracy %.2f%% on the 10000 test images. `lenet5_expected.safetensors`: "
         "`images` F32 [8, 1, 28, 28] (the first 8 test images, pixel / 255), `labels` I32 [8], "
         "`logits` F32 [8, 10] (PyTorch, eval mode, float32); argmax matches the label for %d "
         "of the 8." % (SEED, 100 * info["lenet5_accuracy"], info["lenet5_hits"]), ""])
    add(describe(f("lenet5.onnx")))
    add(["## allops.onnx", "",
         "A small network that holds every op cpq-import handles (`AllOps` in the script; "
         "random weights, torch.manual_seed(%d); the BatchNorm running statistics are those "
         "of the first 512 training images, their weight and bias random): "
         "Conv (pads 1, no bias) -> BatchNormalization -> Relu, the same again, a residual "
         "Add of the two, MaxPool 2, Conv (stride 2, bias) -> Relu, AveragePool 7 (global, "
         "7x7 -> 1x1), Flatten, Gemm (nn.Linear) -> Relu, MatMul + Add (`x @ self.w + self.b`), "
         "Softmax (the output, `output`). Exported with `training=TrainingMode.PRESERVE` "
         "(the model in eval mode): PyTorch's default eval export folds a BatchNorm that "
         "follows a Conv into the Conv's weight and bias, see allops_bn_folded.onnx. "
         "`allops_expected.safetensors`: `images` F32 [4, 1, 28, 28] (the first 4 test "
         "images), `output` F32 [4, 10] (the softmax), `logits` F32 [4, 10] (the values the "
         "softmax takes)." % SEED, ""])
    add(describe(f("allops.onnx")))
    add(["## allops_bn_folded.onnx", "",
         "The same model exported as `lenet5_to_onnx.export` does (training mode EVAL, the "
         "default): each BatchNormalization is folded into the Conv before it, which gains a "
         "bias, and the folded initializers get the exporter's names (`onnx::Conv_NN`). "
         "Its output matches `allops_expected.safetensors` to float32 rounding.", ""])
    add(describe(f("allops_bn_folded.onnx")))
    add(["## Refusals", "",
         "Tiny networks cpq-import must refuse with a message naming the node, the op or the "
         "attribute (random weights; output `logits` [batch, 10]).", ""])
    for name, what, _, _ in refusal_networks():
        add(["### %s" % name, "", what, ""])
        add(describe(f(name)))
    add(["### not_onnx.onnx, truncated.onnx", "",
         "`not_onnx.onnx` is a few lines of plain text; `truncated.onnx` the first 300 bytes "
         "of lenet5.onnx (it stops inside the graph's third node, the first MaxPool).", ""])
    _write(f("README.md"), ("\n".join(out).rstrip() + "\n").encode())


# --------------------------------------------------------------------------


def main():
    missing = L.check_data(L.DEFAULT_DATA)
    if missing:
        print("error: Fashion-MNIST not found: %s" % ", ".join(missing), file=sys.stderr)
        return 1
    torch.set_num_threads(2)
    os.makedirs(FIXTURES, exist_ok=True)
    f = lambda name: os.path.join(FIXTURES, name)  # noqa: E731
    info = {"table": []}

    train_x, train_y = L.load_idx(*L.data_paths(L.DEFAULT_DATA, L.TRAIN_FILES), limit=6000)
    test_x, test_y = L.load_idx(*L.data_paths(L.DEFAULT_DATA, L.TEST_FILES))

    # a. LeNet-5
    torch.manual_seed(SEED)
    net = L.lenet5()
    L.train(net, train_x, train_y, epochs=1, batch=64, lr=1e-3, seed=SEED,
            log=lambda line: print("lenet5: " + line))
    info["lenet5_accuracy"] = L.evaluate(net, test_x, test_y)
    print("lenet5: test accuracy %.2f%%" % (100 * info["lenet5_accuracy"]))
    L.export(net, f("lenet5.onnx"))
    images = test_x[:8]
    with torch.no_grad():
        logits = net(torch.from_numpy(images)).numpy().astype(np.float32)
    info["lenet5_hits"] = int((logits.argmax(1) == test_y[:8]).sum())
    write_safetensors(f("lenet5_expected.safetensors"),
                      [("images", images), ("labels", test_y[:8].astype(np.int32)),
                       ("logits", logits)],
                      {"pytorch_test_correct": str(int(round(info["lenet5_accuracy"] * len(test_y)))),
                       "pytorch_test_images": str(len(test_y))})
    info["err_lenet5"] = check_against(f("lenet5.onnx"), {"image": images}, logits, "logits")
    info["table"] += [("lenet5.onnx", "LeNet-5, trained 1 epoch on 6000 images"),
                      ("lenet5_expected.safetensors", "its input and logits on 8 test images")]

    # b. every supported op
    torch.manual_seed(SEED)
    model = AllOps()
    model.train()
    for bn in (model.bn1, model.bn2):
        bn.momentum = None  # cumulative averages over the passes below
    with torch.no_grad():
        for i in range(0, 512, 128):
            model(torch.from_numpy(train_x[i:i + 128]))
        for bn in (model.bn1, model.bn2):
            bn.momentum = 0.1
            bn.weight.copy_(torch.rand(bn.num_features) + 0.5)
            bn.bias.copy_(torch.rand(bn.num_features) * 0.4 - 0.2)
    model.eval()
    export(model, f("allops.onnx"), output="output", preserve=True)
    export(model, f("allops_bn_folded.onnx"), output="output")
    images = test_x[:4]
    with torch.no_grad():
        x = torch.from_numpy(images)
        logits = model.logits(x).numpy().astype(np.float32)
        output = model(x).numpy().astype(np.float32)
    write_safetensors(f("allops_expected.safetensors"),
                      [("images", images), ("output", output), ("logits", logits)])
    info["err_allops"] = check_against(f("allops.onnx"), {"image": images}, output, "output")
    info["err_folded"] = check_against(f("allops_bn_folded.onnx"), {"image": images}, output,
                                       "output")
    info["table"] += [("allops.onnx", "every supported op, BatchNormalization kept"),
                      ("allops_expected.safetensors", "its input, softmax output and logits "
                       "on 4 test images"),
                      ("allops_bn_folded.onnx", "the same, exported with BatchNorm folded "
                       "into the Convs")]

    # c. refusals
    for name, what, module, dtype in refusal_networks():
        torch.manual_seed(SEED)
        module = module.to(dtype)
        if name == "pad_op.onnx":
            with warnings.catch_warnings():  # the Slice of step -1 of F.pad's pads
                warnings.filterwarnings("ignore", message=".*Constant folding.*")
                export(module, f(name), dtype=dtype)
        else:
            export(module, f(name), dtype=dtype)
        if name == "asymmetric_pad.onnx":
            make_asymmetric(f(name))
        info["table"].append((name, what))

    # d. not ONNX at all
    _write(f("not_onnx.onnx"), b"This is not an ONNX model.\n"
           b"It is plain text, for cpq-import's tests:\n"
           b"reading it must fail with a message, not a crash.\n")
    with open(f("lenet5.onnx"), "rb") as fh:
        _write(f("truncated.onnx"), fh.read(300))
    info["table"] += [("not_onnx.onnx", "three lines of plain text"),
                      ("truncated.onnx", "the first 300 bytes of lenet5.onnx")]

    info["protoc"] = all([check_with_protoc(f(name)) for name, _ in info["table"]
                          if name.endswith(".onnx") and name not in ("not_onnx.onnx",
                                                                     "truncated.onnx")])
    write_readme(info)
    for name, _ in info["table"]:
        print("%-30s %8d bytes" % (name, os.path.getsize(f(name))))
    print("wrote %s (numpy check: lenet5 %.2g, allops %.2g, allops_bn_folded %.2g; protoc %s)"
          % (FIXTURES, info["err_lenet5"], info["err_allops"], info["err_folded"],
             "agrees" if info["protoc"] else "not installed"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
