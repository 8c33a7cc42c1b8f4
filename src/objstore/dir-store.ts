/**
 * An object store in a directory: each key is a file below the root, `/` in
 * a key being a subdirectory. Every byte goes through the FileSystem
 * interface (src/vfs), so the engine's fault injection reaches it too.
 *
 * put writes the whole body to a temporary file in ROOT/.partial/, syncs it,
 * then moves it into place and syncs the parent directory: a reader sees no
 * object or the whole one, and a put killed midway leaves only a temporary
 * file (named by the writer's pid), which is never listed and is removed by
 * a later process's first put once that pid no longer runs.
 * `ifAbsent` moves by hard link, which fails when the name exists (an
 * exclusive create); on a filesystem without hard links it checks and
 * renames, which is exclusive only between callers of one process.
 * Ranges are read with positioned reads (pread), never the whole file.
 */
import * as path from 'node:path'
import {randomBytes} from 'node:crypto'
import {ErrorCode, StrataError, invalidArgument, ioError, isNotFound} from '../errors.js'
import type {FileSystem} from '../vfs/fs.js'
import {nodeFileSystem} from '../vfs/node-fs.js'
import {makeDirDurable, writeSynced} from '../vfs/durable.js'
import {processRuns} from '../util/process-runs.js'
import {readRange} from '../vfs/read-range.js'
import type {ObjectInfo, ObjectStore, PutOptions} from './object-store.js'

/** The folder of unfinished puts, below the root; never a key. */
const PARTIAL_DIR = '.partial'

/** Throws INVALID_ARGUMENT unless `key` is a clean relative name. */
export function checkKey(key: string): void {
  const parts = key.split('/')
  if (key === '' || parts.some((p) => p === '' || p === '.' || p === '..' || p.startsWith('.partial')) || key.includes('\\') || key.includes('\0')) {
    throw invalidArgument(`bad object key ${JSON.stringify(key)}`)
  }
}

export class DirStore implements ObjectStore {
  readonly url: string
  private partialsCleared = false

  constructor(private readonly root: string, private readonly fs: FileSystem = nodeFileSystem, url = root) {
    this.url = url
  }

  /** Makes ROOT (and its missing parents) exist, durably. */
  ensureRoot(): void {
    if (this.fs.exists(this.root)) {
      if (!this.fs.isDirectory(this.root)) throw invalidArgument(`${this.root} exists and is not a directory`, 'give a directory, or a new path')
      return
    }
    this.mkdirs(this.root)
  }

  private file(key: string): string {
    checkKey(key)
    return path.join(this.root, ...key.split('/'))
  }

  /** mkdir -p, syncing the parent of every directory it creates. */
  private mkdirs(dir: string): void {
    makeDirDurable(this.fs, dir)
  }

  async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<'written' | 'exists'> {
    const target = this.file(key)
    const partial = path.join(this.root, PARTIAL_DIR)
    try {
      this.ensureRoot()
      this.mkdirs(partial)
      if (!this.partialsCleared) this.clearPartials(partial)
      const tmp = path.join(partial, `${process.pid}-${randomBytes(8).toString('hex')}`)
      writeSynced(this.fs, tmp, body)
      this.mkdirs(path.dirname(target))
      let result: 'written' | 'exists' = 'written'
      if (options.ifAbsent === true) {
        result = this.linkExclusive(tmp, target)
        this.fs.unlink(tmp)
      } else {
        this.fs.rename(tmp, target)
      }
      if (result === 'written') this.fs.syncDir(path.dirname(target))
      return result
    } catch (err) {
      throw err instanceof StrataError ? err : ioError('put', target, err)
    }
  }

  /** Gives `tmp` the name `target` only if that name is free. */
  private linkExclusive(tmp: string, target: string): 'written' | 'exists' {
    if (this.fs.link === undefined) {
      if (this.fs.exists(target)) return 'exists'
      writeSynced(this.fs, target, this.fs.readFile(tmp))
      return 'written'
    }
    try {
      this.fs.link(tmp, target)
      return 'written'
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return 'exists'
      throw err
    }
  }

  /**
   * Removes temporary files of puts that were killed (once per store object):
   * those of processes that no longer run. Another live process's files are
   * its puts in flight. (A directory shared by several hosts over a network
   * filesystem would need a time rule instead; pids are per host.)
   */
  private clearPartials(partial: string): void {
    this.partialsCleared = true
    for (const name of this.fs.readdir(partial)) {
      const pid = Number(/^(\d+)-/.exec(name)?.[1])
      if (Number.isSafeInteger(pid) && processRuns(pid)) continue
      try {
        this.fs.unlink(path.join(partial, name))
      } catch (err) {
        if (!isNotFound(err)) throw err
      }
    }
  }

  async get(key: string): Promise<Uint8Array> {
    const f = this.file(key)
    try {
      return this.fs.readFile(f)
    } catch (err) {
      throw this.readError(key, f, err)
    }
  }

  async getRange(key: string, start: number, end: number): Promise<Uint8Array> {
    const f = this.file(key)
    if (!(start >= 0 && end >= start)) throw invalidArgument(`bad range [${start}, ${end}) of ${key}`)
    try {
      return readRange(this.fs, f, start, end)
    } catch (err) {
      throw this.readError(key, f, err)
    }
  }

  private readError(key: string, file: string, err: unknown): StrataError {
    if (isNotFound(err)) return new StrataError(ErrorCode.NOT_FOUND, `object ${key} is missing from ${this.url}`, {file})
    return ioError('read', file, err)
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const f = this.file(key)
    try {
      if (!this.fs.exists(f) || this.fs.isDirectory(f)) return undefined
      return {key, size: this.fs.fileSize(f)}
    } catch (err) {
      if (isNotFound(err)) return undefined
      throw ioError('stat', f, err)
    }
  }

  async delete(key: string): Promise<void> {
    const f = this.file(key)
    try {
      this.fs.unlink(f)
      this.fs.syncDir(path.dirname(f))
    } catch (err) {
      if (!isNotFound(err)) throw ioError('delete', f, err)
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    // Walk only below the deepest folder the prefix names.
    const slash = prefix.lastIndexOf('/')
    const base = slash < 0 ? '' : prefix.slice(0, slash + 1)
    const start = path.join(this.root, ...base.split('/').filter((p) => p !== ''))
    const keys: ObjectInfo[] = []
    const walk = (dir: string, keyPrefix: string): void => {
      let names: string[]
      try {
        names = this.fs.readdir(dir)
      } catch (err) {
        if (isNotFound(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return
        throw ioError('list', dir, err)
      }
      for (const name of names) {
        if (keyPrefix === '' && name === PARTIAL_DIR) continue
        const key = keyPrefix + name
        const p = path.join(dir, name)
        if (this.fs.isDirectory(p)) {
          if ((key + '/').startsWith(prefix) || prefix.startsWith(key + '/')) walk(p, key + '/')
        } else if (key.startsWith(prefix)) {
          keys.push({key, size: this.fs.fileSize(p)})
        }
      }
    }
    walk(start, base)
    keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    yield* keys
  }

  async close(): Promise<void> {}
}
