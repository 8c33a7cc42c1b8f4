/**
 * Summarises V8 CPU profiles (node --cpu-prof): the functions with the most
 * self time, aggregated over every .cpuprofile file below a directory.
 * Usage: node dist/test/bench/profile.js DIR [TOP]
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

interface CpuProfileNode {
  id: number
  callFrame: {functionName: string; url: string; lineNumber: number}
}
interface CpuProfile {
  nodes: CpuProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

/** One row of a summary. */
export interface SelfTime {
  readonly fn: string
  readonly where: string
  readonly ms: number
  readonly share: number
}

function profilesBelow(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...profilesBelow(p))
    else if (name.endsWith('.cpuprofile')) out.push(p)
  }
  return out
}

/** Self time by function over every profile below `dir`, largest first. */
export function selfTimes(dir: string, top = 15, root = process.cwd()): SelfTime[] {
  const byFn = new Map<string, {fn: string; where: string; us: number}>()
  let total = 0
  for (const file of profilesBelow(dir)) {
    const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
    const nodes = new Map(prof.nodes.map((n) => [n.id, n]))
    for (let s = 0; s < prof.samples.length; s++) {
      const node = nodes.get(prof.samples[s])
      const us = prof.timeDeltas[s] ?? 0
      if (!node) continue
      total += us
      const f = node.callFrame
      let url = f.url.replace(/^file:\/\//, '')
      if (url.startsWith('/')) url = relative(root, url)
      const where = url === '' ? '' : `${url}:${f.lineNumber + 1}`
      const fn = f.functionName || '(anonymous)'
      const key = `${fn}@${where}`
      const row = byFn.get(key) ?? {fn, where, us: 0}
      row.us += us
      byFn.set(key, row)
    }
  }
  return [...byFn.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((r) => ({fn: r.fn, where: r.where, ms: r.us / 1000, share: total > 0 ? r.us / total : 0}))
}

/** Text lines for a summary. */
export function formatSelfTimes(rows: readonly SelfTime[]): string[] {
  return rows.map((r) => `  ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(7)} ms  ${r.fn}  ${r.where}`)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2]
  if (!dir) {
    process.stderr.write('usage: node dist/test/bench/profile.js DIR [TOP]\n')
    process.exit(2)
  }
  for (const line of formatSelfTimes(selfTimes(dir, Number(process.argv[3] ?? 15)))) process.stdout.write(`${line}\n`)
}
