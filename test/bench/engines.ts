/**
 * One adapter per engine, each using the engine's own fastest documented idiom
 * for the operation (batch arrays, getSync where it exists, nextv for
 * classic-level iteration). Workloads are written once against `BenchEngine`.
 *
 * Configuration is each engine's default (what a user gets): strata's
 * createStore defaults unless --shards/--compression say otherwise, LevelDB
 * and RocksDB with their binding defaults (snappy, 8 MiB block cache, 4 MiB
 * write buffer), lmdb with its defaults (see lmdb-engine.ts). Writes are
 * unsynced unless `durable` is asked for.
 */
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {createStore, open, type Store} from '../../src/index.js'
import {LmdbEngine} from './lmdb-engine.js'

/** The engines measured. */
export const ENGINES = ['strata', 'leveldb', 'rocksdb', 'lmdb'] as const
export type EngineName = (typeof ENGINES)[number]

/** The peers strata is compared with, in table order. */
export const PEERS = ['leveldb', 'rocksdb', 'lmdb'] as const
export type PeerName = (typeof PEERS)[number]

/** Human names for tables. */
export const ENGINE_LABEL: Record<EngineName, string> = {strata: 'strata', leveldb: 'LevelDB', rocksdb: 'RocksDB', lmdb: 'lmdb'}

/** A put as every engine's batch call accepts it. */
export interface PutOp {
  readonly type: 'put'
  readonly key: Buffer
  readonly value: Buffer
}

/** Options for `open`. */
export interface EngineOpenOptions {
  /** Sync each write before it resolves (strata 'always', peers {sync: true}). */
  readonly durable?: boolean
}

/** strata-only configuration, passed from the runner. */
export interface StrataConfig {
  readonly shards?: number
  readonly compression?: 'zlib' | 'none'
}

/** The operations the workloads need. */
export interface BenchEngine {
  readonly name: EngineName
  /** A synchronous point read exists (strata getSync, classic-level getSync). */
  readonly hasGetSync: boolean
  /** A synchronous iterator exists (strata scanSync). */
  readonly hasScanSync: boolean
  /** Creates an empty store in `dir` (absent or empty). Not timed. */
  create(dir: string): Promise<void>
  open(dir: string, options?: EngineOpenOptions): Promise<void>
  batch(ops: PutOp[]): Promise<void>
  put(key: Buffer, value: Buffer): Promise<void>
  get(key: Buffer): Promise<Uint8Array | undefined>
  getSync(key: Buffer): Uint8Array | undefined
  /** Visits every live entry in key order; returns the count. */
  scan(visit: (key: Uint8Array, value: Uint8Array) => void): Promise<number>
  scanSync(visit: (key: Uint8Array, value: Uint8Array) => void): number
  close(): Promise<void>
}

const require = createRequire(import.meta.url)

class StrataEngine implements BenchEngine {
  readonly name = 'strata' as const
  readonly hasGetSync = true
  readonly hasScanSync = true
  private store?: Store
  constructor(private readonly config: StrataConfig) {}

  async create(dir: string): Promise<void> {
    await createStore(dir, {
      ...(this.config.shards !== undefined ? {shards: this.config.shards} : {}),
      ...(this.config.compression !== undefined ? {compression: this.config.compression} : {}),
    })
  }

  async open(dir: string, options: EngineOpenOptions = {}): Promise<void> {
    this.store = await open(dir, {sync: options.durable ? 'always' : 'none'})
  }

  private get s(): Store {
    if (!this.store) throw new Error('strata: not open')
    return this.store
  }

  batch(ops: PutOp[]): Promise<void> {
    return this.s.batch(ops)
  }

  put(key: Buffer, value: Buffer): Promise<void> {
    return this.s.put(key, value)
  }

  async get(key: Buffer): Promise<Uint8Array | undefined> {
    return (await this.s.get(key))?.value
  }

  getSync(key: Buffer): Uint8Array | undefined {
    return this.s.getSync(key)?.value
  }

  async scan(visit: (key: Uint8Array, value: Uint8Array) => void): Promise<number> {
    let n = 0
    for await (const kv of this.s.scan()) {
      visit(kv.key, kv.value)
      n++
    }
    return n
  }

  scanSync(visit: (key: Uint8Array, value: Uint8Array) => void): number {
    let n = 0
    for (const kv of this.s.scanSync()) {
      visit(kv.key, kv.value)
      n++
    }
    return n
  }

  async close(): Promise<void> {
    await this.store?.close()
    this.store = undefined
  }
}

/** The part of classic-level 3 used here (its own types are CommonJS-only). */
interface ClassicLevelDb {
  open(): Promise<void>
  close(): Promise<void>
  batch(ops: PutOp[], options?: {sync?: boolean}): Promise<void>
  put(key: Buffer, value: Buffer, options?: {sync?: boolean}): Promise<void>
  get(key: Buffer): Promise<Buffer | undefined>
  getSync(key: Buffer): Buffer | undefined
  iterator(): {nextv(size: number): Promise<Array<[Buffer, Buffer]>>; close(): Promise<void>}
}

class LevelDbEngine implements BenchEngine {
  readonly name = 'leveldb' as const
  readonly hasGetSync = true
  readonly hasScanSync = false
  private db?: ClassicLevelDb
  private durable = false
  /** Loaded when the adapter is made, so open() timings do not include module loading. */
  private readonly ClassicLevel = (require('classic-level') as {ClassicLevel: new (dir: string, opts: object) => ClassicLevelDb}).ClassicLevel

  private make(dir: string): ClassicLevelDb {
    return new this.ClassicLevel(dir, {keyEncoding: 'buffer', valueEncoding: 'buffer'})
  }

  async create(dir: string): Promise<void> {
    const db = this.make(dir)
    await db.open()
    await db.close()
  }

  async open(dir: string, options: EngineOpenOptions = {}): Promise<void> {
    this.durable = options.durable === true
    this.db = this.make(dir)
    await this.db.open()
  }

  private get d(): ClassicLevelDb {
    if (!this.db) throw new Error('leveldb: not open')
    return this.db
  }

  batch(ops: PutOp[]): Promise<void> {
    return this.durable ? this.d.batch(ops, {sync: true}) : this.d.batch(ops)
  }

  put(key: Buffer, value: Buffer): Promise<void> {
    return this.durable ? this.d.put(key, value, {sync: true}) : this.d.put(key, value)
  }

  get(key: Buffer): Promise<Uint8Array | undefined> {
    return this.d.get(key)
  }

  getSync(key: Buffer): Uint8Array | undefined {
    return this.d.getSync(key)
  }

  async scan(visit: (key: Uint8Array, value: Uint8Array) => void): Promise<number> {
    const it = this.d.iterator()
    let n = 0
    try {
      for (;;) {
        const entries = await it.nextv(1000)
        if (entries.length === 0) break
        for (const [k, v] of entries) visit(k, v)
        n += entries.length
      }
    } finally {
      await it.close()
    }
    return n
  }

  scanSync(): number {
    throw new Error('LevelDB (classic-level) has no synchronous iterator')
  }

  async close(): Promise<void> {
    await this.db?.close()
    this.db = undefined
  }
}

type Callback<T = void> = (err: Error | null | undefined, result?: T) => void

/** The part of rocksdb 5 (abstract-leveldown 7, callback API) used here. */
interface RocksDbDown {
  open(options: object, cb: Callback): void
  close(cb: Callback): void
  batch(ops: PutOp[], options: {sync?: boolean}, cb: Callback): void
  put(key: Buffer, value: Buffer, options: {sync?: boolean}, cb: Callback): void
  get(key: Buffer, options: {asBuffer: boolean; fillCache?: boolean}, cb: Callback<Buffer>): void
  iterator(options: object): {next(cb: (err: Error | null | undefined, key?: Buffer, value?: Buffer) => void): void; end(cb: Callback): void}
}

function call<T = void>(fn: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result as T))))
}

function isNotFound(err: unknown): boolean {
  return err instanceof Error && ((err as {notFound?: boolean}).notFound === true || /NotFound/i.test(err.message))
}

class RocksDbEngine implements BenchEngine {
  readonly name = 'rocksdb' as const
  readonly hasGetSync = false
  readonly hasScanSync = false
  private db?: RocksDbDown
  private sync = false
  /** Loaded when the adapter is made, so open() timings do not include module loading. */
  private readonly rocksdb = require('rocksdb') as (dir: string) => RocksDbDown

  private make(dir: string): RocksDbDown {
    return this.rocksdb(dir)
  }

  async create(dir: string): Promise<void> {
    const db = this.make(dir)
    await call((cb) => db.open({createIfMissing: true}, cb))
    await call((cb) => db.close(cb))
  }

  async open(dir: string, options: EngineOpenOptions = {}): Promise<void> {
    this.sync = options.durable === true
    const db = this.make(dir)
    await call((cb) => db.open({createIfMissing: true}, cb))
    this.db = db
  }

  private get d(): RocksDbDown {
    if (!this.db) throw new Error('rocksdb: not open')
    return this.db
  }

  batch(ops: PutOp[]): Promise<void> {
    return call((cb) => this.d.batch(ops, {sync: this.sync}, cb))
  }

  put(key: Buffer, value: Buffer): Promise<void> {
    return call((cb) => this.d.put(key, value, {sync: this.sync}, cb))
  }

  get(key: Buffer): Promise<Uint8Array | undefined> {
    return new Promise((resolve, reject) =>
      this.d.get(key, {asBuffer: true}, (err, value) => {
        if (err) return isNotFound(err) ? resolve(undefined) : reject(err)
        resolve(value)
      }),
    )
  }

  getSync(): Uint8Array | undefined {
    throw new Error('RocksDB (rocksdb 5) has no synchronous get')
  }

  async scan(visit: (key: Uint8Array, value: Uint8Array) => void): Promise<number> {
    const it = this.d.iterator({keyAsBuffer: true, valueAsBuffer: true})
    let n = 0
    await new Promise<void>((resolve, reject) => {
      const step = (): void =>
        it.next((err, key, value) => {
          if (err) return reject(err)
          if (key === undefined || value === undefined) return resolve()
          visit(key, value)
          n++
          step()
        })
      step()
    })
    await call((cb) => it.end(cb))
    return n
  }

  scanSync(): number {
    throw new Error('RocksDB (rocksdb 5) has no synchronous iterator')
  }

  async close(): Promise<void> {
    const db = this.db
    this.db = undefined
    if (db) await call((cb) => db.close(cb))
  }
}

/** The adapter for `name`. */
export function engineFor(name: EngineName, strata: StrataConfig = {}): BenchEngine {
  switch (name) {
    case 'strata':
      return new StrataEngine(strata)
    case 'leveldb':
      return new LevelDbEngine()
    case 'rocksdb':
      return new RocksDbEngine()
    case 'lmdb':
      return new LmdbEngine()
  }
}

/** Installed versions of the peers, for the results file. */
export function peerVersions(): Record<string, string> {
  // lmdb's "exports" does not list ./package.json, so the file is found by
  // walking up from the package's entry point instead of required by name.
  const version = (pkg: string): string => {
    let dir: string
    try {
      dir = dirname(require.resolve(pkg))
    } catch {
      return 'not installed'
    }
    for (; dir !== dirname(dir); dir = dirname(dir)) {
      try {
        const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {name?: string; version?: string}
        if (json.name === pkg && json.version !== undefined) return json.version
      } catch {
        // no package.json at this level
      }
    }
    return 'unknown'
  }
  return {'classic-level': version('classic-level'), rocksdb: version('rocksdb'), lmdb: version('lmdb')}
}
