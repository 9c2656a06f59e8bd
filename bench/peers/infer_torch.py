#!/usr/bin/env python3
"""LeNet-5 (32C5-MP2-64C5-MP2-512FC-10) float32 inference in PyTorch 1.13, the
way a user runs a trained network: the nn.Module in eval mode under
torch.inference_mode(), on a fixed batch of 28x28 images.

Prints one JSON object: {"img_s": median images per second over the repeats,
...}.

Usage: /usr/bin/python3 infer_torch.py --batch 256 [--threads 2]
           [--calls 20] [--repeats 5] [--warmup 3]
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 5)
        self.conv2 = nn.Conv2d(32, 64, 5)
        self.fc1 = nn.Linear(1024, 512)
        self.fc2 = nn.Linear(512, 10)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.max_pool2d(torch.relu(self.conv2(x)), 2)
        return self.fc2(torch.relu(self.fc1(torch.flatten(x, 1))))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--calls", type=int, default=20)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--warmup", type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = LeNet5().eval()
    x = torch.rand(a.batch, 1, 28, 28)
    with torch.inference_mode():
        for _ in range(a.warmup):
            net(x)
        rates = []
        for _ in range(a.repeats):
            start = time.perf_counter()
            for _ in range(a.calls):
                net(x)
            rates.append(a.batch * a.calls / (time.perf_counter() - start))
    print(json.dumps({"batch": a.batch, "threads": a.threads, "img_s": statistics.median(rates),
                      "torch": torch.__version__, "mkldnn": torch.backends.mkldnn.is_available()}))


if __name__ == "__main__":
    main()
