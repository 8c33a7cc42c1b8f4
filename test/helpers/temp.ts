import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {createHash} from 'node:crypto'
import {fileURLToPath} from 'node:url'

/** A fresh temporary directory, removed when the process exits. */
export function tempDir(prefix = 'strata-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  process.once('exit', () => fs.rmSync(dir, {recursive: true, force: true}))
  return dir
}

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
