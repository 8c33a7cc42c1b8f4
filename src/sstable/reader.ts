/**
 * Opens and reads one SSTable (layout in format.ts).
 *
 * `open` trusts nothing: it checks the footer and meta blocks (table-meta.ts).
 * Data blocks are read on demand, one read per block, each into its own
 * buffer, and checked (block-read.ts); iteration also checks that every key
 * lies inside its block's index range.
 *
 * Every decoding failure is a CORRUPTION StrataError naming the path and an
 * absolute byte offset; file-system failures are IO errors.
 */
import type {Entry} from '../record/format.js'
import {compareKeys} from '../util/bytes.js'
import {hashKey, type KeyHash} from '../util/hash.js'
import {corruption, ErrorCode, ioError, StrataError} from '../errors.js'
import type {FileSystem, ReadableFile} from '../vfs/fs.js'
import type {FileHolder, OpenFiles} from '../vfs/open-files.js'
import {Block} from './block.js'
import {chargeOf, type BlockCache, type TableBlocks} from './block-cache.js'
import {bloomMayContain} from './bloom.js'
import {readBlockAt} from './block-read.js'
import type {IndexEntry, TableIndex} from './index-block.js'
import {readTableMeta, type TableMeta} from './table-meta.js'
import {BLOCK_TRAILER_SIZE, BlockCompression, FOOTER_SIZE, type BlockHandle, type TableProperties} from './format.js'

export {MAX_INFLATED_BLOCK_BYTES} from './block-read.js'

/** Bounds for `TableReader.entries`. */
export interface TableRange {
  /** Inclusive lower bound. */
  readonly from?: Buffer
  /** Exclusive upper bound. */
  readonly to?: Buffer
  /** Yield in descending key order. */
  readonly reverse?: boolean
}

/** Where a table's descriptor comes from: the filesystem, and the budget of open descriptors if any. */
export interface TableFileSource {
  readonly fs: FileSystem
  /** Descriptor budget; without it the table keeps its descriptor until closed. */
  readonly files?: OpenFiles
}

/**
 * An open table; see the module comment.
 *
 * Lifetime: a table is reference counted. Its creator holds the first
 * reference; a version of the shard and every scan snapshot that includes the
 * table hold one each (`ref`/`unref`). The last `unref` closes the table and
 * runs what `retire` gave, which deletes a file a compaction made obsolete.
 * `close` closes at once, whatever the count.
 *
 * Descriptor: opened on first read, through the store's `OpenFiles` budget,
 * which may park it (close it, to reopen by path on next use) when other
 * files need the room. Parking is safe because a referenced table's file is
 * not deleted by this process; a read-only view cannot stop another process
 * from deleting it, and then a reopen fails with an IO error whose cause is
 * ENOENT (`isNotFound`), which the store answers by reading a fresh view.
 */
/** Visits one entry in place: the block's contents, where the entry starts, its key's bounds and where it ends; false stops the walk. */
export type EntryVisitor = (contents: Buffer, pos: number, keyStart: number, keyEnd: number, end: number) => boolean

export class TableReader implements FileHolder {
  private closed = false
  private file: ReadableFile | undefined
  private refs = 1
  private whenUnused: (() => void) | undefined
  private cached: TableBlocks | undefined
  private indexEntries: IndexEntry[] | undefined
  private meta: TableMeta | undefined

  private constructor(
    private readonly source: TableFileSource,
    readonly path: string,
    private size: number,
  ) {}

  /** The file's size in bytes. */
  get fileSize(): number {
    return this.size
  }

  /** The properties block. */
  get properties(): TableProperties {
    return (this.meta ??= this.loadMeta()).properties
  }

  /** The index block, searchable (see TableIndex for what is checked when). */
  get blocks(): TableIndex {
    return (this.meta ??= this.loadMeta()).blocks
  }

  /** The filter block's contents. */
  get filter(): Buffer {
    return (this.meta ??= this.loadMeta()).filter
  }

  /** The index as objects, built on first use (for tools; lookups use `blocks`). */
  get index(): readonly IndexEntry[] {
    this.indexEntries ??= this.checkedBlocks().entries()
    return this.indexEntries
  }

  /** References held (0 once closed by the last unref). */
  get refCount(): number {
    return this.refs
  }

  /**
   * Opens the table at `path` and checks its footer, meta blocks and index;
   * data blocks go through `cache` if given. `source` is a FileSystem, or one
   * with a descriptor budget.
   */
  static open(source: FileSystem | TableFileSource, path: string, cache?: BlockCache): TableReader {
    const src = 'fs' in source ? source : {fs: source}
    const t = TableReader.openLazily(src, path, cache)
    try {
      t.meta = t.loadMeta()
      t.meta.blocks.checkAll()
      return t
    } catch (err) {
      try {
        t.close()
      } catch {
        // Already failing; report the first error.
      }
      throw err
    }
  }

  /**
   * Opens the table's file and takes its size, but reads and checks the
   * footer, meta blocks and index only when first needed.
   */
  static openLazily(source: FileSystem | TableFileSource, path: string, cache?: BlockCache): TableReader {
    const src = 'fs' in source ? source : {fs: source}
    const t = new TableReader(src, path, 0)
    const file = t.acquire()
    try {
      t.size = file.size()
    } catch (err) {
      t.park()
      src.files?.closed(t)
      throw ioError('stat', path, err)
    }
    if (cache !== undefined && cache.capacity > 0) t.cached = cache.forTable()
    return t
  }

  /**
   * A table of `fileSize` bytes (the manifest's word, checked by the caller)
   * whose file is opened only when first read: a store opens just the
   * tables a command touches, and holds at most its budget of descriptors.
   */
  static deferred(source: TableFileSource, path: string, fileSize: number, cache?: BlockCache): TableReader {
    const t = new TableReader(source, path, fileSize)
    if (cache !== undefined && cache.capacity > 0) t.cached = cache.forTable()
    return t
  }

  /** Takes a reference; see the class comment. CLOSED if the table is already closed. */
  ref(): this {
    if (this.closed) throw new StrataError(ErrorCode.CLOSED, `${this.path}: table is closed`, {file: this.path})
    this.refs++
    return this
  }

  /**
   * Drops a reference; the last one closes the table and then runs what
   * `retire` gave. Errors of either are thrown (a close that fails leaves the
   * file in place; a writer's next open removes files no manifest names).
   */
  unref(): void {
    if (this.refs <= 0) return
    if (--this.refs > 0) return
    this.close()
    const then = this.whenUnused
    this.whenUnused = undefined
    then?.()
  }

  /** The table left the shard's live set: `remove` (deleting its file) runs once no reference is left. Drops the caller's reference. */
  retire(remove: () => void): void {
    this.whenUnused = remove
    this.unref()
  }

  /** FileHolder: closes the descriptor; the next read reopens it by path. */
  park(): boolean {
    const f = this.file
    if (f === undefined) return true
    this.file = undefined
    try {
      f.close()
    } catch {
      // A read descriptor's close loses nothing.
    }
    return true
  }

  /** The open descriptor, opening it (through the budget) if parked or not yet opened. */
  private fd(): ReadableFile {
    const f = this.file
    if (f !== undefined) {
      this.source.files?.touch(this)
      return f
    }
    return this.acquire()
  }

  private acquire(): ReadableFile {
    if (this.closed) throw new StrataError(ErrorCode.CLOSED, `${this.path}: table is closed`, {file: this.path})
    const {fs, files} = this.source
    const openFile = (): ReadableFile => fs.openRead(this.path)
    try {
      this.file = files === undefined ? openFile() : files.open(this, openFile)
    } catch (err) {
      throw ioError('open', this.path, err)
    }
    return this.file
  }

  private loadMeta(): TableMeta {
    return readTableMeta(this.fd(), this.path, this.fileSize)
  }

  /** False only if no key with hash `h` is in the table. */
  mayContain(h: KeyHash): boolean {
    return bloomMayContain(this.filter, h)
  }

  /** The entry (value or tombstone) stored for exactly `key`, if any. `h` is hashKey(key), if known. */
  get(key: Buffer, h: KeyHash = hashKey(key)): Entry | undefined {
    if (!this.mayContain(h)) return undefined
    const i = this.blocks.search(key)
    if (i >= this.blocks.length) return undefined
    const block = this.dataBlock(i, false)
    const e = block.get(key) as {-readonly [K in keyof Entry]: Entry[K]} | undefined
    // A pooled block's buffer is reused once it leaves the cache: return
    // copies (in the entry itself, which `Block.get` decoded just for this call).
    if (e !== undefined && block.pooled) {
      e.key = copyOf(e.key)
      e.value = copyOf(e.value)
    }
    return e
  }

  /** The index, every rule of it checked (once): what an iteration relies on. */
  private checkedBlocks(): TableIndex {
    const b = this.blocks
    b.checkAll()
    return b
  }

  /** Entries with from <= key < to, ascending (descending if `reverse`), reading one block at a time. */
  *entries(range: TableRange = {}): Generator<Entry> {
    const {from, to} = range
    if (from !== undefined && to !== undefined && Buffer.compare(from, to) >= 0) return
    this.checkedBlocks()
    if (!range.reverse) {
      const n = this.blocks.length
      const first = from === undefined ? 0 : this.blocks.search(from)
      for (let i = first; i < n; i++) {
        let head = true
        for (const e of this.dataBlock(i, true).ascending(i === first ? from : undefined)) {
          if (to !== undefined && compareKeys(e.key, to) >= 0) return
          this.checkInBlock(i, e.key, true, head)
          head = false
          yield e
        }
      }
    } else {
      const last = this.blocks.length - 1
      const first = to === undefined ? last : Math.min(this.blocks.search(to), last)
      for (let i = first; i >= 0; i--) {
        let head = true
        for (const e of this.dataBlock(i, true).descending(i === first ? to : undefined)) {
          if (from !== undefined && compareKeys(e.key, from) < 0) return
          this.checkInBlock(i, e.key, head, true)
          head = false
          yield e
        }
      }
    }
  }

  /**
   * Every entry of the table in ascending key order, as bytes: `visit` gets
   * the block's contents, where the entry starts, its key's bounds and where
   * it ends (the layout of record/codec.ts), and returns false to stop (walk
   * then returns false). Checked as `entries()` checks an iteration (every
   * block's checksum, the index, the restart intervals, each key inside the
   * range its index entry gives, keys strictly increasing), except the
   * entries' fields beyond their lengths: see Block.walk, for callers that
   * compare each entry with an encoding known to be valid. The contents are
   * the block's own buffer, not reused once the walk has passed it.
   */
  walk(visit: EntryVisitor): boolean {
    const n = this.dataBlockCount()
    for (let i = 0; i < n; i++) if (!this.walkBlock(i, visit)) return false
    return true
  }

  /** The number of data blocks, the index checked first (as an iteration checks it). */
  dataBlockCount(): number {
    return this.checkedBlocks().length
  }

  /**
   * Data block `i`'s entries as `walk` visits them, with its checks for that
   * block (its first and last keys inside the range its index entry gives).
   * REQUIRES: dataBlockCount() was called (the index is checked), i below it.
   */
  walkBlock(i: number, visit: EntryVisitor): boolean {
    const block = this.dataBlock(i, true)
    const b = block.contents
    let firstStart = -1
    let lastStart = 0
    let lastEnd = 0
    const whole = block.walk((pos, keyStart, keyEnd, end) => {
      if (firstStart < 0) {
        firstStart = keyStart
        this.checkInBlock(i, b.subarray(keyStart, keyEnd), false, true)
      }
      lastStart = keyStart
      lastEnd = keyEnd
      return visit(b, pos, keyStart, keyEnd, end)
    })
    if (!whole) return false
    // Keys ascend inside the block: its last key inside the range bounds them all.
    if (firstStart >= 0) this.checkInBlock(i, b.subarray(lastStart, lastEnd), true, false)
    return true
  }

  /**
   * Reads a block's contents and trailer in one read, checks the crc and
   * inflates a zlib block.
   * REQUIRES: `handle` names a block of this table (INVALID_ARGUMENT if it
   * does not lie before the footer).
   */
  readBlock(handle: BlockHandle): {contents: Buffer; compression: BlockCompression} {
    return readBlockAt(this.fd(), this.path, this.fileSize - FOOTER_SIZE, handle)
  }

  /** Releases the file and cached blocks now, whatever references remain. Idempotent. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.cached?.clear()
    this.source.files?.closed(this)
    const f = this.file
    this.file = undefined
    try {
      f?.close()
    } catch (err) {
      throw ioError('close', this.path, err)
    }
  }

  /**
   * Block i, from the cache or read and checked. `views`: the caller hands
   * out views into the block (an iteration), so its buffer must never be
   * recycled; point lookups copy what they return and pass false.
   */
  private dataBlock(i: number, views: boolean): Block {
    const offset = this.blocks.blockOffset(i)
    const tb = this.cached
    const hit = tb?.get(offset)
    if (hit !== undefined) {
      if (views) hit.pooled = false
      return hit
    }
    const size = this.blocks.blockSize(i)
    // Blocks larger than the pool's sizes get plain buffers, which giveBack ignores.
    const pool = !views ? tb?.cache : undefined
    const {contents, compression} = readBlockAt(this.fd(), this.path, this.fileSize - FOOTER_SIZE, {offset, size}, pool)
    const block = new Block(contents, this.path, offset, compression !== BlockCompression.NONE)
    let charge = contents.length + 64
    if (pool !== undefined && compression === BlockCompression.NONE) {
      block.pooled = true
      charge = chargeOf(size + BLOCK_TRAILER_SIZE) + 64
    }
    tb?.set(offset, block, charge)
    return block
  }

  /**
   * Checks that `key` lies in block i's index range (previous last key, last
   * key]. A block's keys strictly increase (Block checks that), so after the
   * first key an iteration visits only the far bound needs checking: the
   * upper one going up, the lower one going down.
   */
  private checkInBlock(i: number, key: Buffer, upper: boolean, lower: boolean): void {
    if ((upper && this.blocks.compareLastKey(key, i) > 0) || (lower && i > 0 && this.blocks.compareLastKey(key, i - 1) <= 0)) {
      throw corruption(this.path, this.blocks.blockOffset(i), 'data block key outside the range its index entry gives')
    }
  }
}

/** A copy of `b` in a buffer of its own (not a view of the block it came from). */
function copyOf(b: Buffer): Buffer {
  const c = Buffer.allocUnsafe(b.length)
  b.copy(c, 0, 0, b.length)
  return c
}
