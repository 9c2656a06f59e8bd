#!/usr/bin/python3
"""Trains LeNet-5 (32C5-MP2-64C5-MP2-512FC-10, the network of
examples/networks/lenet5.mlir) in float32 on Fashion-MNIST with PyTorch and
exports it to ONNX (opset 13, input "image" N x 1 x 28 x 28, output "logits"
N x 10, batch axis dynamic), for cpq-import.

    /usr/bin/python3 examples/pytorch/lenet5_to_onnx.py -o lenet5.onnx

Images enter as cpq-train and cpq-run feed them: x = pixel * float32(1/255)
(no mean or deviation subtracted), so the imported network sees in cpq what
it saw in PyTorch. The parameter names (conv1.weight, conv1.bias, ...,
fc2.bias) are those of lenet5.mlir.

The module is importable as well: lenet5(), load_idx(), train(), evaluate()
and export() are what tests/import/make_fixtures.py uses.
"""
import argparse
import gzip
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"
# float32(1/255): the factor cpq's batches multiply a byte by.
PIXEL_SCALE = np.float32(1.0 / 255.0)
TRAIN_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
TEST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 5)
        self.conv2 = nn.Conv2d(32, 64, 5)
        self.fc1 = nn.Linear(1024, 512)
        self.fc2 = nn.Linear(512, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)  # logits, no softmax


def lenet5():
    """A freshly initialised LeNet-5 (PyTorch's default initialisation)."""
    return LeNet5()


def _read_idx(path, magic, ndim):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    head = 4 + 4 * ndim
    if len(data) < head:
        raise ValueError("%s: too short for an IDX file" % path)
    fields = struct.unpack(">%dI" % (1 + ndim), data[:head])
    if fields[0] != magic:
        raise ValueError("%s: magic 0x%08x, expected 0x%08x" % (path, fields[0], magic))
    shape = fields[1:]
    count = int(np.prod(shape))
    if len(data) - head < count:
        raise ValueError("%s: %d bytes of data, the header announces %d"
                         % (path, len(data) - head, count))
    return np.frombuffer(data, dtype=np.uint8, count=count, offset=head).reshape(shape)


def load_idx(images_path, labels_path, limit=None):
    """Reads an IDX image file and its labels (gzip'ed or not). Returns the
    images as pixel * float32(1/255), float32 N x 1 x 28 x 28, and the labels, int64 N.
    limit: keep only the first `limit` examples."""
    images = _read_idx(images_path, 0x00000803, 3)
    labels = _read_idx(labels_path, 0x00000801, 1)
    if images.shape[0] != labels.shape[0]:
        raise ValueError("%s has %d images, %s %d labels"
                         % (images_path, images.shape[0], labels_path, labels.shape[0]))
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    x = images.astype(np.float32) * PIXEL_SCALE
    x = x.reshape(-1, 1, images.shape[1], images.shape[2]).astype(np.float32)
    return np.ascontiguousarray(x), labels.astype(np.int64)


def data_paths(data_dir, files):
    return tuple(os.path.join(data_dir, name) for name in files)


def check_data(data_dir):
    """The missing Fashion-MNIST files of data_dir (empty when all are there)."""
    return [p for p in data_paths(data_dir, TRAIN_FILES + TEST_FILES) if not os.path.isfile(p)]


def evaluate(model, images, labels, batch=1000):
    """Accuracy (0..1) of model, in eval mode, on numpy images and labels."""
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(images), batch):
            logits = model(torch.from_numpy(images[i:i + batch]))
            correct += int((logits.argmax(1).numpy() == labels[i:i + batch]).sum())
    return correct / max(1, len(images))


def train(model, images, labels, epochs=3, batch=64, lr=1e-3, seed=1,
          test_images=None, test_labels=None, log=print, schedule="constant"):
    """Trains model with Adam and cross-entropy on numpy images and labels,
    the examples shuffled each epoch from `seed`. After each epoch, logs the
    mean loss and, when test data is given, the test accuracy. Returns the
    last test accuracy (None without test data)."""
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    # "cosine": lr * (1 + cos(pi * step / steps)) / 2 per step, as cpq-train's default.
    steps = epochs * ((len(images) + batch - 1) // batch)
    scheduler = (torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, steps))
                 if schedule == "cosine" else None)
    x_all = torch.from_numpy(images)
    y_all = torch.from_numpy(labels)
    accuracy = None
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(len(images), generator=generator)
        total, seen = 0.0, 0
        for i in range(0, len(images), batch):
            idx = order[i:i + batch]
            x, y = x_all[idx], y_all[idx]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            total += float(loss) * len(idx)
            seen += len(idx)
        line = "epoch %d/%d: loss %.4f" % (epoch, epochs, total / max(1, seen))
        if test_images is not None:
            accuracy = evaluate(model, test_images, test_labels)
            line += ", test accuracy %.2f%% (%d images)" % (100 * accuracy, len(test_images))
        if log:
            log(line)
    model.eval()
    return accuracy


def export(model, out, dtype=torch.float32, input_names=("image",), output_names=("logits",)):
    """Exports model (put in eval mode) to ONNX at `out`: opset 13, a dummy
    input of 1 x 1 x 28 x 28, the batch axis dynamic, constants folded.
    Written to out + '.tmp' first, then renamed."""
    model.eval()
    dummy = torch.zeros(1, 1, 28, 28, dtype=dtype)
    tmp = out + ".tmp"
    dynamic = {name: {0: "batch"} for name in list(input_names) + list(output_names)}
    try:
        with torch.no_grad():
            torch.onnx.export(model, dummy, tmp,
                              input_names=list(input_names), output_names=list(output_names),
                              dynamic_axes=dynamic, opset_version=13,
                              do_constant_folding=True)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Train LeNet-5 in float32 on Fashion-MNIST and export it to ONNX.")
    ap.add_argument("--epochs", type=int, default=3, help="training epochs (default 3)")
    ap.add_argument("--train-limit", type=int, default=None,
                    help="train on the first N training images (default all 60000)")
    ap.add_argument("--batch", type=int, default=64, help="batch size (default 64)")
    ap.add_argument("--lr", type=float, default=1e-3, help="Adam's learning rate (default 1e-3)")
    ap.add_argument("--lr-schedule", choices=("cosine", "constant"), default="cosine",
                    help="cosine (per step down to 0, as cpq-train) or constant (default cosine)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--data", default=DEFAULT_DATA,
                    help="folder of the Fashion-MNIST IDX files (default %s)" % DEFAULT_DATA)
    ap.add_argument("-o", "--output", required=True, metavar="OUT.onnx",
                    help="the ONNX file to write")
    args = ap.parse_args(argv)
    if args.epochs < 0 or args.batch < 1 or (args.train_limit is not None and args.train_limit < 1):
        ap.error("--epochs must be >= 0, --batch and --train-limit >= 1")

    missing = check_data(args.data)
    if missing:
        print("error: Fashion-MNIST not found in %s (missing: %s); on Debian it is in %s, "
              "or pass --data DIR holding %s"
              % (args.data, ", ".join(os.path.basename(p) for p in missing), DEFAULT_DATA,
                 ", ".join(TRAIN_FILES + TEST_FILES)), file=sys.stderr)
        return 1

    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    try:
        train_x, train_y = load_idx(*data_paths(args.data, TRAIN_FILES), limit=args.train_limit)
        test_x, test_y = load_idx(*data_paths(args.data, TEST_FILES))
    except (OSError, ValueError) as e:
        print("error: cannot read Fashion-MNIST: %s" % e, file=sys.stderr)
        return 1

    model = lenet5()
    print("training LeNet-5 on %d images, %d epochs, batch %d, Adam lr %g (%s), seed %d"
          % (len(train_x), args.epochs, args.batch, args.lr, args.lr_schedule, args.seed))
    train(model, train_x, train_y, epochs=args.epochs, batch=args.batch, lr=args.lr,
          seed=args.seed, test_images=test_x, test_labels=test_y, schedule=args.lr_schedule)
    accuracy = evaluate(model, test_x, test_y)
    try:
        export(model, args.output)
    except OSError as e:
        print("error: cannot write %s: %s" % (args.output, e), file=sys.stderr)
        return 1
    print("wrote %s" % args.output)
    print("test accuracy: %.2f%% (%d images)" % (100 * accuracy, len(test_x)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
