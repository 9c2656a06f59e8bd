#!/usr/bin/env python3
"""The CPQ quantizer written plainly in PyTorch, as a researcher writes it from
the paper: all 2^b cell probabilities of the logistic-noise categorical, the
mode as a one-hot, and the multi-class straight-through estimator
sum_i (onehot_i + pi_i - stopgrad(pi_i)) g_i (cpq-method.md sections 2-3).

Times forward + backward (dL/dx, dL/dalpha, dL/dsigma) and prints one JSON
object: {"melem_s": median million elements per second, ...}.

Usage: /usr/bin/python3 quantizer_torch.py --bits 2 --grid signed
           [--elements 1048576] [--threads 2] [--repeats 5] [--sigma-ratio 0.25]
"""
import argparse
import json
import statistics
import sys
import time

import torch


def grid_points(kind, bits):
    """Grid points in units of alpha (section 1)."""
    if kind == "signed":
        return torch.arange(-(2 ** (bits - 1)), 2 ** (bits - 1), dtype=torch.float32)
    if kind == "unsigned":
        return torch.arange(0, 2 ** bits, dtype=torch.float32)
    if kind == "symmetric":
        return torch.arange(-(2 ** bits - 1), 2 ** bits, 2, dtype=torch.float32) / 2
    raise ValueError(f"unknown grid kind {kind!r}")


def cpq_quantize(x, alpha, sigma, t):
    g = alpha * t                                   # (K,) grid points
    e = (g[1:] + g[:-1]) / 2                        # (K-1,) inner edges
    s = torch.sigmoid((e - x.unsqueeze(-1)) / sigma)
    n = x.shape[0]
    s = torch.cat([torch.zeros(n, 1), s, torch.ones(n, 1)], dim=1)
    pi = s[:, 1:] - s[:, :-1]                       # (N, K) probabilities
    onehot = torch.nn.functional.one_hot(pi.argmax(dim=1), t.numel()).to(x.dtype)
    return ((onehot + pi - pi.detach()) * g).sum(dim=1)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bits", type=int, required=True)
    p.add_argument("--grid", required=True, choices=["signed", "unsigned", "symmetric"])
    p.add_argument("--elements", type=int, default=1 << 20)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--sigma-ratio", type=float, default=0.25)
    a = p.parse_args()
    if not 1 <= a.bits <= 8:
        sys.exit("quantizer_torch.py: --bits must be in 1..8")
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    t = grid_points(a.grid, a.bits)
    alpha = torch.tensor(2.0 / 2 ** (a.bits - 1), requires_grad=True)
    sigma = torch.tensor(a.sigma_ratio * alpha.item(), requires_grad=True)
    lo, hi = t[0].item() - 1, t[-1].item() + 1
    x = (torch.rand(a.elements) * (hi - lo) + lo) * alpha.item()
    x.requires_grad_(True)
    grad = torch.randn(a.elements)
    times = []
    for _ in range(a.repeats):
        x.grad = alpha.grad = sigma.grad = None
        start = time.perf_counter()
        y = cpq_quantize(x, alpha, sigma, t)
        y.backward(grad)
        times.append(time.perf_counter() - start)
    med = statistics.median(times)
    print(json.dumps({"bits": a.bits, "grid": a.grid, "elements": a.elements, "threads": a.threads,
                      "seconds": med, "melem_s": a.elements / med / 1e6, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
