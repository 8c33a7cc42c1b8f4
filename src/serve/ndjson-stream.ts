/**
 * NDJSON responses, written as they are produced with backpressure: a slow
 * reader makes the scan wait instead of the server buffering the whole
 * range. A client that disconnects ends the stream (the scan stops and its
 * snapshot is released).
 */
import type {ServerResponse} from 'node:http'
import {stringifyJson} from '../codec/json-raw.js'

/** Writes one NDJSON response. */
export class NdjsonStream {
  private closed = false

  constructor(private readonly res: ServerResponse, status = 200) {
    res.writeHead(status, {'content-type': 'application/x-ndjson; charset=utf-8'})
    res.once('close', () => {
      this.closed = true
    })
  }

  /** False once the client has gone: stop producing. */
  get open(): boolean {
    return !this.closed && !this.res.destroyed
  }

  /** Writes `doc` as one line; waits while the socket's buffer is full. */
  async line(doc: unknown): Promise<void> {
    if (!this.open) return
    if (this.res.write(stringifyJson(doc) + '\n')) return
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.res.off('drain', done).off('close', done)
        resolve()
      }
      this.res.on('drain', done).on('close', done)
    })
  }

  /** Ends the response. */
  end(): void {
    if (this.open) this.res.end()
  }
}
