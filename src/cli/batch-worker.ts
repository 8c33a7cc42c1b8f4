/**
 * Worker thread of a parallel `put --batch` (see batch-parallel.ts for the
 * main thread's side and the messages): reads the input bytes the main thread
 * forwards, parses and validates lines, cuts chunks with `chunksOf` and hands
 * each back packed (batch-pack.ts). At most OUTPUT_WINDOW chunks are handed
 * over and not yet acknowledged; it waits for acknowledgements beyond that.
 */
import {parentPort, workerData} from 'node:worker_threads'
import {BadLine, chunksOf, MAX_LINE_BYTES, type ChunkOptions} from './batch-chunks.js'
import {packOps} from './batch-pack.js'
import type {FromWorker, ToWorker} from './batch-parallel.js'
import {readLineBatches} from './ndjson-lines.js'

/** Chunks handed to the main thread and not yet applied, at most. */
export const OUTPUT_WINDOW = 2

const port = parentPort!
const options = workerData as ChunkOptions
const inputs: Buffer[] = []
let ended = false
let acked = 0
let wake: (() => void) | undefined

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'input') inputs.push(Buffer.from(msg.bytes.buffer, msg.bytes.byteOffset, msg.bytes.byteLength))
  else if (msg.type === 'end') ended = true
  else if (msg.type === 'ack') acked++
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
  let sent = 0
  try {
    for await (const chunk of chunksOf(readLineBatches(input(), MAX_LINE_BYTES), options)) {
      const {meta, data} = packOps(chunk.ops)
      post({type: 'chunk', meta, data, puts: chunk.puts, deletes: chunk.deletes, expired: chunk.expired, lines: chunk.lines},
        [meta.buffer as ArrayBuffer, data.buffer as ArrayBuffer])
      sent++
      while (sent - acked >= OUTPUT_WINDOW) await waitForMessage()
    }
    post({type: 'done'})
  } catch (err) {
    if (err instanceof BadLine) {
      post({type: 'bad', code: err.error.code, message: err.error.message, ...(err.error.hint === undefined ? {} : {hint: err.error.hint}), first: err.first})
    } else {
      post({type: 'error', message: (err as Error).message ?? String(err), stack: (err as Error).stack})
    }
  }
}

void run()
