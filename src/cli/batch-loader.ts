/**
 * `put --batch`: applies NDJSON lines (see batch-line.ts) to a store in chunks.
 *
 * What is atomic: lines are grouped into chunks of `chunkRecords` records (or
 * fewer, once a chunk holds CHUNK_BYTES of keys and values). A chunk is fully
 * parsed and validated before any of it is written, then given to
 * `store.batch()`, which writes each shard's part of it as one WAL record: after
 * a crash a shard has all of its part of a chunk or none. Parts in different
 * shards are not atomic together. On a bad line the loader stops: the chunks
 * before it are applied (and durable once the store is closed), nothing from
 * the bad line's chunk or after it is written.
 *
 * Memory: lines are read incrementally; at most one chunk is held at a time.
 */
import type {Readable} from 'node:stream'
import type {BatchOp, Store} from '../engine.js'
import {MAX_KEY_BYTES, MAX_VALUE_BYTES, StrataError} from '../engine.js'
import {CliError} from './cli-error.js'
import {parseBatchLine} from './batch-line.js'
import type {Encoding} from './encoding.js'
import {readLineBatches} from './ndjson-lines.js'

type PutOp = Extract<BatchOp, {type: 'put'}>

/** A chunk is written once it holds this many bytes of keys and values, even if it has fewer records. */
export const CHUNK_BYTES = 64 * 1024 * 1024
/** Longest accepted input line (a 64 MiB value with every byte escaped as \u00XX, and a key likewise). */
export const MAX_LINE_BYTES = 6 * (MAX_VALUE_BYTES + MAX_KEY_BYTES) + 4096

/** What a batch load did. JSON shape of `put --batch` output (stable). */
export interface BatchResult {
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

/** Options for `loadBatch`. */
export interface BatchOptions {
  /** Records per chunk (1 or more). */
  readonly chunkRecords: number
  /** Default encodings for lines that name none. */
  readonly encodings: {readonly key: Encoding; readonly value: Encoding}
  /** Called after each chunk is applied. */
  readonly onChunk?: (result: BatchResult) => void
  readonly now?: () => number
}

/** Reads `input` and applies it to `store` chunk by chunk; see the file comment for what is atomic. */
export async function loadBatch(input: Readable | AsyncIterable<Buffer>, store: Pick<Store, 'batch'>, options: BatchOptions): Promise<BatchResult> {
  const now = options.now ?? Date.now
  let puts = 0
  let deletes = 0
  let expired = 0
  let lines = 0
  let chunks = 0
  let appliedLines = 0
  let ops: BatchOp[] = []
  let chunkBytes = 0
  let chunkFirstLine = 0
  let pending = {puts: 0, deletes: 0, expired: 0}

  const result = (): BatchResult => ({puts, deletes, expired, lines, chunks})
  const flush = async (): Promise<void> => {
    if (ops.length === 0) return
    await store.batch(ops)
    chunks++
    puts += pending.puts
    deletes += pending.deletes
    expired += pending.expired
    appliedLines = lines
    ops = []
    chunkBytes = 0
    pending = {puts: 0, deletes: 0, expired: 0}
    options.onChunk?.(result())
  }

  try {
    for await (const batch of readLineBatches(input, MAX_LINE_BYTES)) {
      for (const line of batch) {
        lines = line.number
        if (line.text.trim() === '') continue
        if (ops.length === 0) chunkFirstLine = line.number
        const parsed = parseBatchLine(line.text, line.number, options.encodings, now())
        if (parsed.kind === 'put') {
          const op: {-readonly [K in keyof PutOp]: PutOp[K]} = {type: 'put', key: parsed.key, value: parsed.value, json: parsed.json}
          if (parsed.ttlMs !== undefined) op.ttlMs = parsed.ttlMs
          if (parsed.expiresAt !== undefined) op.expiresAt = parsed.expiresAt
          ops.push(op)
          pending.puts++
          chunkBytes += parsed.key.length + parsed.value.length
        } else {
          ops.push({type: 'del', key: parsed.key})
          pending.deletes++
          if (parsed.expired) pending.expired++
          chunkBytes += parsed.key.length
        }
        if (ops.length >= options.chunkRecords || chunkBytes >= CHUNK_BYTES) await flush()
      }
    }
    await flush()
  } catch (err) {
    if (err instanceof StrataError) throw err
    if (err instanceof CliError) {
      const first = ops.length > 0 ? chunkFirstLine : appliedLines + 1
      const applied = chunks === 0
        ? 'nothing was written'
        : `lines 1-${appliedLines} were applied (${chunks} chunk${chunks === 1 ? '' : 's'}: ${puts} puts, ${deletes} deletes)`
      throw new CliError(err.code, err.message,
        `${applied}; nothing from line ${first} on was written. Fix the line and rerun from line ${first}`)
    }
    throw err
  }
  return result()
}
