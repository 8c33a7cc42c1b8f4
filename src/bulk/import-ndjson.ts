/**
 * `importNdjson`: applies NDJSON lines (grammar: ndjson-line.ts) to a store in
 * chunks. `strata put --batch` is this function with the CLI's words around
 * its errors.
 *
 * What is atomic: lines are grouped into chunks of `chunkRecords` records (or
 * fewer, once a chunk holds CHUNK_BYTES of keys and values). A chunk is fully
 * parsed and validated before any of it is written, then given to
 * `store.batch()`, which writes each shard's part of it as one WAL record: after
 * a crash a shard has all of its part of a chunk or none. Parts in different
 * shards are not atomic together. On a bad line, or a failed write (a full
 * disk), the import stops: the chunks before are applied (and durable once
 * the store is closed), and the ImportError says so: lines 1..appliedLines
 * applied, resume from line resumeFromLine.
 *
 * Memory: lines are read incrementally; at most one chunk is held at a time,
 * or, with `parallel`, the one being applied plus up to 4 MiB of chunks
 * parsed ahead by the worker thread (OUTPUT_WINDOW_BYTES, at least one chunk).
 *
 * Parallel: with `parallel`, a worker thread (parallel.ts) reads and parses
 * the lines while this thread applies the chunks before them. Chunks are cut
 * by the same code either way, so results, errors and what is written are the
 * same; only the work is spread over two cores.
 */
import {createReadStream} from 'node:fs'
import type {Store} from '../api.js'
import {invalidArgument} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {open} from '../store/open.js'
import type {Encoding} from '../codec/encoding.js'
import {BadLine, chunksOf, MAX_LINE_BYTES, type Chunk, type ChunkOptions} from './chunks.js'
import {importFailure} from './import-error.js'
import type {ParallelInput} from './parallel.js'
import {readLineBatches} from './ndjson-lines.js'

export {CHUNK_BYTES, MAX_LINE_BYTES} from './chunks.js'

/** What an import did. Also the JSON shape of `put --batch` output (stable). */
export interface ImportResult {
  /** Put operations written. */
  readonly puts: number
  /** Delete operations written (including expired records). */
  readonly deletes: number
  /** Records whose expiresAt had passed, written as deletes. */
  readonly expired: number
  /** Input lines read (blank lines included). */
  readonly lines: number
  /** Chunks given to store.batch(). */
  readonly chunks: number
}

/** Options for `importNdjson`. */
export interface ImportOptions {
  /** Records per chunk (1 or more). Default 1000. */
  readonly chunkRecords?: number
  /** Default encodings for lines that name none. Default utf8 for both. */
  readonly encodings?: {readonly key: Encoding; readonly value: Encoding}
  /** Called after each chunk is applied. */
  readonly onChunk?: (result: ImportResult) => void
  readonly now?: () => number
  /** Parse in a worker thread (see the file comment). Not with `now`, which a worker cannot call. */
  readonly parallel?: boolean
  /** With a directory: the file system to open it on. */
  readonly fs?: FileSystem
  /** With a directory: how long to wait for the writer lock (see OpenOptions). */
  readonly lockTimeoutMs?: number
}

/** Records per chunk when the options name none. */
export const DEFAULT_CHUNK_RECORDS = 1000

/**
 * parallel.ts, loaded only when an import uses it: every CLI command imports
 * this module, and worker_threads alone costs about 1.7 ms of start-up.
 */
async function* parallelSource(input: ParallelInput, options: Omit<ChunkOptions, 'now'>): AsyncGenerator<Chunk> {
  const {parallelChunks} = await import('./parallel.js')
  yield* parallelChunks(input, options)
}

/**
 * Reads `input` (a stream, or `{file}`: a file to read, by the worker thread
 * when `parallel`) and applies it to `target` chunk by chunk; see the file
 * comment for what is atomic. `target` is an open store (left open; what is
 * applied is durable once it is closed) or a data directory, opened as the
 * writer with sync 'none' and closed (which syncs every shard) before this
 * returns or throws. Throws ImportError when it stops part-way.
 */
export async function importNdjson(target: string | Pick<Store, 'batch'>, input: ParallelInput, options: ImportOptions = {}): Promise<ImportResult> {
  if (typeof target !== 'string') return applyChunks(target, input, options)
  const store = await open(target, {sync: 'none', ...(options.fs ? {fs: options.fs} : {}), ...(options.lockTimeoutMs === undefined ? {} : {lockTimeoutMs: options.lockTimeoutMs})})
  let result: ImportResult
  try {
    result = await applyChunks(store, input, options)
  } catch (err) {
    // Close even so: it makes the applied chunks durable, as the error says
    // they are. If the close fails they may not be, and its error is thrown instead.
    await store.close()
    throw err
  }
  await store.close()
  return result
}

async function applyChunks(store: Pick<Store, 'batch'>, input: ParallelInput, options: ImportOptions): Promise<ImportResult> {
  if (options.parallel === true && options.now !== undefined) throw new TypeError('importNdjson: parallel cannot be combined with now')
  if (options.chunkRecords !== undefined && !(Number.isSafeInteger(options.chunkRecords) && options.chunkRecords >= 1)) {
    throw invalidArgument(`chunkRecords must be a whole number of at least 1, got ${options.chunkRecords}`)
  }
  const chunkOptions: ChunkOptions = {
    chunkRecords: options.chunkRecords ?? DEFAULT_CHUNK_RECORDS,
    encodings: options.encodings ?? {key: 'utf8', value: 'utf8'},
    ...(options.now === undefined ? {} : {now: options.now}),
  }
  let puts = 0
  let deletes = 0
  let expired = 0
  let lines = 0
  let chunks = 0
  let appliedLines = 0

  const result = (): ImportResult => ({puts, deletes, expired, lines, chunks})
  const source = options.parallel === true
    ? parallelSource(input, {chunkRecords: chunkOptions.chunkRecords, encodings: chunkOptions.encodings})
    : chunksOf(readLineBatches('file' in input ? createReadStream(input.file) : input, MAX_LINE_BYTES), chunkOptions)
  try {
    for await (const chunk of source) {
      lines = chunk.lines
      if (chunk.ops.length === 0) continue
      await store.batch(chunk.ops)
      chunks++
      puts += chunk.puts
      deletes += chunk.deletes
      expired += chunk.expired
      appliedLines = lines
      options.onChunk?.(result())
    }
  } catch (err) {
    // Chunks are applied in input order, so what is applied is always lines
    // 1..appliedLines; the import resumes at the stopped chunk's first line.
    const bad = err instanceof BadLine ? err : undefined
    throw importFailure(bad?.error ?? err, bad !== undefined, appliedLines, bad?.first ?? appliedLines + 1, result())
  }
  return result()
}


