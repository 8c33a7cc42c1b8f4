/**
 * Groups parsed NDJSON lines into the chunks import-ndjson.ts applies:
 * a chunk ends once it holds `chunkRecords` records or CHUNK_BYTES of keys and
 * values, and at the end of the input. The same code cuts chunks whether the
 * lines are parsed on the main thread or in worker.ts, so a load is cut
 * the same way either way.
 */
import type {BatchOp} from '../engine.js'
import {MAX_KEY_BYTES, MAX_VALUE_BYTES} from '../engine.js'
import {ErrorCode, StrataError} from '../errors.js'
import type {Encoding} from '../codec/encoding.js'
import {parseBatchLine} from './ndjson-line.js'
import type {Line} from './ndjson-lines.js'

/** A chunk is written once it holds this many bytes of keys and values, even if it has fewer records. */
export const CHUNK_BYTES = 64 * 1024 * 1024
/** Longest accepted input line (a 64 MiB value with every byte escaped as \u00XX, and a key likewise). */
export const MAX_LINE_BYTES = 6 * (MAX_VALUE_BYTES + MAX_KEY_BYTES) + 4096

type PutOp = Extract<BatchOp, {type: 'put'}>

/** One chunk, ready for `store.batch()`; or, with no ops, the end of the input. */
export interface Chunk {
  readonly ops: BatchOp[]
  readonly puts: number
  readonly deletes: number
  /** Of the deletes, records whose expiresAt had passed. */
  readonly expired: number
  /** Input lines read when the chunk was cut (blank lines included). */
  readonly lines: number
}

/**
 * A bad line: `error` says what is wrong with it, `first` is the first line
 * whose records are not in any chunk yielded before (its chunk's first line).
 */
export class BadLine extends Error {
  constructor(readonly error: StrataError, readonly first: number) {
    super(error.message)
  }
}

/** How to parse and cut chunks. */
export interface ChunkOptions {
  /** Records per chunk (1 or more). */
  readonly chunkRecords: number
  /** Default encodings for lines that name none. */
  readonly encodings: {readonly key: Encoding; readonly value: Encoding}
  readonly now?: () => number
}

/**
 * Parses `lines` and yields full chunks, then a last chunk (possibly with no
 * ops) at the end of the input. An INVALID_ARGUMENT from a line or from reading
 * lines is thrown as BadLine, after every chunk before the bad line's.
 */
export async function* chunksOf(lines: AsyncIterable<readonly Line[]>, options: ChunkOptions): AsyncGenerator<Chunk> {
  const now = options.now ?? Date.now
  let read = 0
  let cutAt = 0
  let ops: BatchOp[] = []
  let puts = 0
  let deletes = 0
  let expired = 0
  let bytes = 0
  let firstLine = 0
  const cut = (): Chunk => {
    const chunk = {ops, puts, deletes, expired, lines: read}
    cutAt = read
    ops = []
    puts = deletes = expired = bytes = 0
    return chunk
  }
  try {
    for await (const batch of lines) {
      for (const line of batch) {
        read = line.number
        if (line.text.trim() === '') continue
        if (ops.length === 0) firstLine = line.number
        const parsed = parseBatchLine(line.text, line.number, options.encodings, now())
        if (parsed.kind === 'put') {
          const op: {-readonly [K in keyof PutOp]: PutOp[K]} = {type: 'put', key: parsed.key, value: parsed.value, json: parsed.json}
          if (parsed.ttlMs !== undefined) op.ttlMs = parsed.ttlMs
          if (parsed.expiresAt !== undefined) op.expiresAt = parsed.expiresAt
          if (parsed.schema !== undefined) op.schema = parsed.schema
          ops.push(op)
          puts++
          bytes += parsed.key.length + parsed.value.length
        } else {
          ops.push({type: 'del', key: parsed.key})
          deletes++
          if (parsed.expired) expired++
          bytes += parsed.key.length
        }
        if (ops.length >= options.chunkRecords || bytes >= CHUNK_BYTES) yield cut()
      }
    }
  } catch (err) {
    if (err instanceof StrataError && err.code === ErrorCode.INVALID_ARGUMENT) throw new BadLine(err, ops.length > 0 ? firstLine : cutAt + 1)
    throw err
  }
  yield cut()
}
