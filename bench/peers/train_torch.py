#!/usr/bin/env python3
"""LeNet-5 training steps in PyTorch 1.13, written the way a researcher writes
them: the float network as nn.Modules, and its CPQ form with a quantizer
module on every conv/dense weight (signed grid, alpha and sigma per output
channel) and every ReLU output (unsigned grid, per tensor), plus the fixed
8-bit input quantizer; the quantizer is the plain multi-class straight-through
estimator of quantizer_torch.py (all cell probabilities of the logistic-noise
categorical, the mode as a one-hot). Adam, softmax cross-entropy.

With --quantizer windowed the quantizer is the form cpq computes instead,
written in PyTorch: the mode by round-to-nearest and clipping, and the
probability part of the estimator only over the 2W inner edges around each
element's cell, W = ceil(20 sigma/alpha) + 1 (the edges where the logistic
density has not underflowed, cpq-method.md section 3), or over all K-1 edges
when they are fewer. Its gradients equal the plain form's to rounding.

Times training steps on a fixed batch of 28x28 images and prints one JSON
object: {"img_s": median images per second over the repeats, ...}.

With --device cuda (bench/gpu, when PyTorch has CUDA) every tensor is made
on the GPU (the default tensor type a CUDA one) and each timed run waits for
the device before the clock stops.

Usage: /usr/bin/python3 train_torch.py --bits W2A2 --batch 64
           [--quantizer plain|windowed] [--threads 2] [--steps 20] [--repeats 5] [--warmup 3]
           [--device cpu|cuda]
"""
import argparse
import json
import os
import re
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def grid_levels(kind, bits):
    if kind == "signed":
        return torch.arange(-(2 ** (bits - 1)), 2 ** (bits - 1), dtype=torch.float32)
    return torch.arange(0, 2 ** bits, dtype=torch.float32)


def cpq_quantize(x, alpha, sigma, t):
    """x: (C, M); alpha, sigma: (C, 1); t: (K,) levels. Multi-class STE."""
    g = alpha.unsqueeze(-1) * t                      # (C, 1, K) grid points
    e = (g[..., 1:] + g[..., :-1]) / 2               # (C, 1, K-1) inner edges
    s = torch.sigmoid((e - x.unsqueeze(-1)) / sigma.unsqueeze(-1))
    zeros = torch.zeros(s.shape[:-1] + (1,))
    ones = torch.ones(s.shape[:-1] + (1,))
    s = torch.cat([zeros, s, ones], dim=-1)
    pi = s[..., 1:] - s[..., :-1]                    # (C, M, K) cell probabilities
    onehot = F.one_hot(pi.argmax(dim=-1), t.numel()).to(x.dtype)
    return ((onehot + pi - pi.detach()) * g).sum(dim=-1)


# Edges of the logistic noise beyond which S' underflows (kEdgeWindow).
EDGE_REACH = 20.0


def cpq_quantize_windowed(x, alpha, sigma, t):
    """x: (C, M); alpha, sigma: (C, 1); t: (K,) unit-step levels.

    Forward: alpha * clamp(round-half-up(x / alpha)). Backward: the direct
    path q_hat dalpha plus the probability part -sum_j dg_j dS(u_j) over the
    inner edges e_j near x, u_j = (e_j - x) / sigma."""
    k = t.numel()
    q_min, q_max = t[0].item(), t[-1].item()
    q = torch.clamp(torch.floor(x.detach() / alpha.detach() + 0.5), q_min, q_max)
    hard = alpha * q                                 # gradient q_hat wrt alpha
    # The window: every edge when there are few, else 2W around the cell.
    reach = int(torch.ceil(EDGE_REACH * (sigma.detach() / alpha.detach()).max()).item()) + 1
    if 2 * reach >= k - 1:
        levels = t[:-1] + 0.5                        # (K-1,) every inner edge
        e = alpha.unsqueeze(-1) * levels             # (C, 1, K-1)
        valid = None
    else:
        offsets = torch.arange(-reach, reach, dtype=torch.float32)  # (2W,)
        j = (q - q_min).unsqueeze(-1) + offsets                    # (C, M, 2W) edge indices
        valid = (j >= 0) & (j <= k - 2)
        e = alpha.unsqueeze(-1) * (q_min + j + 0.5)
    s = torch.sigmoid((e - x.unsqueeze(-1)) / sigma.unsqueeze(-1))
    if valid is not None:
        s = s * valid
    soft = -(s * alpha.detach().unsqueeze(-1)).sum(dim=-1)        # dg_j = alpha (unit steps)
    return hard + soft - soft.detach()


class Quantizer(nn.Module):
    windowed = False

    def __init__(self, kind, bits, channels, alpha, trainable=True):
        super().__init__()
        self.register_buffer("t", grid_levels(kind, bits))
        a = torch.full((channels, 1), float(alpha))
        self.alpha = nn.Parameter(a, requires_grad=trainable)
        self.sigma = nn.Parameter(a / 4, requires_grad=trainable)
        # cpq-train's projection after each step (docs/training.md, defaults
        # scale-floor 0.01, sigma-floor 1): alpha >= 0.01 x its initial
        # value, sigma >= its initial value. Without it Adam drove a sigma
        # below zero within 20 W4A4 steps and the windowed form failed.
        self.register_buffer("alpha_floor", a * 0.01)
        self.register_buffer("sigma_floor", a / 4)

    @torch.no_grad()
    def project(self):
        self.alpha.copy_(torch.maximum(self.alpha, self.alpha_floor))
        self.sigma.copy_(torch.maximum(self.sigma, self.sigma_floor))

    def forward(self, x):
        if not (x.requires_grad or self.alpha.requires_grad):
            # Nothing to differentiate: plain round-to-nearest and clip.
            q = torch.clamp(torch.round(x / self.alpha.view(1, -1)), self.t[0], self.t[-1])
            return q * self.alpha.view(1, -1)
        c = self.alpha.shape[0]
        quantize = cpq_quantize_windowed if Quantizer.windowed else cpq_quantize
        return quantize(x.reshape(c, -1), self.alpha, self.sigma, self.t).reshape(x.shape)


def init_layer(layer, bits):
    """He-normal weights, zero bias, and the weight quantizer (per output channel)."""
    nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
    nn.init.zeros_(layer.bias)
    cout = layer.weight.shape[0]
    layer.q = Quantizer("signed", bits, cout, 2 * layer.weight.std().item() / 2 ** (bits - 1)) if bits else None


class QConv(nn.Conv2d):
    def __init__(self, cin, cout, k, bits):
        super().__init__(cin, cout, k)
        init_layer(self, bits)

    def forward(self, x):
        w = self.q(self.weight) if self.q else self.weight
        return F.conv2d(x, w, self.bias)


class QLinear(nn.Linear):
    def __init__(self, cin, cout, bits):
        super().__init__(cin, cout)
        init_layer(self, bits)

    def forward(self, x):
        w = self.q(self.weight) if self.q else self.weight
        return F.linear(x, w, self.bias)


class LeNet5(nn.Module):
    """32C5-MP2-64C5-MP2-512FC-10 (examples/networks/lenet5.mlir)."""

    def __init__(self, wbits, abits):
        super().__init__()
        self.inq = Quantizer("unsigned", 8, 1, 1 / 255, trainable=False) if wbits else None
        self.conv1, self.conv2 = QConv(1, 32, 5, wbits), QConv(32, 64, 5, wbits)
        self.fc1, self.fc2 = QLinear(1024, 512, wbits), QLinear(512, 10, wbits)
        act = lambda: Quantizer("unsigned", abits, 1, 1 / (2 ** abits - 1)) if abits else nn.Identity()
        self.act1, self.act2, self.act3 = act(), act(), act()

    def forward(self, x):
        if self.inq is not None:
            x = self.inq(x)
        x = F.max_pool2d(self.act1(F.relu(self.conv1(x))), 2)
        x = F.max_pool2d(self.act2(F.relu(self.conv2(x))), 2)
        x = self.act3(F.relu(self.fc1(x.flatten(1))))
        return self.fc2(x)


def blas_library():
    """The BLAS this process has loaded (Debian's libblas.so.3 alternative:
    OpenBLAS, or the slow reference BLAS)."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            if len(fields) >= 6 and "blas" in os.path.basename(fields[-1]):
                return os.path.realpath(fields[-1])
    return "none"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bits", required=True, help="FP32 or WnAm")
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--quantizer", choices=["plain", "windowed"], default="plain")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    a = p.parse_args()
    if a.device == "cuda":
        if not torch.cuda.is_available():
            sys.exit("train_torch.py: --device cuda, but this PyTorch has no CUDA device")
        torch.set_default_tensor_type(torch.cuda.FloatTensor)
    if a.bits == "FP32":
        wbits = abits = 0
    else:
        m = re.fullmatch(r"W([1-8])A([1-8])", a.bits)
        if not m:
            sys.exit("train_torch.py: --bits must be FP32 or WnAm")
        wbits, abits = int(m.group(1)), int(m.group(2))
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    Quantizer.windowed = a.quantizer == "windowed"
    net = LeNet5(wbits, abits)
    opt = torch.optim.Adam([q for q in net.parameters() if q.requires_grad], lr=1e-3)
    net.to(a.device)
    x = torch.rand(a.batch, 1, 28, 28, device=a.device)
    y = torch.randint(0, 10, (a.batch,), device=a.device)
    sync = torch.cuda.synchronize if a.device == "cuda" else (lambda: None)

    quantizers = [m for m in net.modules() if isinstance(m, Quantizer)]

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        for q in quantizers:
            q.project()

    for _ in range(a.warmup):
        step()
    sync()
    rates = []
    for _ in range(a.repeats):
        start = time.perf_counter()
        for _ in range(a.steps):
            step()
        sync()
        rates.append(a.batch * a.steps / (time.perf_counter() - start))
    print(json.dumps({"bits": a.bits, "quantizer": a.quantizer, "batch": a.batch, "threads": a.threads, "steps": a.steps,
                      "device": a.device,
                      "img_s": statistics.median(rates), "torch": torch.__version__, "blas": blas_library()}))


if __name__ == "__main__":
    main()
