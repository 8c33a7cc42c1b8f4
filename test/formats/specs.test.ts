/**
 * The specs and the parsers generated from them: the committed parsers
 * are exactly what compiling the specs gives, they reach dist/ with the
 * compiled facade, and every spec documents every field.
 */
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {fileURLToPath} from 'node:url'
import * as yaml from 'js-yaml'
import {diffGenerated, generateParsers, GENERATED_DIR, PROCESSORS, SPEC_DIR} from '../../src/kaitai/compile-specs.js'
import type {KsyAttr, KsyType} from '../../src/kaitai/declarations.js'
import {repoRoot} from '../helpers/temp.js'

const FILE_SPECS = ['strata_manifest', 'strata_sstable', 'strata_store', 'strata_wal']
const ALL_SPECS = [...FILE_SPECS, 'strata_entry', 'strata_varint'].sort()

let generated: Map<string, string>

test.before(async () => {
  generated = await generateParsers(repoRoot)
})

test('regenerating the parsers gives byte-identical committed output', (t) => {
  t.deepEqual(diffGenerated(generated, path.join(repoRoot, GENERATED_DIR)), [],
    'run: npx tsc -p . && node dist/src/kaitai/compile-specs.js')
  t.is(generated.size, 2 * (ALL_SPECS.length + PROCESSORS.size))
})

test('every generated parser is emitted beside the compiled facade', (t) => {
  const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src/kaitai/generated')
  for (const name of generated.keys()) {
    if (!name.endsWith('.cjs')) continue
    t.true(fs.existsSync(path.join(dist, name)), `${name} is missing from dist (tsconfig must list it under "files" with allowJs)`)
  }
})

test('there is one spec per file kind plus the shared entry and varint specs', (t) => {
  const specs = fs.readdirSync(path.join(repoRoot, SPEC_DIR)).filter((n) => n.endsWith('.ksy')).map((n) => n.slice(0, -4)).sort()
  t.deepEqual(specs, ALL_SPECS)
})

function load(name: string): KsyType & {meta: Record<string, unknown>} {
  return yaml.load(fs.readFileSync(path.join(repoRoot, SPEC_DIR, `${name}.ksy`), 'utf8')) as KsyType & {meta: Record<string, unknown>}
}

test('every spec has id, title, little endianness and docs on every type, field, instance, param and enum value', (t) => {
  for (const name of ALL_SPECS) {
    const spec = load(name)
    t.is(spec.meta.id, name)
    t.is(spec.meta.endian, 'le', name)
    t.is(typeof spec.meta.title, 'string', name)
    const missing: string[] = []
    const visit = (ty: KsyType, where: string): void => {
      if (!ty.doc) missing.push(where)
      for (const p of ty.params ?? []) if (!p.doc) missing.push(`${where}/params/${p.id}`)
      for (const a of ty.seq ?? []) if (!(a as KsyAttr).doc) missing.push(`${where}/seq/${a.id}`)
      for (const [id, a] of Object.entries(ty.instances ?? {})) if (!a.doc) missing.push(`${where}/instances/${id}`)
      for (const [id, values] of Object.entries(ty.enums ?? {})) {
        for (const [v, e] of Object.entries(values)) if (typeof e === 'string' || !e.doc) missing.push(`${where}/enums/${id}/${v}`)
      }
      for (const [id, nt] of Object.entries(ty.types ?? {})) visit(nt, `${where}/types/${id}`)
    }
    visit(spec, name)
    t.deepEqual(missing, [], `${name}: fields without doc`)
  }
})

test('file specs name their file extension where the file kind has one', (t) => {
  t.is(load('strata_wal').meta['file-extension'], 'wal')
  t.is(load('strata_sstable').meta['file-extension'], 'sst')
  // MANIFEST-NNNNNN and STORE have no extension; their specs say so in their titles.
  t.regex(String(load('strata_manifest').meta.title), /MANIFEST-NNNNNN/)
  t.regex(String(load('strata_store').meta.title), /STORE/)
})
