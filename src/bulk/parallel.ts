/**
 * An NDJSON import with parsing on a second core: worker.ts reads the input
 * file (or the input the main thread forwards) and sends back the same chunks
 * `chunksOf` would cut on the main thread, while the main thread applies the
 * chunks before them to the store.
 *
 * Messages, main → worker: `input` (bytes of the input, in order, when it is
 * not a file; at most INPUT_WINDOW not yet taken), `end`, `ack` (a chunk was
 * applied).
 * Worker → main: `taken` (an input message was consumed), `chunk` (packed
 * ops), then `done`; or `bad` (a bad line: its error and the first line not
 * in any chunk sent) or `error` (anything else) instead of further chunks.
 */
import type {Readable} from 'node:stream'
import {Worker} from 'node:worker_threads'
import {ErrorCode, StrataError} from '../errors.js'
import {BadLine, type Chunk, type ChunkOptions} from './chunks.js'
import {unpackOps} from './pack.js'

/** Input messages forwarded to the worker and not yet taken, at most. */
const INPUT_WINDOW = 4
/**
 * The parser thread's young generation, in MiB. Its garbage is short-lived
 * line strings and parsed records: V8's default (up to 48 MiB per thread)
 * only adds resident memory to a load that is already bounded by the
 * output window, while scavenges of a small young space stay cheap.
 */
const WORKER_YOUNG_GENERATION_MB = 8

/** @internal */
export type ToWorker = {type: 'input'; bytes: Uint8Array} | {type: 'end'} | {type: 'ack'}

/** @internal */
export type FromWorker =
  | {type: 'taken'}
  | {type: 'chunk'; meta: Float64Array; data: Uint8Array; puts: number; deletes: number; expired: number; lines: number}
  | {type: 'done'}
  | {type: 'bad'; code: ErrorCode; message: string; hint?: string; first: number}
  | {type: 'error'; message: string; stack?: string; sys?: SystemErrorFields}

/** @internal What identifies a system error (an I/O failure reading the input), so it is reported as one. */
export interface SystemErrorFields {
  readonly code?: unknown
  readonly errno?: unknown
  readonly syscall?: unknown
  readonly path?: unknown
}

type Event = Exclude<FromWorker, {type: 'taken'}> | {type: 'failed'; error: unknown}

/** @internal What the worker is started with. */
export interface WorkerOptions extends ChunkOptions {
  /** Read this file; else the input arrives in `input` messages. */
  readonly file?: string
}

/** Input of a parallel load: a file the worker reads itself, or a stream forwarded to it. */
export type ParallelInput = {readonly file: string} | Readable | AsyncIterable<Buffer | string>

/**
 * Yields the chunks of `input` as `chunksOf(readLineBatches(input))` would,
 * parsed in a worker thread; throws BadLine likewise. Options must not carry
 * `now` (a worker cannot call it).
 */
export async function* parallelChunks(input: ParallelInput, options: Omit<ChunkOptions, 'now'>): AsyncGenerator<Chunk> {
  const file = 'file' in input ? input.file : undefined
  const worker = new Worker(new URL('./worker.js', import.meta.url), {
    resourceLimits: {maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB},
    workerData: {chunkRecords: options.chunkRecords, encodings: options.encodings, ...(file === undefined ? {} : {file})} satisfies WorkerOptions,
  })
  const events: Event[] = []
  let wakeConsumer: (() => void) | undefined
  let wakePump: (() => void) | undefined
  let credits = INPUT_WINDOW
  let stopped = false
  const push = (e: Event): void => {
    events.push(e)
    wakeConsumer?.()
  }
  worker.on('message', (msg: FromWorker) => {
    if (msg.type === 'taken') {
      credits++
      wakePump?.()
    } else {
      push(msg)
    }
  })
  worker.on('error', (error) => push({type: 'failed', error}))
  worker.on('exit', (code) => {
    if (!stopped) push({type: 'failed', error: new Error(`the NDJSON parser thread exited (code ${code})`)})
  })

  const pump = async (): Promise<void> => {
    if (file !== undefined) return
    try {
      for await (const chunk of input as AsyncIterable<Buffer | string>) {
        while (credits === 0 && !stopped) await new Promise<void>((resolve) => (wakePump = resolve))
        wakePump = undefined
        if (stopped) return
        credits--
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
        worker.postMessage({type: 'input', bytes} satisfies ToWorker)
      }
      if (!stopped) worker.postMessage({type: 'end'} satisfies ToWorker)
    } catch (error) {
      push({type: 'failed', error})
    }
  }
  const next = async (): Promise<Event> => {
    while (events.length === 0) await new Promise<void>((resolve) => (wakeConsumer = resolve))
    wakeConsumer = undefined
    return events.shift()!
  }

  let pumped = false
  const pumping = pump().finally(() => (pumped = true))
  try {
    for (;;) {
      const e = await next()
      if (e.type === 'chunk') {
        yield {ops: unpackOps(e), puts: e.puts, deletes: e.deletes, expired: e.expired, lines: e.lines}
        worker.postMessage({type: 'ack'} satisfies ToWorker)
      } else if (e.type === 'done') {
        return
      } else if (e.type === 'bad') {
        throw new BadLine(new StrataError(e.code, e.message, e.hint === undefined ? {} : {hint: e.hint}), e.first)
      } else if (e.type === 'error') {
        throw Object.assign(new Error(e.message), e.sys ?? {}, e.stack === undefined ? {} : {stack: e.stack})
      } else {
        throw e.error
      }
    }
  } finally {
    stopped = true
    wakePump?.()
    // Stopped early (a bad line, a failed write): stop reading, as leaving a for-await loop over the input would.
    if (!pumped && file === undefined) (input as Partial<Readable>).destroy?.()
    await worker.terminate()
    await pumping
  }
}
