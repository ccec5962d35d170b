#!/bin/bash
# Before/after timings (the figures in docs/measuring.md). Paths are those of the session that ran it:
# /work/old is a worktree of 02f1be3 (git worktree add --detach /work/old 02f1be3), /work/main this version.
# Before/after timings of `measure` on one trained ResNet-20 (1,024 synthetic 32x32x3 images, trained 2 epochs
# by the old code). old = commit 02f1be3 (per-example loop, wasm kernels), new = main (batched, oneDNN, and
# with SGD_FACTORS_ONEDNN=0 the wasm kernels). CPU seconds from /usr/bin/time (user+sys) and wall.
# The run: (cd /work/old && node --import tsx test/helpers/cli.ts train --synthetic 1024 --depth 20 --epochs 2 \
#   --lr 0.1 --batch-size 128 --lr-drops 1 --out /work/timing/run); bare/ holds a copy of its weights.
set -u
cd /work/timing
W=/work/timing/run/weights.safetensors
common="--probes 10 --sigma-h-probes 5 --json --quiet"
t() { # label dir env... -- args
  local label=$1 dir=$2; shift 2
  /usr/bin/time -f "$label wall %e user %U sys %S maxrss_kb %M" -o /work/timing/times.txt -a \
    env "$@" >> /work/timing/results.jsonl 2>> /work/timing/err.log
}
old() { (cd /work/old && t "old n=$1 b=$2" /work/old node --import tsx test/helpers/cli.ts measure --weights $W --limit $1 --batch-size $2 $common); }
new() { (cd /work/main && t "new n=$1 b=$2" /work/main node --import tsx test/helpers/cli.ts measure --weights /work/timing/bare/weights.safetensors --synthetic 1024 --model resnetV1 --depth 20 --limit $1 --batch-size $2 $common); }
newwasm() { (cd /work/main && t "new-wasm n=$1 b=$2" /work/main SGD_FACTORS_ONEDNN=0 node --import tsx test/helpers/cli.ts measure --weights /work/timing/bare/weights.safetensors --synthetic 1024 --model resnetV1 --depth 20 --limit $1 --batch-size $2 $common); }
# Wait for the estimator study (same cores) to finish first.
while pgrep -f sigmaHStudy > /dev/null; do sleep 20; done
old 256 64; new 256 64
old 1024 64; new 1024 64
# The cpu preset's per-run measurement (1,000 examples, 10 + 5 products) in its new chunks of 100; its old
# chunks of 250 run out of the wasm heap at the first Hessian product (new and old code alike).
new 1000 100
echo done >> times.txt
