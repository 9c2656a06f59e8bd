"""Checks bench/gpu --json's output (stdin) from a run with --any-device
--skip-train: the devices seen; without any device nothing measured (exit 0);
else the packed GEMM rows, every device product equal to the CPU's qgemm,
the device labelled a GPU or not. No figure is judged: timings belong to the
benchmark, not to the tests."""
import json
import math
import sys

want_bits = [int(b) for b in sys.argv[1].split(",")]
out = json.loads(sys.stdin.read())
assert isinstance(out["gpu_found"], bool), out
assert len(out["notes"]) == 2, out["notes"]
for d in out["devices"]:
    assert d["api"] in ("cuda", "opencl") and d["type"] in ("gpu", "cpu", "accelerator", "other"), d
if not out["devices"]:
    assert out["measured"] is False, out
    print("bench/gpu --json: no device at all; nothing measured")
    sys.exit(0)
assert out["measured"] is True, out
assert out["device"]["is_gpu"] == out["gpu_found"], out["device"]
assert out["device"]["target"].startswith("host-"), out["device"]
assert out["train"] == [], out["train"]  # --skip-train
assert [r["bits"] for r in out["gemm"]] == want_bits, out["gemm"]
for r in out["gemm"]:
    assert r["equal"] is True, r
    for key in ("device_gops", "cpu_qgemm_gops", "x_cpu"):
        assert isinstance(r[key], (int, float)) and math.isfinite(r[key]) and r[key] > 0, (key, r)
print("bench/gpu --json: %s device '%s', %d gemm rows, every product equal to the CPU's"
      % (out["device"]["type"], out["device"]["name"], len(out["gemm"])))
