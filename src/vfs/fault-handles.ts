/**
 * The open-file handles of FaultFileSystem (fault-fs.ts). Each handle call
 * goes through its filesystem's `handleCall`, which counts it, may fail it
 * with an injected fault, and fails every handle opened before a simulated
 * crash. A read handle keeps reading its node after the file is unlinked or
 * replaced, as on POSIX.
 */
import type {ReadableFile, WritableFile} from './fs.js'
import type {FileNode} from './fault-tree.js'
import {sysError, type FaultSpec, type FsCallKind} from './fault-spec.js'

/** What a handle calls back: FaultFileSystem.handleCall. */
export interface HandleOwner {
  handleCall(kind: FsCallKind, path: string, generation: number, onFail?: (f: FaultSpec) => void): void
}

export class MemReadable implements ReadableFile {
  private closed = false

  constructor(private readonly fs: HandleOwner, private readonly node: FileNode, private readonly path: string, private readonly generation: number) {}

  private check(kind: FsCallKind): void {
    if (this.closed) throw sysError('EBADF', kind, this.path)
    this.fs.handleCall(kind, this.path, this.generation)
  }

  read(buffer: Buffer, offset: number, length: number, position: number): number {
    this.check('read')
    if (!(Number.isSafeInteger(position) && position >= 0)) throw sysError('EINVAL', 'read', this.path)
    if (offset < 0 || length < 0 || offset + length > buffer.length) throw new RangeError(`read of ${length} bytes at ${offset} outside a ${buffer.length}-byte buffer`)
    const data = this.node.contents()
    if (position >= data.length) return 0
    const n = Math.min(length, data.length - position)
    data.copy(buffer, offset, position, position + n)
    return n
  }

  size(): number {
    this.check('readSize')
    return this.node.length
  }

  close(): void {
    if (this.closed) throw sysError('EBADF', 'close', this.path)
    this.closed = true
    this.fs.handleCall('readClose', this.path, this.generation)
  }
}

export class MemWritable implements WritableFile {
  private closed = false

  constructor(private readonly fs: HandleOwner, private readonly node: FileNode, private readonly path: string, private readonly generation: number) {}

  append(data: Uint8Array): void {
    if (this.closed) throw sysError('EBADF', 'write', this.path)
    this.fs.handleCall('append', this.path, this.generation, (f) => {
      const n = Math.floor((f.partialWrite ?? 0) * data.length)
      if (n > 0) this.node.append(data.subarray(0, n))
    })
    this.node.append(data)
  }

  sync(): void {
    if (this.closed) throw sysError('EBADF', 'fdatasync', this.path)
    this.fs.handleCall('sync', this.path, this.generation)
    this.node.sync()
  }

  /**
   * As the real one: the bytes appended before the call become durable (the
   * same injected faults and crash checks as `sync()`), and the promise
   * settles on a later turn of the event loop. Closing the handle before it
   * settles fails it with EBADF, as a descriptor closed under a pending
   * fdatasync does.
   */
  syncAsync(): Promise<void> {
    let failure: unknown
    try {
      this.sync()
    } catch (err) {
      failure = err
    }
    return new Promise((resolve, reject) => {
      setImmediate(() => {
        if (failure !== undefined) reject(failure)
        else if (this.closed) reject(sysError('EBADF', 'fdatasync', this.path))
        else resolve()
      })
    })
  }

  size(): number {
    return this.node.length
  }

  close(): void {
    if (this.closed) throw sysError('EBADF', 'close', this.path)
    this.closed = true
    this.fs.handleCall('writeClose', this.path, this.generation)
  }
}
