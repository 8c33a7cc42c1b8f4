/**
 * The lmdb (lmdb-js 3, LMDB 0.9 in a memory map) adapter of the benchmark.
 *
 * Configuration is lmdb's default apart from the encodings (raw bytes for
 * keys and values, as every engine here stores them) and syncing. lmdb's
 * default (`overlappingSync` on Linux) flushes every commit to disk on its
 * own thread, after resolving the write: unlike the other engines' unsynced
 * writes, each commit still costs a flush. So unsynced workloads open it with
 * `noSync` (a write is in the page cache when it resolves, as with the
 * others), and durable writes with `overlappingSync: false`, lmdb's
 * documented setting under which a put resolves only once its transaction is
 * flushed to the physical medium: the honest equivalent of LevelDB's
 * `{sync: true}` and strata's sync 'always'.
 *
 * Idioms: a batch is lmdb's `batch()` (one asynchronous transaction), a sync
 * read is `getBinary` (a copy out of the map), an async read is `getAsync`
 * (the read done off the main thread), a scan is `getRange()`, which is
 * synchronous, so this adapter offers scanSync as well.
 *
 * lmdb is loaded when an adapter is made, so only the bench worker that
 * measures it loads it, and open() timings never include module loading.
 */
import {createRequire} from 'node:module'
import type {BenchEngine, EngineOpenOptions, PutOp} from './engines.js'

/** The part of lmdb 3 used here (binary keys and values). */
interface LmdbDb {
  batch(action: () => void): Promise<boolean>
  put(key: Buffer, value: Buffer): Promise<boolean>
  getBinary(key: Buffer): Buffer | undefined
  getAsync(key: Buffer): Promise<Uint8Array | undefined>
  getRange(options: object): Iterable<{key: Buffer; value: Buffer}>
  close(): Promise<void>
}

interface LmdbOpenOptions {
  readonly path: string
  readonly keyEncoding: 'binary'
  readonly encoding: 'binary'
  readonly overlappingSync?: boolean
  readonly noSync?: boolean
}

const require = createRequire(import.meta.url)

/** lmdb as a BenchEngine. */
export class LmdbEngine implements BenchEngine {
  readonly name = 'lmdb' as const
  readonly hasGetSync = true
  readonly hasScanSync = true
  private db?: LmdbDb
  private readonly openLmdb = (require('lmdb') as {open(options: LmdbOpenOptions): LmdbDb}).open

  private make(dir: string, durable: boolean): LmdbDb {
    return this.openLmdb({path: dir, keyEncoding: 'binary', encoding: 'binary', ...(durable ? {overlappingSync: false} : {noSync: true})})
  }

  async create(dir: string): Promise<void> {
    await this.make(dir, false).close()
  }

  async open(dir: string, options: EngineOpenOptions = {}): Promise<void> {
    this.db = this.make(dir, options.durable === true)
  }

  private get d(): LmdbDb {
    if (!this.db) throw new Error('lmdb: not open')
    return this.db
  }

  async batch(ops: PutOp[]): Promise<void> {
    const d = this.d
    await d.batch(() => {
      for (const op of ops) void d.put(op.key, op.value)
    })
  }

  async put(key: Buffer, value: Buffer): Promise<void> {
    await this.d.put(key, value)
  }

  get(key: Buffer): Promise<Uint8Array | undefined> {
    return this.d.getAsync(key)
  }

  getSync(key: Buffer): Uint8Array | undefined {
    return this.d.getBinary(key)
  }

  async scan(visit: (key: Uint8Array, value: Uint8Array) => void): Promise<number> {
    return this.scanSync(visit)
  }

  scanSync(visit: (key: Uint8Array, value: Uint8Array) => void): number {
    let n = 0
    for (const {key, value} of this.d.getRange({})) {
      visit(key, value)
      n++
    }
    return n
  }

  async close(): Promise<void> {
    const db = this.db
    this.db = undefined
    if (db) await db.close()
  }
}
