/**
 * Allocation-free byte comparisons for the read path: keys are compared in
 * place inside block buffers instead of being sliced out first.
 */

/**
 * Compares a[a0, a1) with b[b0, b1) in bytewise lexicographic order (a
 * proper prefix sorts first). Negative, zero or positive like Buffer.compare.
 * REQUIRES: the ranges lie inside their buffers.
 */
export function compareRanges(a: Uint8Array, a0: number, a1: number, b: Uint8Array, b0: number, b1: number): number {
  const la = a1 - a0
  const lb = b1 - b0
  const n = la < lb ? la : lb
  for (let i = 0; i < n; i++) {
    const d = a[a0 + i] - b[b0 + i]
    if (d !== 0) return d
  }
  return la - lb
}

/** Compares `key` with buf[start, end); see compareRanges. */
export function compareToRange(key: Uint8Array, buf: Uint8Array, start: number, end: number): number {
  return compareRanges(key, 0, key.length, buf, start, end)
}

/** compareRanges over whole buffers. */
export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  return compareRanges(a, 0, a.length, b, 0, b.length)
}

/**
 * Four bytes of buf[start, end) from its start, as a big-endian unsigned
 * integer, zero-padded when shorter. Over ranges that agree before `start`,
 * prefixes order like the ranges wherever they differ: prefix(a) < prefix(b)
 * implies a < b. Equal prefixes decide nothing.
 */
export function prefix32(buf: Uint8Array, start: number, end: number): number {
  const len = end - start
  if (len >= 4) return ((buf[start] << 24) | (buf[start + 1] << 16) | (buf[start + 2] << 8) | buf[start + 3]) >>> 0
  let p = 0
  for (let i = 0; i < 4; i++) p = (p << 8) | (i < len ? buf[start + i] : 0)
  return p >>> 0
}
