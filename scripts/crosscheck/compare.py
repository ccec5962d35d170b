#!/usr/bin/env python3
"""Compares the library's per-example gradient quantities with a PyTorch reference (see README.md).

  compare.py SGD_FACTORS.json REFERENCE.json [--float32 REFERENCE32.json] [--tolerance 1e-5]

Both files are the JSON that sgd_factors_per_example.ts and pytorch_per_example.py print for the same run
and examples. Reports relative errors |a - b| / |b| of f, |grad f|^2, tr sigma^2 and sum_i |g_i|^2, and the
largest relative error of |g_i|^2 over the examples (with that example's index, its |g_i|^2, its
true-class probability and its smallest |ReLU input|: a unit that close to 0 can switch sides under
float32 rounding, which changes the gradient by a finite amount), and the largest per-example error per
decade of 1 - p_y. With --float32, the same errors of PyTorch's own float32 computation against the
float64 reference are reported beside them: the size of float32 rounding for this network and data.
Exits 1 when any relative error exceeds --tolerance. Standard library only.
"""
import argparse
import json
import math
import sys

SCALARS = ("loss", "gradNormSq", "traceSigma", "sumSquaredNorms")


def relative(a, b):
    return abs(a - b) / abs(b) if b != 0 else (0.0 if a == 0 else float("inf"))


def errors(test, ref):
    t, r = test["values"], ref["values"]
    if len(t["squaredNorms"]) != len(r["squaredNorms"]):
        raise SystemExit(f"{len(t['squaredNorms'])} examples against {len(r['squaredNorms'])}")
    per_example = [relative(a, b) for a, b in zip(t["squaredNorms"], r["squaredNorms"])]
    worst = max(range(len(per_example)), key=per_example.__getitem__)
    out = {k: relative(t[k], r[k]) for k in SCALARS}
    out["squaredNormsMax"] = per_example[worst]
    out["squaredNormsMedian"] = sorted(per_example)[len(per_example) // 2]
    out["worstExample"] = {
        "index": worst,
        "squaredNorm": r["squaredNorms"][worst],
        "trueClassProbability": r["trueClassProbability"][worst],
        "smallestReluInput": r["smallestReluInput"][worst],
    }
    # float32 rounding of p_y costs about 6e-8/(1 - p_y) relative in the gradient of a confident
    # example: the largest error per decade of 1 - p_y shows whether errors follow that.
    bins = {}
    for e, p in zip(per_example, r["trueClassProbability"]):
        decade = "1-p<1e-4" if 1 - p < 1e-4 else f"1-p~1e{math.floor(math.log10(1 - p))}"
        bins[decade] = max(bins.get(decade, 0.0), e)
    out["squaredNormsMaxBy1MinusP"] = dict(sorted(bins.items()))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("library")
    ap.add_argument("reference")
    ap.add_argument("--float32", help="PyTorch float32 run of the same reference, to show float32 rounding")
    ap.add_argument("--tolerance", type=float, default=1e-5)
    a = ap.parse_args()
    load = lambda p: json.load(open(p))
    lib, ref = load(a.library), load(a.reference)
    for key in ("run", "loss", "examples", "bnBatch", "includeRegularization"):
        if lib[key] != ref[key]:
            raise SystemExit(f"the files differ in {key}: {lib[key]!r} against {ref[key]!r}")
    if ref["dtype"] != "float64":
        raise SystemExit(f"{a.reference}: the reference must be float64, got {ref['dtype']}")
    report = {
        "run": ref["run"],
        "loss": ref["loss"],
        "examples": ref["examples"],
        "backend": lib["backend"],
        "reference": {k: ref["values"][k] for k in SCALARS},
        "library": errors(lib, ref),
    }
    if a.float32:
        report["pytorchFloat32"] = errors(load(a.float32), ref)
    worst = max(v for v in report["library"].values() if isinstance(v, float))
    report["tolerance"] = a.tolerance
    report["pass"] = worst <= a.tolerance
    print(json.dumps(report, indent=2))
    sys.exit(0 if report["pass"] else 1)


if __name__ == "__main__":
    main()
