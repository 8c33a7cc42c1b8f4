import {createHash} from 'node:crypto'

/**
 * `n` deterministic pseudo-random bytes named by `seed` (a sha256 chain): the
 * same seed gives the same bytes in every run, so a failure reproduces, and
 * the bytes do not compress.
 */
export function pseudoRandom(seed: string, n: number): Buffer {
  const out: Buffer[] = []
  let h: Buffer = Buffer.from(seed)
  let total = 0
  while (total < n) {
    h = createHash('sha256').update(h).digest()
    out.push(h)
    total += h.length
  }
  return Buffer.concat(out).subarray(0, n)
}
