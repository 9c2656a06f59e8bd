"""Writes a safetensors file from JSON-described float32 tensors, independently
of cpq's own writer: write_safetensors.py OUT '{"name": [shape, [values]], ...}'
[--dtype NAME=DTYPE] [--truncate N]."""
import json
import struct
import sys

out, spec = sys.argv[1], json.loads(sys.argv[2])
dtypes = dict(a.split("=", 1) for a in sys.argv[3:] if "=" in a and not a.startswith("--truncate"))
truncate = next((int(a.split("=")[1]) for a in sys.argv[3:] if a.startswith("--truncate=")), None)
header, data = {}, b""
for name, (shape, values) in spec.items():
    dtype = dtypes.get(name, "F32")
    raw = struct.pack("<%d%s" % (len(values), {"F32": "f", "F64": "d", "I32": "i"}[dtype]), *values)
    header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
    data += raw
text = json.dumps(header).encode()
blob = struct.pack("<Q", len(text)) + text + data
with open(out, "wb") as f:
    f.write(blob[:truncate] if truncate is not None else blob)
