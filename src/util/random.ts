/**
 * A small, fast, seedable pseudo-random generator (sfc32 seeded through splitmix32), so that every
 * stochastic piece of the library (initialization, shuffling, probes, simulations) is reproducible from
 * an integer seed, independently of Math.random and of the tfjs backend.
 */
export interface Rng {
  /** Uniform on [0, 1), 32 bits of randomness. */
  next(): number;
  /** Uniform on [0, 1) with 53 bits of randomness, for float64 work. */
  nextDouble(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller, caching the second value). */
  normal(): number;
  /** +1 or −1 with equal probability. */
  sign(): number;
  /** A new independent generator derived from this one (for splitting streams). */
  fork(): Rng;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * Creates a seeded generator. Equal seeds give equal streams on every platform.
 *
 * @param seed - any finite number; its integer part (mod 2³²) and fractional bits are mixed in.
 */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`createRng: seed must be a finite number, got ${seed}`);
  const init = splitmix32((Math.floor(seed) ^ Math.floor((seed % 1) * 2 ** 31)) >>> 0);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  let spare: number | undefined;
  const nextUint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) nextUint32();
  const rng: Rng = {
    next: () => nextUint32() / 4294967296,
    nextDouble: () => ((nextUint32() >>> 5) * 67108864 + (nextUint32() >>> 6)) / 9007199254740992,
    int(n) {
      if (!Number.isInteger(n) || n <= 0)
        throw new RangeError(`Rng.int: n must be a positive integer, got ${n}`);
      return Math.floor(rng.nextDouble() * n);
    },
    normal() {
      if (spare !== undefined) {
        const v = spare;
        spare = undefined;
        return v;
      }
      let u = 0;
      while (u === 0) u = rng.nextDouble();
      const v = rng.nextDouble();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    sign: () => (nextUint32() & 1 ? 1 : -1),
    fork: () => createRng(nextUint32() + nextUint32() / 4294967296),
  };
  return rng;
}
