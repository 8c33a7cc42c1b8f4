/**
 * Reading a cut through the engine: a read-only store whose `get`, `scan`,
 * `scanSync`, `explain` and `stats` see exactly the store at the cut, however
 * the live store has moved on since.
 *
 * Each shard is opened from the cut's pin folder (the same shard-NNNN layout
 * as the data directory) at the cut's manifest, not at a CURRENT, and its WAL
 * is replayed up to the cut's length only: the pinned WAL is a second name
 * for the writer's file, which keeps growing until the writer switches WALs,
 * so the bytes past that length are writes made after the cut.
 *
 * The view does not own the cut: close the view, then release the cut. A
 * view's reads after the cut's release fail (its files are gone).
 */
import {ErrorCode, StrataError} from '../errors.js'
import type {OpenOptions, Store} from '../api.js'
import {openViewAt} from '../store/open.js'
import type {StoreCut} from './cut.js'

/** Options of `openCut`: those of a read-only open that apply to a cut. */
export type CutViewOptions = Pick<OpenOptions, 'fs' | 'now' | 'cacheSizeBytes' | 'maxOpenFiles'>

/** Opens a read-only view of held cut `cut`; see the file comment. CLOSED if the cut was released. */
export function openCut(cut: StoreCut, options: CutViewOptions = {}): Store {
  checkHeld(cut)
  return openViewAt(cut.pinDir, cut.descriptor, cut.shards, options)
}

/** Throws CLOSED if `cut` was released: its files may be gone. */
export function checkHeld(cut: StoreCut): void {
  if (cut.released) throw new StrataError(ErrorCode.CLOSED, `the cut of ${cut.dir} was released: its files are no longer pinned`)
}

/** True if `x` is a cut (from takeCut or Store.cut), not a store or a path. */
export function isStoreCut(x: unknown): x is StoreCut {
  return typeof x === 'object' && x !== null && typeof (x as StoreCut).pinDir === 'string' && Array.isArray((x as StoreCut).shards) && typeof (x as StoreCut).release === 'function'
}
