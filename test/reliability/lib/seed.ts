/**
 * Seeds and scale knobs of the reliability suite. Everything random in the
 * suite derives from one base seed, so a failure is reproduced by running
 * again with the seed it prints.
 *
 *   STRATA_SEED=N | random   base seed (default: fixed, so `npm test` is deterministic)
 *   STRATA_CRASH_STATES      power-loss crash states checked (default 2400)
 *   STRATA_KILL_CYCLES       kill -9 cycles on the CLI (default 100)
 *   STRATA_FUZZ_INPUTS       decoder fuzz inputs (default 20000)
 *   STRATA_MODEL_RUNS        fast-check model-based runs (default 500)
 *   STRATA_IO_OPS            operations per I/O-error reference workload (default 1: the built-in size)
 *   STRATA_TORN_TAIL_BYTES   bytes of the WAL's tail cut at every offset (default 65536)
 */
import type {ExecutionContext} from 'ava'

const DEFAULT_SEED = 0x5eed_4a11

function parseSeed(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_SEED
  if (text === 'random') return (Math.random() * 0x1_0000_0000) >>> 0
  const n = Number(text)
  if (!Number.isSafeInteger(n)) throw new Error(`STRATA_SEED must be an integer or "random", got ${text}`)
  return n >>> 0
}

/** The suite's base seed. */
export const BASE_SEED = parseSeed(process.env.STRATA_SEED)

/** A positive integer from the environment, or `fallback`. */
export function envCount(name: string, fallback: number): number {
  const text = process.env[name]
  if (text === undefined || text === '') return fallback
  const n = Number(text)
  if (!(Number.isSafeInteger(n) && n > 0)) throw new Error(`${name} must be a positive integer, got ${text}`)
  return n
}

/** A seed for one named part of the suite, derived from the base seed. */
export function seedFor(name: string, index = 0): number {
  let h = (BASE_SEED ^ 0x811c9dc5) >>> 0
  for (const c of `${name}#${index}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0
  return h
}

/** How to reproduce: the line every failure message ends with. */
export function reproduce(extra = ''): string {
  return `reproduce with STRATA_SEED=${BASE_SEED}${extra ? ` (${extra})` : ''}`
}

/** Prints the seed on stderr if the test fails. */
export function printSeedOnFailure(t: ExecutionContext, extra?: () => string): void {
  t.teardown(() => {
    if (!t.passed) console.error(`\n[${t.title}] FAILED — ${reproduce(extra?.() ?? '')}\n`)
  })
}

/** A small deterministic PRNG with helpers. */
export class Rng {
  private a: number

  constructor(seed: number) {
    this.a = seed >>> 0
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0
    let t = this.a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1)
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]
  }

  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n)
    for (let i = 0; i < n; i++) b[i] = this.int(256)
    return b
  }

  /** A 32-bit seed for a child generator. */
  seed(): number {
    return (this.next() * 0x1_0000_0000) >>> 0
  }
}
