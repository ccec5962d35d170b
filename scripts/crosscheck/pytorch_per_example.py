#!/usr/bin/env python3
"""Independent PyTorch reference for sgd-factors' per-example gradient quantities on a trained run.

Loads a run directory written by `sgd-factors train` or a sweep (config.json + weights.safetensors) of a
ResNet v1 trained on an MNIST-like data set (Fashion-MNIST, MNIST: 28x28x1 IDX files), rebuilds the same
network in PyTorch, takes the first N training examples preprocessed as the library does, recomputes the
batch-norm statistics over them as `recomputeBatchNormStatistics` does, and computes in float64 (or
float32, to see the size of float32 rounding) by an honest loop of one backward pass per example:

  f         the objective: mean data loss + the L2 penalty (when the run's measurement includes it)
  |grad f|^2
  |g_i|^2   each example's squared gradient norm of the data loss (the penalty is not in sigma^2)
  tr sigma^2 = (sum_i |g_i|^2 - n |g_bar|^2) / (n - 1), and the same by Welford's centred update

and, per example, its loss, true-class probability p_y and smallest |ReLU input| (how close it sits to
a kink, where float32-sized changes of the network change its gradient by a finite amount). With
--bn-statistics LIBRARY.json the batch-norm statistics the library recomputed are used instead of the
reference's own, so that only the gradient computation is compared.

Prints one JSON object on stdout. Standard library, numpy and torch only; no sgd-factors code is used.

What is reproduced from the library (read from its sources, not imported):
  - resnetV1 (src/models/resnetV1.ts): Conv2D 'same' with bias (TensorFlow's asymmetric padding for
    stride 2: extra row/column at the end), BatchNormalization eps 1e-3 (KerasBatchNormalization),
    1x1 stride-2 projection shortcuts without BN, average pooling over the whole final feature map
    (7x7 for 28x28 inputs), Dense + softmax. Weights from safetensors: kernels HWIO -> OIHW,
    dense [in, out] -> [out, in].
  - data (src/data/loadMnistLike.ts): x/255 minus the per-pixel mean of the full training file
    ('pixelMean', mean rounded to float32, result rounded to float32), or x/255 ('scale').
  - batch-norm statistics (src/models/recomputeBatchNormStatistics.ts): a training-mode forward pass
    in chunks of --bn-batch examples (each layer normalizes with its chunk's mean and biased variance),
    each BN layer's input accumulated per channel; stored mean and population variance sum (x-mu)^2/N.
  - losses (src/train/kldLoss.ts, crossEntropyLoss.ts) on the softmax output, Keras semantics:
    kld: sum_k clip(y,1e-7,1) log(clip(y,1e-7,1)/clip(p,1e-7,1));
    crossEntropy (probabilities): -sum_k y log clip(p/sum p, 1e-7, 1-1e-7).
  - penalty (regularizationPenalty): weightDecay * sum ||kernel||^2 over every convolution kernel
    (the dense head has none).

Usage:
  /usr/bin/python3 scripts/crosscheck/pytorch_per_example.py RUN_DIR --examples 256 [--dtype float32]
      [--bn-statistics LIBRARY.json] [--bn-batch B] [--data-dir DIR] > ref.json
"""
import argparse
import gzip
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

KERAS_EPSILON = 1e-7
BN_EPSILON = 1e-3


# ---------------------------------------------------------------------------------------------- input


def read_safetensors(path):
    """{name: numpy array} from a safetensors file: 8-byte little-endian header length, JSON, raw data."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise ValueError(f"{path}: shorter than the 8-byte header length")
    (header_len,) = struct.unpack("<Q", blob[:8])
    if 8 + header_len > len(blob):
        raise ValueError(f"{path}: header length {header_len} runs past the end of the file")
    header = json.loads(blob[8 : 8 + header_len])
    data = blob[8 + header_len :]
    dtypes = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "U8": np.uint8}
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] not in dtypes:
            raise ValueError(f"{path}: tensor {name} has unsupported dtype {entry['dtype']}")
        start, end = entry["data_offsets"]
        array = np.frombuffer(data[start:end], dtype=np.dtype(dtypes[entry["dtype"]]).newbyteorder("<"))
        if array.size != math.prod(entry["shape"]):
            raise ValueError(f"{path}: tensor {name} has {array.size} values for shape {entry['shape']}")
        out[name] = array.reshape(entry["shape"]).copy()
    return out


def read_idx(path, magic):
    """Unsigned-byte IDX file (gzipped or plain) as a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        blob = f.read()
    got, = struct.unpack(">I", blob[:4])
    if got != magic:
        raise ValueError(f"{path}: magic {got:#010x}, expected {magic:#010x}")
    ndim = blob[3]
    dims = struct.unpack(">" + "I" * ndim, blob[4 : 4 + 4 * ndim])
    payload = np.frombuffer(blob[4 + 4 * ndim :], dtype=np.uint8)
    if payload.size != math.prod(dims):
        raise ValueError(f"{path}: {payload.size} bytes of payload for dimensions {dims}")
    return payload.reshape(dims)


def find_file(directory, name):
    """`name` or `name.gz` in directory, preferring the plain file as the library does."""
    for candidate in (name, name + ".gz"):
        path = os.path.join(directory, candidate)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"missing file {os.path.join(directory, name)}(.gz)")


def load_mnist_like(directory, n, preprocess):
    """The first n training images [n, 1, 28, 28] (float32, as the library stores them) and labels."""
    images = read_idx(find_file(directory, "train-images-idx3-ubyte"), 0x00000803)
    labels = read_idx(find_file(directory, "train-labels-idx1-ubyte"), 0x00000801)
    if n > images.shape[0]:
        raise ValueError(f"--examples {n} exceeds the {images.shape[0]} training images in {directory}")
    pixels = images.reshape(images.shape[0], -1)
    x = pixels[:n].astype(np.float64) / 255
    if preprocess == "pixelMean":
        # meanImage: exact integer sums / (255 n) in double, stored as float32; toFloats subtracts in
        # double and stores float32.
        mean = (pixels.astype(np.uint64).sum(axis=0) / (255 * pixels.shape[0])).astype(np.float32)
        x = x - mean.astype(np.float64)
    elif preprocess != "scale":
        raise ValueError(f"unknown preprocess '{preprocess}' (pixelMean or scale)")
    x = x.astype(np.float32).reshape(n, 1, 28, 28)
    return x, labels[:n].astype(np.int64)


# ---------------------------------------------------------------------------------------------- model


def same_padding(size, kernel, stride):
    """TensorFlow 'same' padding of one spatial axis: (before, after), the extra one after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class ResNetV1:
    """Keras' resnet_v1 as sgd-factors builds it, as plain tensors keyed by the library's weight names."""

    def __init__(self, weights, depth, dtype):
        if (depth - 2) % 6 != 0 or depth < 8:
            raise ValueError(f"depth must be 6n+2, got {depth}")
        self.blocks = (depth - 2) // 6
        self.params = {}  # trainable, in the library's order
        self.bn = {}  # name -> [moving_mean, moving_variance] (recomputed below)
        self.conv_kernels = []  # names of the L2-regularized kernels
        t = lambda a: torch.tensor(a, dtype=dtype)
        for name, array in weights.items():
            layer, kind = name.rsplit("/", 1)
            if kind == "kernel" and array.ndim == 4:
                self.params[name] = t(array.transpose(3, 2, 0, 1))  # HWIO -> OIHW
                self.conv_kernels.append(name)
            elif kind == "kernel" and array.ndim == 2:
                self.params[name] = t(array.T)  # [in, out] -> [out, in]
            elif kind in ("bias", "gamma", "beta"):
                self.params[name] = t(array)
            elif kind not in ("moving_mean", "moving_variance"):
                raise ValueError(f"unexpected weight {name}")
        for p in self.params.values():
            p.requires_grad_(True)
        self.capture = None  # while set: training-mode BN, inputs appended here
        self.relu_margin = math.inf  # smallest |ReLU input| since last reset: how close to a kink

    def relu(self, x):
        self.relu_margin = min(self.relu_margin, float(x.detach().abs().min()))
        return F.relu(x)

    def conv(self, x, name, stride):
        w = self.params[f"{name}/kernel"]
        k = w.shape[-1]
        ph, pw = same_padding(x.shape[2], k, stride), same_padding(x.shape[3], k, stride)
        x = F.pad(x, (pw[0], pw[1], ph[0], ph[1]))
        return F.conv2d(x, w, self.params[f"{name}/bias"], stride=stride)

    def batch_norm(self, x, name):
        gamma, beta = self.params[f"{name}/gamma"], self.params[f"{name}/beta"]
        if self.capture is not None:
            self.capture.append((name, x.detach()))
            mean = x.mean(dim=(0, 2, 3), keepdim=True)
            var = ((x - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)  # biased, as in training
        else:
            mean, var = (s.view(1, -1, 1, 1) for s in self.bn[name])
        return (x - mean) / torch.sqrt(var + BN_EPSILON) * gamma.view(1, -1, 1, 1) + beta.view(1, -1, 1, 1)

    def unit(self, x, conv, bn=None, stride=1, relu=True):
        x = self.conv(x, conv, stride)
        if bn is not None:
            x = self.batch_norm(x, bn)
        return self.relu(x) if relu else x

    def forward(self, x):
        x = self.unit(x, "stem_conv", "stem_bn")
        for stack in (1, 2, 3):
            for block in range(1, self.blocks + 1):
                p = f"stack{stack}_block{block}_"
                down = stack > 1 and block == 1
                s = 2 if down else 1
                y = self.unit(x, p + "conv1", p + "bn1", stride=s)
                y = self.unit(y, p + "conv2", p + "bn2", relu=False)
                if down:
                    x = self.unit(x, p + "shortcut", None, stride=s, relu=False)
                x = self.relu(x + y)
        x = x.mean(dim=(2, 3))  # AveragePooling2D over the whole final map, then Flatten
        z = F.linear(x, self.params["dense/kernel"], self.params["dense/bias"])
        return torch.softmax(z, dim=-1)


def recompute_bn_statistics(model, x, batch):
    """recomputeBatchNormStatistics: exact per-channel mean and population variance over all examples,
    from training-mode passes over chunks of `batch` (float64 accumulation, Chan's merge)."""
    moments = {}
    with torch.no_grad():
        for start in range(0, x.shape[0], batch):
            model.capture = []
            try:
                model.forward(x[start : start + batch])
                captured = model.capture
            finally:
                model.capture = None
            for name, v in captured:
                v = v.double().transpose(0, 1).reshape(v.shape[1], -1)  # [C, rows]
                rows = v.shape[1]
                mean = v.mean(dim=1)
                m2 = ((v - mean[:, None]) ** 2).sum(dim=1)
                if name not in moments:
                    moments[name] = [rows, mean, m2]
                    continue
                count, old_mean, old_m2 = moments[name]
                total = count + rows
                delta = mean - old_mean
                moments[name] = [total, old_mean + delta * rows / total, old_m2 + m2 + delta**2 * count * rows / total]
    for name, (count, mean, m2) in moments.items():
        # The library stores float32 statistics; rounding them keeps the two networks the same one.
        model.bn[name] = [mean.float().to(x.dtype), (m2 / count).float().to(x.dtype)]
    return list(moments)


# ---------------------------------------------------------------------------------------------- objective


def per_example_loss(loss, p, y, num_classes):
    onehot = F.one_hot(y, num_classes).to(p.dtype)
    if loss == "kld":
        t = onehot.clamp(KERAS_EPSILON, 1)
        q = p.clamp(KERAS_EPSILON, 1)
        return (t * torch.log(t / q)).sum(dim=-1)
    if loss == "crossEntropy":
        q = (p / p.sum(dim=-1, keepdim=True)).clamp(KERAS_EPSILON, 1 - KERAS_EPSILON)
        return -(onehot * torch.log(q)).sum(dim=-1)
    if loss == "squaredError":
        return ((onehot - p) ** 2).sum(dim=-1)
    raise ValueError(f"unsupported loss '{loss}'")


def measure(model, x, y, loss, weight_decay, include_regularization, num_classes):
    names = list(model.params)
    params = [model.params[k] for k in names]
    n = x.shape[0]
    dim = sum(p.numel() for p in params)
    grad_sum = torch.zeros(dim, dtype=torch.float64)
    welford_mean = torch.zeros(dim, dtype=torch.float64)
    welford_m2 = 0.0
    norms, losses, p_true, margins = [], [], [], []
    for i in range(n):
        model.relu_margin = math.inf
        p = model.forward(x[i : i + 1])
        margins.append(model.relu_margin)
        l = per_example_loss(loss, p, y[i : i + 1], num_classes)[0]
        g = torch.cat([t.reshape(-1) for t in torch.autograd.grad(l, params)]).double()
        norms.append(float(g @ g))
        losses.append(float(l))
        p_true.append(float(p[0, y[i]]))
        grad_sum += g
        delta = g - welford_mean
        welford_mean += delta / (i + 1)
        welford_m2 += float(delta @ (g - welford_mean))
    mean = grad_sum / n
    data_loss = sum(losses) / n
    # The penalty's gradient 2·wd·w on the convolution kernels; it is the same for every example.
    penalty, penalty_grad = 0.0, []
    for k, t in zip(names, params):
        if k in model.conv_kernels:
            w = t.detach().double()
            penalty += weight_decay * float((w * w).sum())
            penalty_grad.append(2 * weight_decay * w.reshape(-1))
        else:
            penalty_grad.append(torch.zeros(t.numel(), dtype=torch.float64))
    gradient = mean + (torch.cat(penalty_grad) if include_regularization else 0)
    sum_norms = sum(norms)
    return {
        "loss": data_loss + (penalty if include_regularization else 0.0),
        "dataLoss": data_loss,
        "regularization": penalty,
        "gradNormSq": float(gradient @ gradient),
        "dataGradNormSq": float(mean @ mean),
        "traceSigma": (sum_norms - n * float(mean @ mean)) / (n - 1),
        "traceSigmaWelford": welford_m2 / (n - 1),
        "sumSquaredNorms": sum_norms,
        "squaredNorms": norms,
        "exampleLosses": losses,
        "trueClassProbability": p_true,
        "smallestReluInput": margins,
        "parameters": dim,
    }


# ---------------------------------------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("run_dir", help="run directory with config.json and weights.safetensors")
    ap.add_argument("--examples", type=int, default=256, help="the first N training examples (default 256)")
    ap.add_argument("--bn-batch", type=int, default=None, help="chunk of the batch-norm recomputation (default N: one pass)")
    ap.add_argument("--data-dir", default=None, help="IDX directory (default: the run's spec.data.dir)")
    ap.add_argument("--bn-statistics", default=None, metavar="LIBRARY.json",
                    help="use the batch-norm statistics the library recomputed (its script's output) instead of recomputing them")
    ap.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    dtype = torch.float64 if a.dtype == "float64" else torch.float32

    with open(os.path.join(a.run_dir, "config.json")) as f:
        spec = json.load(f)["spec"]
    data, model_spec = spec["data"], spec["model"]
    if data["name"] not in ("fashion-mnist", "mnist"):
        raise SystemExit(f"{a.run_dir}: data '{data['name']}' is not an MNIST-like data set")
    if model_spec["name"] != "resnetV1":
        raise SystemExit(f"{a.run_dir}: model '{model_spec['name']}' is not resnetV1")
    n = a.examples
    if n < 2:
        raise SystemExit(f"--examples must be at least 2, got {n}")
    bn_batch = a.bn_batch or n
    options = model_spec.get("options", {})
    depth = options.get("depth", 20)
    weight_decay = options.get("weightDecay", 1e-4)
    loss = spec["training"]["loss"]
    include_regularization = spec.get("measurement", {}).get("includeRegularization", True)
    preprocess = data.get("params", {}).get("preprocess", "pixelMean")

    started = time.perf_counter()
    x_np, y_np = load_mnist_like(a.data_dir or data["dir"], n, preprocess)
    model = ResNetV1(read_safetensors(os.path.join(a.run_dir, "weights.safetensors")), depth, dtype)
    x = torch.tensor(x_np, dtype=dtype)
    y = torch.tensor(y_np)
    if a.bn_statistics:
        with open(a.bn_statistics) as f:
            given = json.load(f)["bnStatistics"]
        model.bn = {k: [torch.tensor(v["mean"], dtype=dtype), torch.tensor(v["variance"], dtype=dtype)] for k, v in given.items()}
        bn_layers = list(given)
    else:
        bn_layers = recompute_bn_statistics(model, x, bn_batch)
    out = measure(model, x, y, loss, weight_decay, include_regularization, 10)
    print(json.dumps({
        "source": "pytorch",
        "torch": torch.__version__,
        "dtype": a.dtype,
        "run": os.path.basename(os.path.normpath(a.run_dir)),
        "loss": loss,
        "examples": n,
        "bnBatch": bn_batch,
        "bnLayers": len(bn_layers),
        "bnStatistics": "library" if a.bn_statistics else "recomputed",
        "includeRegularization": include_regularization,
        "seconds": time.perf_counter() - started,
        "values": out,
    }))


if __name__ == "__main__":
    main()
