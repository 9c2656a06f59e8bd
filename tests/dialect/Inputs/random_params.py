"""Writes plausible trained parameters for every cpq.param of a .mlir file:
random_params.py NET.mlir OUT.safetensors [SEED]. Scales (alpha, sigma) and
variances are positive, gate logits open, the input quantizer keeps its
1/255 step; weights are small random values."""
import json
import random
import re
import struct
import sys

net, out = sys.argv[1], sys.argv[2]
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
params = {}
for name, shape in re.findall(r'cpq\.param "([^"]+)"[^\n]*: tensor<([0-9x]+)xf32>', open(net).read()):
    params[name] = [int(d) for d in shape.split("x")]
header, data = {}, b""
for name, shape in params.items():
    n = 1
    for d in shape:
        n *= d
    if name == "input.alpha":
        values = [1 / 255] * n
    elif name == "input.sigma":
        values = [1 / 1020] * n
    elif name.endswith(".alpha") or name.endswith(".sigma"):
        values = [rng.uniform(0.05, 0.2) for _ in range(n)]
    elif name.endswith(".var"):
        values = [rng.uniform(0.5, 2.0) for _ in range(n)]
    elif name.endswith(".gates"):
        values = [3.0] * n
    else:
        values = [rng.gauss(0.0, 0.1) for _ in range(n)]
    raw = struct.pack("<%df" % n, *values)
    header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
    data += raw
text = json.dumps(header).encode()
with open(out, "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + data)
