/**
 * An object store that fails on purpose, for tests: it wraps another and,
 * as its plan says, fails a chosen call with IO, stops working altogether
 * from a chosen call on (a destination that goes away mid-upload, or a
 * "kill point": nothing after it reaches the store), or runs a hook before
 * a call (to pause a restore while retention runs). The engine's fault-fs
 * does the same for files.
 *
 * A put that fails here writes nothing, like an interrupted upload: the
 * wrapped store's put is atomic, so a torn object is never visible.
 */
import {ErrorCode, StrataError} from '../errors.js'
import type {ObjectInfo, ObjectStore, PutOptions} from './object-store.js'

export type ObjectOp = 'put' | 'get' | 'getRange' | 'head' | 'delete' | 'list'

export interface FaultPlan {
  /** Fail the n-th call (1-based, counted over every op in `ops`) with IO, once. */
  failAt?: number
  /** From the n-th call on (1-based), fail every call: the store is gone until `recover()`. */
  downFrom?: number
  /** Which calls count for failAt and downFrom. Default: every op. */
  ops?: readonly ObjectOp[]
  /** Runs before each call (after counting); may await to pause the caller. */
  before?: (op: ObjectOp, key: string, n: number) => void | Promise<void>
}

export class FaultStore implements ObjectStore {
  readonly url: string
  /** Calls counted so far (those in plan.ops). */
  calls = 0
  /** Calls that failed on purpose. */
  failures = 0
  private down = false

  constructor(private readonly inner: ObjectStore, private plan: FaultPlan = {}) {
    this.url = inner.url
  }

  /** Replaces the plan and brings the store back up; the call count goes on. */
  recover(plan: FaultPlan = {}): void {
    this.plan = plan
    this.down = false
  }

  private async enter(op: ObjectOp, key: string): Promise<void> {
    const counted = this.plan.ops === undefined || this.plan.ops.includes(op)
    if (counted) this.calls++
    const n = this.calls
    if (counted && this.plan.downFrom !== undefined && n >= this.plan.downFrom) this.down = true
    if (this.down || (counted && this.plan.failAt === n)) {
      this.failures++
      throw new StrataError(ErrorCode.IO, `${op} ${key} on ${this.url}: injected failure (call ${n})`)
    }
    await this.plan.before?.(op, key, n)
  }

  async put(key: string, body: Uint8Array, options?: PutOptions): Promise<'written' | 'exists'> {
    await this.enter('put', key)
    return this.inner.put(key, body, options)
  }

  async get(key: string): Promise<Uint8Array> {
    await this.enter('get', key)
    return this.inner.get(key)
  }

  async getRange(key: string, start: number, end: number): Promise<Uint8Array> {
    await this.enter('getRange', key)
    return this.inner.getRange(key, start, end)
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    await this.enter('head', key)
    return this.inner.head(key)
  }

  async delete(key: string): Promise<void> {
    await this.enter('delete', key)
    return this.inner.delete(key)
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    await this.enter('list', prefix)
    yield* this.inner.list(prefix)
  }

  async close(): Promise<void> {
    return this.inner.close()
  }
}
