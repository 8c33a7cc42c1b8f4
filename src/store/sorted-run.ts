/**
 * Runs: a memtable's records, encoded (record/codec.ts) in a buffer of their
 * own, as a background flush hands them to the worker (Memtable.unsortedRun,
 * the newest version of each key in no order) and as the worker's table
 * builder reads them (sortRun: the same records in key order).
 *
 * Sorting by key without making a string or an object per record: keys are
 * ordered by most-significant-digit radix passes over the bytes, five at a
 * time (four in a group of more than 2^19 records). Each record gets one
 * 64-bit word
 *
 *     [ b0+1 : 9 | b1+1 : 9 | b2+1 : 9 | b3+1 : 9 | b4+1 : 9 | record : 19 ]
 *
 * where b0..b4 are its key's next bytes (0 in place of b+1 once the key has
 * ended, so a key sorts before every longer key it begins) and `record` its
 * place in the group, and the words are sorted as numbers
 * (BigUint64Array#sort, native: 35k words sort about 20× faster than 35k
 * latin1 strings sharing a 10-byte prefix). Records whose bytes tie are
 * sorted again from the next ones, after skipping the bytes the whole group
 * shares; groups of a few records are sorted by comparing their keys. Keys
 * are unique in a run, so every tied key goes on past the bytes it tied on,
 * and each pass moves deeper into them.
 */
import {Kind, type Entry} from '../record/format.js'
import {trustedEntryAt, trustedLayoutAt, type EntryLayout} from '../record/codec.js'
import {compareRanges} from '../util/bytes.js'

/**
 * A memtable's records, encoded in `bytes`, one per key: `starts` says where
 * each begins, in no particular order (Memtable.unsortedRun) or in key order
 * (sortRun).
 */
export interface Run {
  readonly bytes: Uint8Array
  /** Offsets in `bytes` (doubles: a run of 2 GiB or more must not wrap). */
  readonly starts: Float64Array
}

/** A group this small is sorted by comparing keys (insertion sort). */
const SMALL_GROUP = 16
/** Records one radix pass can number (the word's low 28 bits, with four bytes of key above); a larger group is sorted by comparing keys. */
const MAX_PACKED = 1 << 28
/** Groups up to this size are numbered in 19 bits, leaving room for five bytes of key. */
const FIVE_BYTE_GROUP = 1 << 19
/** Which 32-bit half of a 64-bit word holds its high bits. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0
const LO = 1 - HI

/**
 * `run` in key order: the same bytes, and where each record starts, in the
 * order of their keys. The records are not copied into that order: the
 * table builder reads each one once, and a copy read them once more and
 * wrote a fresh buffer of the run's size (measured at about 0.6 µs a record
 * in a flush worker, more than the sort).
 * REQUIRES: one record per key, as Memtable.unsortedRun gives them.
 */
export function sortRun(run: Run): Run {
  const {bytes: b, starts} = run
  const n = starts.length
  const keyStart = new Float64Array(n)
  const keyEnd = new Float64Array(n)
  const layout: EntryLayout = {kind: Kind.PUT, flags: 0, seq: 0, keyStart: 0, keyEnd: 0, valueLength: 0, end: 0}
  for (let i = 0; i < n; i++) {
    trustedLayoutAt(b, starts[i], layout)
    keyStart[i] = layout.keyStart
    keyEnd[i] = layout.keyEnd
  }
  const order = new Int32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  sortByKey({b, keyStart, keyEnd}, order)
  const sorted = new Float64Array(n)
  for (let j = 0; j < n; j++) sorted[j] = starts[order[j]]
  return {bytes: b, starts: sorted}
}

/** Entry `i` of `run`; key and value view its bytes. */
export function runEntry(run: Run, i: number): Entry {
  return trustedEntryAt(runBuffer(run), run.starts[i])
}

/** The entries of `run`, in order; keys and values view its bytes. */
export function* runEntries(run: Run): Generator<Entry> {
  const buf = runBuffer(run)
  for (let i = 0; i < run.starts.length; i++) yield trustedEntryAt(buf, run.starts[i])
}

function runBuffer(run: Run): Buffer {
  return Buffer.from(run.bytes.buffer, run.bytes.byteOffset, run.bytes.byteLength)
}

/** Record i's key is b[keyStart[i], keyEnd[i]). */
interface Keys {
  readonly b: Uint8Array
  readonly keyStart: Float64Array
  readonly keyEnd: Float64Array
}

/**
 * Sorts `order` by key: a radix pass over the whole, then over each group
 * that tied, deeper each time. The groups still to sort wait on a stack of
 * their own (from, to, depth), not on the call stack: keys built to tie again
 * and again (each a prefix of the next) make thousands of passes.
 */
function sortByKey(keys: Keys, order: Int32Array): void {
  const pending: number[] = [0, order.length, 0]
  while (pending.length > 0) {
    const depth = pending.pop()!
    const to = pending.pop()!
    const from = pending.pop()!
    sortGroup(keys, order, from, to, depth, pending)
  }
}

/**
 * Sorts order[from, to) by key, knowing that those keys share their first
 * `depth` bytes, except the groups of keys that tie on the bytes this pass
 * looked at: those it pushes on `pending` as (from, to, depth).
 */
function sortGroup(keys: Keys, order: Int32Array, from: number, to: number, depth: number, pending: number[]): void {
  const n = to - from
  if (n < 2) return
  const {b, keyStart, keyEnd} = keys
  if (n <= SMALL_GROUP) {
    // Insertion sort in place: a radix pass leaves thousands of such groups, and a sort call with a comparator per group cost more than the pass.
    for (let k = from + 1; k < to; k++) {
      const x = order[k]
      const xs = keyStart[x] + depth
      const xe = keyEnd[x]
      let j = k - 1
      while (j >= from && compareRanges(b, keyStart[order[j]] + depth, keyEnd[order[j]], b, xs, xe) > 0) {
        order[j + 1] = order[j]
        j--
      }
      order[j + 1] = x
    }
    return
  }
  if (n > MAX_PACKED) {
    order.subarray(from, to).sort((x, y) => compareRanges(b, keyStart[x] + depth, keyEnd[x], b, keyStart[y] + depth, keyEnd[y]))
    return
  }
  const d = depth + sharedBytes(keys, order, from, to, depth)
  // Five bytes (45 bits) when the record number fits the other 19, else four (36 and 28).
  const m = n <= FIVE_BYTE_GROUP ? 5 : 4
  const numberBits = 64 - 9 * m
  const lowBits = 9 * m - 32
  const lowScale = 2 ** lowBits
  const numberScale = 2 ** numberBits
  const words = new BigUint64Array(n)
  const w = new Uint32Array(words.buffer)
  for (let k = 0; k < n; k++) {
    const i = order[from + k]
    const s = keyStart[i] + d
    const e = keyEnd[i]
    let packed = 0
    for (let j = 0; j < m; j++) packed = packed * 512 + (s + j < e ? b[s + j] + 1 : 0)
    const low = packed % lowScale
    w[2 * k + HI] = (packed - low) / lowScale
    w[2 * k + LO] = low * numberScale + k
  }
  words.sort()
  const members = order.slice(from, to)
  const numberMask = numberScale - 1
  for (let k = 0; k < n; k++) order[from + k] = members[w[2 * k + LO] & numberMask]
  // Runs of words equal above the record number: keys equal in those m bytes.
  for (let k = 0; k < n; ) {
    const hi = w[2 * k + HI]
    const top = w[2 * k + LO] >>> numberBits
    let end = k + 1
    while (end < n && w[2 * end + HI] === hi && w[2 * end + LO] >>> numberBits === top) end++
    if (end - k > 1) pending.push(from + k, from + end, d + m)
    k = end
  }
}

/** How many bytes past `depth` every key of order[from, to) shares with the first one. */
function sharedBytes({b, keyStart, keyEnd}: Keys, order: Int32Array, from: number, to: number, depth: number): number {
  // Bounded by the shortest key first, so no comparison runs past it: keys that
  // each begin the next would otherwise compare their long common part on every pass.
  let shared = Infinity
  for (let k = from; k < to; k++) shared = Math.min(shared, keyEnd[order[k]] - keyStart[order[k]] - depth)
  const a = keyStart[order[from]] + depth
  for (let k = from + 1; k < to && shared > 0; k++) {
    const i = order[k]
    const c = keyStart[i] + depth
    const m = Math.min(shared, keyEnd[i] - c)
    let j = 0
    while (j < m && b[a + j] === b[c + j]) j++
    shared = j
  }
  return Math.max(0, shared)
}
