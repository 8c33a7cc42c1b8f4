/**
 * Key ranges [from, to): the one rule every range-taking operation (scan,
 * compact, and the commands over them) applies to its bounds. A range whose
 * `from` is not below its `to` holds no key; asking for one is a mistake
 * (swapped bounds, most often), so it is refused as INVALID_ARGUMENT rather
 * than answered with "nothing matched" by one operation and an error by
 * another.
 */

/** Why [from, to) is not a usable range, or undefined. Bounds are compared bytewise; either may be absent. */
export function rangeProblem(from: Uint8Array | undefined, to: Uint8Array | undefined): string | undefined {
  if (from === undefined || to === undefined || Buffer.compare(from, to) < 0) return undefined
  return 'the range is empty: from must be below to (from is included, to is not)'
}
