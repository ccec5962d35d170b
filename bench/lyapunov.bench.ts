// Dense Lyapunov solvers on one core: the symmetric route (stationaryCovariance: Householder
// tridiagonalization + QL, ΓH + HΓ = σ²) and the general route (solveLyapunov: Hessenberg + Francis QR
// real Schur form + Bartels–Stewart, AX + XAᵀ = Q) at n = 100, 500, 1000, with the relative residual.
import { matmul, matmulTransposeB } from '../src/linalg/matrixMultiply.js';
import { solveLyapunovDense } from '../src/linalg/solveLyapunov.js';
import { stationaryCovariance } from '../src/theory/stationaryCovariance.js';
import { createRng } from '../src/util/random.js';
import { type Benchmark, type BenchResult, timeMedian } from './harness.js';

const SIZES = [100, 500, 1000] as const;

function gaussian(n: number, seed: number, scale: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n * n }, () => scale * rng.normal());
}

/** B Bᵀ/n + shift·I: symmetric positive definite with eigenvalues in about [shift, shift + 4]. */
function spd(n: number, seed: number, shift: number): Float64Array {
  const b = gaussian(n, seed, 1 / Math.sqrt(n));
  const a = matmulTransposeB(b, b, n, n, n, true);
  for (let i = 0; i < n; i++) a[i * n + i] = a[i * n + i]! + shift;
  return a;
}

/** ‖A X + X Aᵀ − Q‖_F / ‖Q‖_F. */
function residual(a: Float64Array, x: Float64Array, q: Float64Array, n: number): number {
  const ax = matmul(a, x, n, n, n);
  const xat = matmulTransposeB(x, a, n, n, n);
  let r = 0;
  let s = 0;
  for (let k = 0; k < n * n; k++) {
    r += (ax[k]! + xat[k]! - q[k]!) ** 2;
    s += q[k]! ** 2;
  }
  return Math.sqrt(r / s);
}

/**
 * Runs `fn` under {@link timeMedian} and also records the process CPU time of each timed call: on a
 * shared machine wall time includes waiting for a core, CPU time does not.
 */
async function measure(
  fn: () => void,
  n: number,
): Promise<{ median: number; min: number; repeats: number; cpuMs: number }> {
  const cpu: number[] = [];
  const t = await timeMedian(() => {
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }, timing(n));
  const timed = cpu.slice(cpu.length - t.samples.length).sort((x, y) => x - y);
  return {
    median: t.median,
    min: t.min,
    repeats: t.samples.length,
    cpuMs: timed[Math.floor(timed.length / 2)]!,
  };
}

function timing(n: number): { warmup: number; repeats: number } {
  return n <= 100
    ? { warmup: 2, repeats: 7 }
    : n <= 500
      ? { warmup: 1, repeats: 3 }
      : { warmup: 0, repeats: 1 };
}

const benchmarks: Benchmark[] = [
  {
    name: 'lyapunov/symmetric',
    async *run(): AsyncIterable<BenchResult> {
      for (const n of SIZES) {
        const h = spd(n, 1, 1);
        const sigma2 = spd(n, 2, 0.1);
        let gamma: Float64Array = new Float64Array(0);
        const t = await measure(() => {
          gamma = stationaryCovariance({ data: h, size: n }, { data: sigma2, size: n }).data;
        }, n);
        yield {
          name: `lyapunov/symmetric/${n}`,
          value: Number(t.median.toFixed(1)),
          unit: 'ms',
          residual: residual(h, gamma, sigma2, n),
          cpuMs: Number(t.cpuMs.toFixed(1)),
          min: Number(t.min.toFixed(1)),
          repeats: t.repeats,
          route: 'stationaryCovariance (Householder tridiagonal + QL eigen, 4 products)',
        };
      }
    },
  },
  {
    name: 'lyapunov/general',
    async *run(): AsyncIterable<BenchResult> {
      for (const n of SIZES) {
        // 2I + G/√n: non-symmetric, eigenvalues in a disc of radius ≈ 1 around 2 (stable, well conditioned).
        const a = gaussian(n, 3, 1 / Math.sqrt(n));
        for (let i = 0; i < n; i++) a[i * n + i] = a[i * n + i]! + 2;
        const q = spd(n, 4, 0.1);
        let x: Float64Array = new Float64Array(0);
        const t = await measure(() => {
          x = solveLyapunovDense(a, q, n);
        }, n);
        yield {
          name: `lyapunov/general/${n}`,
          value: Number(t.median.toFixed(1)),
          unit: 'ms',
          residual: residual(a, x, q, n),
          cpuMs: Number(t.cpuMs.toFixed(1)),
          min: Number(t.min.toFixed(1)),
          repeats: t.repeats,
          route: 'solveLyapunov (Hessenberg + Francis QR real Schur, Bartels–Stewart)',
        };
      }
    },
  },
];

export default benchmarks;
