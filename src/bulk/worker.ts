/**
 * Worker thread of a parallel NDJSON import (see parallel.ts for the
 * main thread's side and the messages): reads the input file itself, or the
 * input bytes the main thread forwards, parses and validates lines, cuts
 * chunks with `chunksOf` and hands each back packed (pack.ts).
 *
 * It runs ahead of the store by up to OUTPUT_WINDOW_BYTES of handed-over
 * chunks not yet acknowledged (always at least one chunk), so it keeps
 * parsing while the main thread is busy flushing a memtable.
 */
import {createReadStream} from 'node:fs'
import {parentPort, workerData} from 'node:worker_threads'
import {BadLine, chunksOf, MAX_LINE_BYTES} from './chunks.js'
import {packOps} from './pack.js'
import type {FromWorker, ToWorker, WorkerOptions} from './parallel.js'
import {readLineBatches} from './ndjson-lines.js'

/**
 * Bytes of packed chunks handed to the main thread and not yet applied, at
 * most (beyond one chunk). 4 MiB is about 25 chunks of small records: enough
 * to keep parsing through a memtable flush, and all of it is resident.
 */
export const OUTPUT_WINDOW_BYTES = 4 * 1024 * 1024

const port = parentPort!
const options = workerData as WorkerOptions
const inputs: Buffer[] = []
let ended = false
/** Sizes of the chunks handed over and not yet acknowledged, oldest first, and their sum. */
const unacked: number[] = []
let unackedBytes = 0
let wake: (() => void) | undefined

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'input') inputs.push(Buffer.from(msg.bytes.buffer, msg.bytes.byteOffset, msg.bytes.byteLength))
  else if (msg.type === 'end') ended = true
  else if (msg.type === 'ack') unackedBytes -= unacked.shift() ?? 0
  wake?.()
})

function waitForMessage(): Promise<void> {
  return new Promise((resolve) => {
    wake = () => {
      wake = undefined
      resolve()
    }
  })
}

async function* input(): AsyncGenerator<Buffer> {
  for (;;) {
    const next = inputs.shift()
    if (next !== undefined) {
      port.postMessage({type: 'taken'} satisfies FromWorker)
      yield next
    } else if (ended) {
      return
    } else {
      await waitForMessage()
    }
  }
}

function post(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(msg, transfer)
}

async function run(): Promise<void> {
  const source = options.file === undefined ? input() : createReadStream(options.file)
  try {
    for await (const chunk of chunksOf(readLineBatches(source, MAX_LINE_BYTES), options)) {
      const {meta, data} = packOps(chunk.ops)
      post({type: 'chunk', meta, data, puts: chunk.puts, deletes: chunk.deletes, expired: chunk.expired, lines: chunk.lines},
        [meta.buffer as ArrayBuffer, data.buffer as ArrayBuffer])
      unacked.push(meta.byteLength + data.byteLength)
      unackedBytes += meta.byteLength + data.byteLength
      while (unackedBytes >= OUTPUT_WINDOW_BYTES) await waitForMessage()
    }
    post({type: 'done'})
  } catch (err) {
    if (err instanceof BadLine) {
      post({type: 'bad', code: err.error.code, message: err.error.message, ...(err.error.hint === undefined ? {} : {hint: err.error.hint}), first: err.first})
    } else {
      const {code, errno, syscall, path} = (err ?? {}) as NodeJS.ErrnoException
      post({type: 'error', message: (err as Error)?.message ?? String(err), stack: (err as Error)?.stack, sys: {code, errno, syscall, path}})
    }
  }
}

void run()
