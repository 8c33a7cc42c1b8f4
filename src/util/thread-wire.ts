/**
 * Generic pieces of a run split between the writer's thread and a worker
 * (shard-rebalance, migrate-schema): an error as it crosses threads, the
 * inbox each side reads the other's messages from, in order, and the
 * writer's side of the link to the worker.
 *
 * Structured cloning keeps no class: a StrataError crosses as its fields
 * and is made again on arrival, with the same code (so the same exit code);
 * anything else arrives as a plain Error naming the thread it came from.
 */
import type {Worker} from 'node:worker_threads'
import {StrataError, type ErrorCode} from '../errors.js'

/** An error as it crosses threads. */
export interface PackedError {
  readonly code?: ErrorCode
  readonly message: string
  readonly file?: string
  readonly offset?: number
  readonly hint?: string
}

export function describeError(err: unknown): PackedError {
  if (err instanceof StrataError) return {code: err.code, message: err.message, file: err.file, offset: err.offset, hint: err.hint}
  return {message: err instanceof Error ? err.message : String(err)}
}

/** The error the other thread described: the same StrataError, or a plain Error prefixed with `thread` for anything else. */
export function reviveError(e: PackedError, thread: string): Error {
  return e.code === undefined ? new Error(`${thread}: ${e.message}`) : new StrataError(e.code, e.message, {file: e.file, offset: e.offset, hint: e.hint})
}

/** Messages in arrival order, taken one at a time; once failed, every take rejects. */
export class Inbox<T> {
  private readonly queue: T[] = []
  private waiter: {resolve: (m: T) => void; reject: (e: unknown) => void} | undefined
  private failure: {error: unknown} | undefined

  push(m: T): void {
    if (this.waiter === undefined) this.queue.push(m)
    else {
      const w = this.waiter
      this.waiter = undefined
      w.resolve(m)
    }
  }

  /** Fails the inbox (the first failure is kept). */
  fail(error: unknown): void {
    this.failure ??= {error}
    const w = this.waiter
    this.waiter = undefined
    w?.reject(this.failure.error)
  }

  take(): Promise<T> {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift()!)
    if (this.failure !== undefined) return Promise.reject(this.failure.error)
    return new Promise((resolve, reject) => {
      this.waiter = {resolve, reject}
    })
  }

  /** The next message already arrived, or undefined; throws the failure once every message before it is taken. */
  poll(): T | undefined {
    if (this.queue.length > 0) return this.queue.shift()!
    if (this.failure !== undefined) throw this.failure.error
    return undefined
  }
}

/** What a worker's side of a link may answer with: any message, or the failure that ends the run. */
export type WorkerAnswer = {readonly type: string} | {readonly type: 'failed'; readonly error: PackedError}

/**
 * The writer's side of a worker thread: its messages in an inbox, which
 * fails with the worker's error (revived), its crash, or its exit before the
 * run is done; `close` stops it wherever it is.
 */
export class WorkerLink<ToWorker, FromWorker extends WorkerAnswer> {
  readonly inbox = new Inbox<Exclude<FromWorker, {type: 'failed'}>>()
  private closed = false

  /** `thread` names the worker in errors ("the rebalance's other thread"); `prefix` starts the message of a plain Error it sends. */
  constructor(
    private readonly worker: Worker,
    private readonly thread: string,
    prefix: string,
  ) {
    worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'failed' && 'error' in msg) this.inbox.fail(reviveError(msg.error, prefix))
      else this.inbox.push(msg as Exclude<FromWorker, {type: 'failed'}>)
    })
    worker.on('error', (err) => this.inbox.fail(err))
    worker.on('exit', (code) => this.inbox.fail(new Error(`${thread} exited (code ${code}) before it was done`)))
  }

  send(msg: ToWorker): void {
    this.worker.postMessage(msg)
  }

  /** The next message, which must be of `type`. */
  async expect<K extends Exclude<FromWorker, {type: 'failed'}>['type']>(type: K): Promise<Extract<FromWorker, {type: K}>> {
    const msg = await this.inbox.take()
    if (msg.type !== type) throw this.unexpected(msg)
    return msg as unknown as Extract<FromWorker, {type: K}>
  }

  unexpected(msg: {readonly type: string}): Error {
    return new Error(`${this.thread} sent ${msg.type} out of turn`)
  }

  /** Stops the worker wherever it is. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.worker.removeAllListeners('exit')
    await this.worker.terminate()
  }
}
