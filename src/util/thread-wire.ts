/**
 * Generic pieces of a run split between the writer's thread and a worker
 * (shard-rebalance, migrate-schema): an error as it crosses threads, and the
 * inbox each side reads the other's messages from, in order.
 *
 * Structured cloning keeps no class: a StrataError crosses as its fields
 * and is made again on arrival, with the same code (so the same exit code);
 * anything else arrives as a plain Error naming the thread it came from.
 */
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
