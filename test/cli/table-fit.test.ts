/**
 * Tables fit a terminal's width: on a TTY of known width the widest columns
 * are cut with "…"; when not a terminal, cells stay whole.
 */
import test from 'ava'
import {Output} from '../../src/cli/index.js'
import type {OutputSink} from '../../src/cli/output/stdout-writer.js'
import {fitWidths, tableWidth, visibleLength} from '../../src/cli/output/table-fit.js'

/** A sink that keeps what is written, as a terminal of `columns` (or not a terminal). */
function memorySink(columns?: number): OutputSink & {text: () => string} {
  const chunks: string[] = []
  return {
    isTTY: columns !== undefined,
    ...(columns === undefined ? {} : {columns}),
    closed: false,
    async write(chunk) {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
    },
    async flush() {},
    text: () => chunks.join(''),
  }
}

const ROWS = [
  ['user:1', 'x'.repeat(90), '5m'],
  ['session:long-key-name-here', 'short', ''],
]

test('a table on a 70-column terminal is no wider than the terminal, cutting the widest column', async (t) => {
  const sink = memorySink(70)
  const out = new Output('table', sink, {write: () => true})
  await out.table(['KEY', 'VALUE', 'TTL'], ROWS)
  const lines = sink.text().split('\n').filter((l) => l !== '')
  t.is(lines.length, 6)
  for (const l of lines) t.true(visibleLength(l) <= 70, `${visibleLength(l)}: ${l}`)
  t.regex(sink.text(), /x…/)
  t.regex(sink.text(), /session:long-key-name-here/, 'a column that fits under the cap stays whole')
})

test('a table that is not on a terminal keeps its cells whole', async (t) => {
  const sink = memorySink()
  const out = new Output('table', sink, {write: () => true})
  await out.table(['KEY', 'VALUE', 'TTL'], ROWS)
  t.true(sink.text().includes('x'.repeat(90)))
})

test('fitWidths narrows the widest columns first and never below the minimum', (t) => {
  t.deepEqual(fitWidths([3, 4], 80), [3, 4])
  const w = fitWidths([10, 100, 30], 60)
  t.true(tableWidth(w) <= 60)
  t.is(w[0], 10)
  t.is(w[1], w[2])
  t.deepEqual(fitWidths([50, 50, 50, 50], 10), [6, 6, 6, 6])
})
