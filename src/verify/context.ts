/**
 * What every part of a verify run shares: the filesystem (read-only use:
 * readFile, readdir, isDirectory, fileSize), the data directory, the
 * findings, the options and progress.
 *
 * @internal
 */
import * as path from 'node:path'
import type {FileSystem} from '../vfs/fs.js'
import {FileReporter, StopVerify, type FindingSink} from './findings.js'
import type {CheckId} from './report.js'
import type {ShadowedKeys} from './shadowed-keys.js'

export interface VerifyContext {
  readonly fs: FileSystem
  readonly dir: string
  readonly sink: FindingSink
  readonly quick: boolean
  /** STORE's shard count when STORE can be trusted; shard.placement runs only then. */
  readonly placementShards: number | undefined
  /** The shard generation whose folders are checked (STORE's, or the newest found when STORE cannot be trusted). */
  readonly generation: number
  /** The shard being checked collects its misplaced keys here (generation above 0; see shadowed-keys.ts). */
  readonly shadow?: ShadowedKeys
  /** Called once a file has been checked. */
  progress(file: string): void
}

/** A path relative to the data directory, `/`-separated, as findings name files. */
export function relPath(...parts: string[]): string {
  return parts.join('/')
}

/** The absolute path of a relative one. */
export function absPath(ctx: VerifyContext, rel: string): string {
  return path.join(ctx.dir, ...rel.split('/'))
}

/** The result of reading a file: its bytes, or why not. */
export type ReadResult = {readonly buf: Buffer} | {readonly missing: true} | {readonly failed: string}

/** Reads a whole file; a missing file and an I/O failure are results, not exceptions. */
export function readWhole(ctx: VerifyContext, rel: string): ReadResult {
  try {
    return {buf: ctx.fs.readFile(absPath(ctx, rel))}
  } catch (err) {
    const code = (err as NodeJS.ErrnoException)?.code
    if (code === 'ENOENT') return {missing: true}
    return {failed: `cannot read the file: ${code ?? (err as Error)?.message ?? String(err)}`}
  }
}

/**
 * Runs the checks of one file so that nothing they throw stops the others:
 * an unexpected exception becomes an error finding of the check that was
 * running. StopVerify and `passThrough` errors (a shard restart) propagate.
 */
export function guarded(r: FileReporter, fn: () => void, passThrough?: (err: unknown) => boolean): void {
  try {
    fn()
  } catch (err) {
    if (err instanceof StopVerify || passThrough?.(err)) throw err
    const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
    r.error(r.running, 0, `unexpected failure while checking (${what.replace(/\s+/g, ' ')}); this is a bug in strata verify`)
  }
}

/** A reporter for `rel`, sized when the bytes are known. */
export function reporter(ctx: VerifyContext, rel: string, size: number | undefined, running: CheckId): FileReporter {
  return new FileReporter(ctx.sink, rel, size, running)
}
