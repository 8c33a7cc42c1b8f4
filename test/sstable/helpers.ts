/** Shared fixtures for the sstable tests: temp dirs, entry generators, table files. */
import {Kind, ValueCodec, type Entry} from '../../src/record/format.js'
import {nodeFileSystem} from '../../src/vfs/node-fs.js'
import type {FileSystem, WritableFile} from '../../src/vfs/fs.js'
import {TableBuilder, type TableBuilderOptions} from '../../src/sstable/builder.js'
import type {BlockHandle} from '../../src/sstable/format.js'
import {crc32} from '../../src/util/crc.js'

export {tempDir} from '../helpers/temp.js'

/** A small deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 0x1_0000_0000
  }
}

export function key(i: number): Buffer {
  return Buffer.from(`key-${String(i).padStart(6, '0')}`)
}

/** `n` puts of key(0) .. key(n - 1), with seq = i. */
export function putEntries(n: number, value: (i: number) => Buffer): Entry[] {
  return Array.from({length: n}, (_, i) => ({key: key(i), seq: i, kind: Kind.PUT, value: value(i)}))
}

/**
 * `n` entries with distinct sorted keys and a mix of shapes: puts, tombstones,
 * expiry, the JSON flag, a value codec, schema refs, 0-byte values.
 */
export function mixedEntries(n: number, seed = 1): Entry[] {
  const r = rng(seed)
  const out: Entry[] = []
  for (let i = 0; i < n; i++) {
    const k = key(i * 2) // odd numbers are absent keys
    const seq = 1000 + ((i * 7919) % n)
    switch (i % 6) {
      case 0:
        out.push({key: k, seq, kind: Kind.DELETE, value: Buffer.alloc(0)})
        break
      case 1:
        out.push({key: k, seq, kind: Kind.PUT, value: Buffer.alloc(0)})
        break
      case 2:
        out.push({key: k, seq, kind: Kind.PUT, value: Buffer.from(`{"i":${i}}`), json: true, expiresAt: 1_700_000_000_000 + i})
        break
      case 3:
        out.push({key: k, seq, kind: Kind.PUT, value: randomBytes(r, 1 + (i % 200)), schema: {id: i % 5, version: 1 + (i % 3)}})
        break
      case 4:
        out.push({key: k, seq, kind: Kind.PUT, value: Buffer.from(`compressed-${i}`), codec: ValueCodec.ZLIB})
        break
      default:
        out.push({key: k, seq, kind: Kind.PUT, value: Buffer.from(`value ${i} `.repeat(1 + (i % 20)))})
    }
  }
  return out
}

export function randomBytes(r: () => number, n: number): Buffer {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256)
  return b
}

/** An entry as plain comparable data. */
export function plain(e: Entry): Record<string, unknown> {
  return {...e, key: e.key.toString('hex'), value: e.value.toString('hex')}
}

export const defaults = {shard: 3, createdBy: 'sstable test'} as const

/** Writes `entries` to `file` and returns the builder's result. */
export function writeTable(file: string, entries: readonly Entry[], options: Partial<TableBuilderOptions> = {}, vfs: FileSystem = nodeFileSystem) {
  const b = new TableBuilder(vfs, file, {...defaults, ...options})
  for (const e of entries) b.add(e)
  return b.finish()
}

/** Recomputes the trailer crc of the block at `h` in `buf` (after an in-place edit). */
export function fixCrc(buf: Buffer, h: BlockHandle): void {
  buf.writeUInt32LE(crc32(buf.subarray(h.offset, h.offset + h.size + 1)), h.offset + h.size + 1)
}

/** A FileSystem that counts appends, syncs and closes of the files it creates. */
export class CountingFileSystem implements FileSystem {
  appends = 0
  syncs = 0
  closes = 0
  openRead = nodeFileSystem.openRead.bind(nodeFileSystem)
  openAppend = nodeFileSystem.openAppend.bind(nodeFileSystem)
  readFile = nodeFileSystem.readFile.bind(nodeFileSystem)
  rename = nodeFileSystem.rename.bind(nodeFileSystem)
  unlink = nodeFileSystem.unlink.bind(nodeFileSystem)
  mkdir = nodeFileSystem.mkdir.bind(nodeFileSystem)
  rmdir = nodeFileSystem.rmdir.bind(nodeFileSystem)
  readdir = nodeFileSystem.readdir.bind(nodeFileSystem)
  exists = nodeFileSystem.exists.bind(nodeFileSystem)
  isDirectory = nodeFileSystem.isDirectory.bind(nodeFileSystem)
  fileSize = nodeFileSystem.fileSize.bind(nodeFileSystem)
  syncDir = nodeFileSystem.syncDir.bind(nodeFileSystem)
  tryLock = nodeFileSystem.tryLock.bind(nodeFileSystem)

  create(p: string): WritableFile {
    const f = nodeFileSystem.create(p)
    return {
      append: (d) => {
        this.appends++
        f.append(d)
      },
      sync: () => {
        this.syncs++
        f.sync()
      },
      size: () => f.size(),
      close: () => {
        this.closes++
        f.close()
      },
    }
  }
}

/** A read-only FileSystem holding one file in memory, for fast corruption sweeps. */
export function bufferFileSystem(file: string, data: Buffer): FileSystem {
  const unsupported = (): never => {
    throw new Error('not supported by bufferFileSystem')
  }
  return {
    openRead(p: string) {
      if (p !== file) throw Object.assign(new Error(`ENOENT: ${p}`), {code: 'ENOENT'})
      return {
        read(buffer: Buffer, offset: number, length: number, position: number): number {
          return data.copy(buffer, offset, position, Math.min(data.length, position + length))
        },
        size: () => data.length,
        close: () => {},
      }
    },
    create: unsupported,
    openAppend: unsupported,
    readFile: unsupported,
    rename: unsupported,
    unlink: unsupported,
    mkdir: unsupported,
    rmdir: unsupported,
    readdir: unsupported,
    exists: (p: string) => p === file,
    isDirectory: () => false,
    fileSize: () => data.length,
    syncDir: unsupported,
    tryLock: unsupported,
  }
}
