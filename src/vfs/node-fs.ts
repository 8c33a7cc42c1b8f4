import * as fs from 'node:fs'
import type {FileLock, FileSystem, ReadableFile, WritableFile} from './fs.js'
import {tryFlock} from './flock.js'

class NodeReadableFile implements ReadableFile {
  constructor(private readonly fd: number) {}

  read(buffer: Buffer, offset: number, length: number, position: number): number {
    let done = 0
    while (done < length) {
      const n = fs.readSync(this.fd, buffer, offset + done, length - done, position + done)
      if (n === 0) break
      done += n
    }
    return done
  }

  size(): number {
    return fs.fstatSync(this.fd).size
  }

  close(): void {
    fs.closeSync(this.fd)
  }
}

class NodeWritableFile implements WritableFile {
  private length: number

  constructor(private readonly fd: number, initialSize: number) {
    this.length = initialSize
  }

  append(data: Uint8Array): void {
    let done = 0
    while (done < data.length) {
      done += fs.writeSync(this.fd, data, done, data.length - done)
    }
    this.length += data.length
  }

  sync(): void {
    fs.fdatasyncSync(this.fd)
  }

  /** fdatasync on libuv's thread pool, so the event loop runs on meanwhile. */
  syncAsync(): Promise<void> {
    return new Promise((resolve, reject) => fs.fdatasync(this.fd, (err) => (err ? reject(err) : resolve())))
  }

  size(): number {
    return this.length
  }

  close(): void {
    fs.closeSync(this.fd)
  }
}

/** The real filesystem, through Node's synchronous fs calls. */
export class NodeFileSystem implements FileSystem {
  openRead(path: string): ReadableFile {
    return new NodeReadableFile(fs.openSync(path, 'r'))
  }

  create(path: string): WritableFile {
    return new NodeWritableFile(fs.openSync(path, 'wx'), 0)
  }

  openAppend(path: string, truncateTo?: number): WritableFile {
    const fd = fs.openSync(path, 'r+')
    try {
      if (truncateTo !== undefined) fs.ftruncateSync(fd, truncateTo)
      const size = fs.fstatSync(fd).size
      fs.closeSync(fd)
      return new NodeWritableFile(fs.openSync(path, 'a'), size)
    } catch (err) {
      try {
        fs.closeSync(fd)
      } catch {}
      throw err
    }
  }

  readFile(path: string): Buffer {
    return fs.readFileSync(path)
  }

  rename(from: string, to: string): void {
    fs.renameSync(from, to)
  }

  unlink(path: string): void {
    fs.unlinkSync(path)
  }

  mkdir(path: string): void {
    fs.mkdirSync(path, {recursive: true})
  }

  rmdir(path: string): void {
    fs.rmdirSync(path)
  }

  readdir(path: string): string[] {
    return fs.readdirSync(path)
  }

  exists(path: string): boolean {
    return fs.existsSync(path)
  }

  isDirectory(path: string): boolean {
    try {
      return fs.statSync(path).isDirectory()
    } catch {
      return false
    }
  }

  fileSize(path: string): number {
    return fs.statSync(path).size
  }

  link(existing: string, newPath: string): void {
    fs.linkSync(existing, newPath)
  }

  fileId(path: string): string {
    const st = fs.statSync(path, {bigint: true})
    return `${st.dev}:${st.ino}`
  }

  syncDir(path: string): void {
    const fd = fs.openSync(path, 'r')
    try {
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
  }

  tryLock(path: string): FileLock | undefined {
    return tryFlock(path)
  }
}

/** The process-wide default filesystem. */
export const nodeFileSystem: FileSystem = new NodeFileSystem()

/**
 * The process's soft limit on open descriptors (RLIMIT_NOFILE), read from
 * /proc/self/limits; undefined where that is not available (not Linux) or
 * unlimited. Process information, not store data, so it bypasses FileSystem.
 */
export function descriptorLimit(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(fs.readFileSync('/proc/self/limits', 'latin1'))
    return m ? Number(m[1]) : undefined
  } catch {
    return undefined
  }
}
