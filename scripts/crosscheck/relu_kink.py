#!/usr/bin/env python3
"""Whether one example's disagreement with the reference is a ReLU unit at its kink (see README.md).

  relu_kink.py RUN_DIR LIBRARY.json INDEX [INDEX ...]

For each example: its float64 |g_i|^2 on the batch-norm statistics in LIBRARY.json (what
sgd_factors_per_example.ts printed), then the same with the one ReLU unit whose input is nearest zero
switched to the other side (its output changes by less than that input; its derivative by 1), against
the library's |g_i|^2. When the library agrees with the switched value to float32 rounding, float32 put
that unit on the other side of its kink: a finite, legitimate difference of the gradient, not an error
of the gradient computation. Standard library, numpy and torch only.
"""
import argparse
import json
import os

import torch

import pytorch_per_example as reference


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("run_dir")
    ap.add_argument("library", help="the JSON sgd_factors_per_example.ts printed for this run")
    ap.add_argument("indices", type=int, nargs="+")
    ap.add_argument("--data-dir", default=None)
    a = ap.parse_args()
    torch.set_num_threads(1)
    with open(os.path.join(a.run_dir, "config.json")) as f:
        spec = json.load(f)["spec"]
    with open(a.library) as f:
        lib = json.load(f)
    n = max(a.indices) + 1
    x, y = reference.load_mnist_like(a.data_dir or spec["data"]["dir"], n, spec["data"].get("params", {}).get("preprocess", "pixelMean"))
    x, y = torch.tensor(x, dtype=torch.float64), torch.tensor(y)
    depth = spec["model"].get("options", {}).get("depth", 20)
    model = reference.ResNetV1(reference.read_safetensors(os.path.join(a.run_dir, "weights.safetensors")), depth, torch.float64)
    model.bn = {k: [torch.tensor(v["mean"], dtype=torch.float64), torch.tensor(v["variance"], dtype=torch.float64)]
                for k, v in lib["bnStatistics"].items()}
    params = list(model.params.values())
    # Every ReLU call in order: its smallest |input| and where; `switch` = (call, flat position) to flip.
    state = {"calls": [], "switch": None}

    def relu(t):
        flat = t.detach().abs().reshape(-1)
        state["calls"].append((float(flat.min()), int(flat.argmin())))
        mask = (t > 0).to(t.dtype).reshape(-1)
        if state["switch"] is not None and state["switch"][0] == len(state["calls"]) - 1:
            mask = mask.clone()
            mask[state["switch"][1]] = 1 - mask[state["switch"][1]]
        return t * mask.reshape(t.shape)

    model.relu = relu

    def squared_norm(i):
        state["calls"] = []
        p = model.forward(x[i : i + 1])
        loss = reference.per_example_loss(spec["training"]["loss"], p, y[i : i + 1], p.shape[1])[0]
        g = torch.cat([t.reshape(-1) for t in torch.autograd.grad(loss, params)])
        return float(g @ g)

    out = []
    for i in a.indices:
        state["switch"] = None
        plain = squared_norm(i)
        call = min(range(len(state["calls"])), key=lambda k: state["calls"][k][0])
        margin, position = state["calls"][call]
        state["switch"] = (call, position)
        switched = squared_norm(i)
        library = lib["values"]["squaredNorms"][i]
        out.append({
            "index": i,
            "reluInput": margin,
            "float64": plain,
            "float64Switched": switched,
            "library": library,
            "libraryVsFloat64": (library - plain) / plain,
            "libraryVsSwitched": (library - switched) / switched,
        })
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
