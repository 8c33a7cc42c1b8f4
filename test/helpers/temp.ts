import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {createHash} from 'node:crypto'
import {fileURLToPath} from 'node:url'
import type {ExecutionContext} from 'ava'

/**
 * A fresh temporary directory. Given a test, it is removed when that test
 * ends; otherwise (a fixture shared by several tests) when the process exits,
 * and a string names it, for the reader of a leftover folder.
 */
export function tempDir(owner: ExecutionContext | string = 'strata-test-'): string {
  const prefix = typeof owner === 'string' ? owner : 'strata-test-'
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  const remove = (): void => fs.rmSync(dir, {recursive: true, force: true})
  if (typeof owner !== 'string') owner.teardown(remove)
  else {
    if (atExit.size === 0) process.once('exit', () => atExit.forEach((f) => f()))
    atExit.add(remove)
  }
  return dir
}

/** Removals of the directories that live until the process exits (one exit listener for all). */
const atExit = new Set<() => void>()

/**
 * Path → sha256 of every file below `dir` (directories listed too), to prove
 * nothing changed. A LOCK file is listed by name only: it holds the pid of
 * whoever holds the writer lock at the moment, which is not store data.
 */
export function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name)
      const rel = path.relative(dir, p)
      if (fs.statSync(p).isDirectory()) {
        out[rel + '/'] = 'dir'
        walk(p)
      } else if (name === 'LOCK') {
        out[rel] = 'lock'
      } else {
        out[rel] = createHash('sha256').update(fs.readFileSync(p)).digest('hex')
      }
    }
  }
  if (fs.existsSync(dir)) walk(dir)
  return out
}

/** The repository root (tests run from dist/test/...). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
