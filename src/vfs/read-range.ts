/**
 * Reading bytes [start, end) of a file with positioned reads, without
 * reading the rest: a WAL range a replica lacks, an object range.
 */
import type {FileSystem} from './fs.js'

/** Bytes [start, end) of the file at `path`; fewer if the file ends first. */
export function readRange(fs: FileSystem, path: string, start: number, end: number): Buffer {
  const f = fs.openRead(path)
  try {
    const buf = Buffer.alloc(Math.max(0, end - start))
    let at = 0
    while (at < buf.length) {
      const n = f.read(buf, at, buf.length - at, start + at)
      if (n === 0) break
      at += n
    }
    return buf.subarray(0, at)
  } finally {
    f.close()
  }
}
