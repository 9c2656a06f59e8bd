"""Checks bench/packed --json's output (stdin): one JSON object with the rows
issue 7 names, every product equal to the portable implementation. No
figure is judged: timings belong to the benchmark, not to the tests."""
import json
import math
import sys

out = json.loads(sys.stdin.read())
assert out["exact"] is True, out
assert [r["bits"] for r in out["gemv"]] == [1, 2, 4, 8], out["gemv"]
for r in out["gemv"]:
    for key in ("gb_s", "roofline_gb_s", "fraction_of_roofline", "us"):
        assert isinstance(r[key], (int, float)) and math.isfinite(r[key]) and r[key] > 0, (key, r)
assert [r["config"] for r in out["gemm"]] == ["W2A8", "W4A8", "W1A1"], out["gemm"]
for r in out["gemm"]:
    assert r["gops"] > 0, r
    for key in ("x_openblas", "x_onednn_int8"):  # -1: the peer is not installed
        assert r[key] > 0 or r[key] == -1, (key, r)
assert out["lenet5"] == [], out["lenet5"]  # --skip-lenet5
print("bench/packed --json: %d gemv rows, %d gemm rows, exact" % (len(out["gemv"]), len(out["gemm"])))
