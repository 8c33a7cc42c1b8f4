/**
 * Turns per-run numbers into the summary: medians, min–max, strata ÷ peer
 * ratios, target verdicts, the Markdown table and the results-file document.
 */
import {ENGINE_LABEL, PEERS, type EngineName, type PeerName} from './engines.js'
import {METRICS, type MetricDef} from './metrics.js'

/** Median, min and max of a metric's runs for one engine. */
export interface Summary {
  readonly runs: readonly number[]
  readonly median: number
  readonly min: number
  readonly max: number
}

/** A target and whether this run met it. */
export interface Verdict {
  readonly pass: boolean
  /** The measured ratio or value that was judged. */
  readonly value: number
  readonly text: string
}

/** One metric in the results file. */
export interface MetricResult {
  readonly id: string
  readonly label: string
  readonly unit: string
  readonly better: 'higher' | 'lower'
  readonly note: string
  readonly engines: Partial<Record<EngineName, Summary>>
  /** strata median ÷ peer median (against `compareTo` for strata-only metrics). */
  readonly ratios: Partial<Record<PeerName, number>>
  readonly target?: Verdict
}

export function summarize(runs: readonly number[]): Summary | undefined {
  if (runs.length === 0) return undefined
  const s = [...runs].sort((a, b) => a - b)
  const m = s.length >> 1
  return {runs: [...runs], median: s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2, min: s[0], max: s[s.length - 1]}
}

/** values[metricId][engine] = one number per run. */
export type RunValues = Record<string, Partial<Record<EngineName, number[]>>>

/** Builds every selected metric's result. */
export function buildResults(values: RunValues, selected: ReadonlySet<string>): MetricResult[] {
  const sum = (id: string, e: EngineName): Summary | undefined => summarize(values[id]?.[e] ?? [])
  const out: MetricResult[] = []
  for (const def of METRICS) {
    if (!selected.has(def.id)) continue
    const engines: Partial<Record<EngineName, Summary>> = {}
    for (const e of def.engines) {
      const s = sum(def.id, e)
      if (s) engines[e] = s
    }
    const peerOf = (e: EngineName): Summary | undefined => (def.compareTo ? sum(def.compareTo, e) : engines[e])
    const ratios: Partial<Record<PeerName, number>> = {}
    const strata = engines.strata
    for (const peer of PEERS) {
      const p = peerOf(peer)
      if (strata && p && p.median > 0) ratios[peer] = strata.median / p.median
    }
    const target = verdict(def, engines, ratios, (id) => sum(id, 'strata'))
    out.push({id: def.id, label: def.label, unit: def.unit, better: def.better, note: def.note, engines, ratios, ...(target ? {target} : {})})
  }
  return out
}

function verdict(
  def: MetricDef,
  engines: Partial<Record<EngineName, Summary>>,
  ratios: Partial<Record<PeerName, number>>,
  strataOf: (id: string) => Summary | undefined,
): Verdict | undefined {
  const t = def.target
  const strata = engines.strata
  if (!t || !strata) return undefined
  const mark = (pass: boolean): string => (pass ? 'met' : 'NOT met')
  switch (t.kind) {
    case 'ratio': {
      const r = ratios[t.peer as PeerName]
      if (r === undefined) return undefined
      const pass = (t.min === undefined || r >= t.min) && (t.max === undefined || r <= t.max)
      const bound = t.min !== undefined ? `≥ ${t.min.toFixed(1)}×` : `≤ ${t.max?.toFixed(1)}×`
      const gap = pass ? '' : t.min !== undefined ? `; needs ${(t.min / r).toFixed(2)}× faster` : `; needs ${(r / (t.max ?? 1)).toFixed(2)}× less`
      return {pass, value: r, text: `${bound} ${ENGINE_LABEL[t.peer]}: ${r.toFixed(2)}× ${mark(pass)}${gap}`}
    }
    case 'absolute': {
      const v = strata.median
      const pass = (t.min === undefined || v >= t.min) && (t.max === undefined || v <= t.max)
      const bound = t.min !== undefined ? `≥ ${formatValue(t.min, def.unit)} ${def.unit}` : `≤ ${formatValue(t.max ?? 0, def.unit)} ${def.unit}`
      const gap = pass ? '' : t.min !== undefined ? `; needs ${(t.min / v).toFixed(2)}× faster` : `; needs ${(v / (t.max ?? 1)).toFixed(2)}× less`
      return {pass, value: v, text: `${bound}: ${mark(pass)}${gap}`}
    }
    case 'relative': {
      const base = strataOf(t.to)
      if (!base || base.median <= 0) return undefined
      const r = strata.median / base.median
      const pass = (t.min === undefined || r >= t.min) && (t.max === undefined || r <= t.max)
      const name = t.to === 'node_start' ? '`node -e 0`' : t.to
      const bound = t.min !== undefined ? `≥ ${Number(t.min.toFixed(3))}× ${name}` : `≤ ${Number((t.max ?? 0).toFixed(3))}× ${name}`
      const gap = pass ? '' : t.min !== undefined ? `; needs ${(t.min / r).toFixed(2)}× faster` : `; needs ${(r / (t.max ?? 1)).toFixed(2)}× less`
      return {pass, value: r, text: `${bound}: ${r.toFixed(2)}× ${mark(pass)}${gap}`}
    }
  }
}

/** A number in a unit, to three significant figures with k/M for rates. */
export function formatValue(v: number, unit: string): string {
  if (unit === 'ms' || unit === 'MB') return v >= 100 ? v.toFixed(0) : v.toFixed(1)
  if (unit === 'x') return v.toFixed(2)
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`
  if (v >= 1e3) return `${(v / 1e3).toFixed(v >= 1e5 ? 0 : v >= 1e4 ? 1 : 2)}k`
  return v.toFixed(0)
}

function cell(s: Summary | undefined, unit: string, withRange: boolean): string {
  if (!s) return '—'
  const m = formatValue(s.median, unit)
  return withRange && s.runs.length > 1 ? `${m} (${formatValue(s.min, unit)}–${formatValue(s.max, unit)})` : m
}

/** The results as a Markdown table plus notes, ready to paste into an issue. */
export function markdownTable(results: readonly MetricResult[]): string {
  const head = ['metric', 'unit', 'better', 'strata median (min–max)', 'LevelDB median (min–max)', 'RocksDB median', 'lmdb median', 'strata/LevelDB', 'strata/RocksDB', 'strata/lmdb', 'target']
  const rows = results.map((r) => {
    const def = METRICS.find((m) => m.id === r.id)
    const peerCell = (e: EngineName, range: boolean): string => (def?.compareTo ? `(${def.compareTo} row)` : cell(r.engines[e], r.unit, range))
    const ratio = (e: PeerName): string => (r.ratios[e] === undefined ? '—' : `${r.ratios[e]?.toFixed(2)}×`)
    return [
      r.label, r.unit, r.better === 'higher' ? '↑ higher' : '↓ lower',
      cell(r.engines.strata, r.unit, true), peerCell('leveldb', true), peerCell('rocksdb', false), peerCell('lmdb', false),
      ...PEERS.map(ratio),
      r.target ? r.target.text : '—',
    ]
  })
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)))
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')
}

/** One line per metric saying what it measures. */
export function notes(results: readonly MetricResult[]): string {
  return [
    'Ratios are strata ÷ peer medians: for ↑ metrics > 1 means strata is faster; for ↓ metrics (ms, MB) < 1 means strata is faster or smaller.',
    ...results.map((r) => `- ${r.label}: ${r.note}`),
  ].join('\n')
}
