/**
 * Compiles every Kaitai Struct spec in formats/*.ksy into the committed
 * parsers under src/kaitai/generated/:
 *
 *   StrataX.cjs    the JavaScript parser (UMD/CommonJS, Kaitai debug mode,
 *                  so every object records the byte span of each field),
 *                  with sibling requires rewritten from './Y' to './Y.cjs'
 *   StrataX.d.cts  its TypeScript declarations, written from the spec
 *
 * Usage (after tsc):
 *   node dist/src/kaitai/compile-specs.js           regenerate the files
 *   node dist/src/kaitai/compile-specs.js --check   exit 1 if regenerating would change them
 *
 * The output is deterministic, so a test regenerates it in memory and
 * compares it with the committed files. Needs the dev dependencies
 * kaitai-struct-compiler and js-yaml; the engine never imports this module.
 *
 * @internal
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'
import * as yaml from 'js-yaml'
import {declarationsFor, upperCamel, type KsyType} from './declarations.js'

/** The Kaitai compiler's JavaScript API (0.11: the module is the compiler). */
interface KaitaiCompiler {
  readonly version: string
  compile(
    lang: string,
    spec: unknown,
    importer: {importYaml(name: string, mode: string): Promise<unknown>},
    debug: boolean,
  ): Promise<Record<string, string>>
}

/** Where the specs and the generated parsers live, relative to the repository root. */
export const SPEC_DIR = 'formats'
export const GENERATED_DIR = path.join('src', 'kaitai', 'generated')

/** The repository root: the nearest directory above this module holding formats/ and package.json. */
export function repositoryRoot(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, SPEC_DIR))) return dir
    if (path.dirname(dir) === dir) throw new Error(`no repository root (with ${SPEC_DIR}/ and package.json) above ${from}`)
  }
}

function loadSpec(root: string, name: string): KsyType {
  const file = path.join(root, SPEC_DIR, `${name}.ksy`)
  const spec = yaml.load(fs.readFileSync(file, 'utf8')) as KsyType
  if (spec?.meta?.id !== name) throw new Error(`${file}: meta/id must be ${name}, the file's name`)
  return spec
}

/** Rewrites `require('./X')` of sibling parsers to `require('./X.cjs')`, as an ESM package needs. */
function rewriteRequires(js: string): string {
  return js.replace(/require\('\.\/([A-Za-z0-9_]+)'\)/g, "require('./$1.cjs')")
}

/**
 * Compiles every spec and returns the generated files, by name
 * (StrataWal.cjs, StrataWal.d.cts, ...). Throws if a spec does not compile.
 */
export async function generateParsers(root = repositoryRoot()): Promise<Map<string, string>> {
  const require = createRequire(import.meta.url)
  const compiler = require('kaitai-struct-compiler') as KaitaiCompiler
  const names = fs.readdirSync(path.join(root, SPEC_DIR)).filter((n) => n.endsWith('.ksy')).map((n) => n.slice(0, -4)).sort()
  const importer = {importYaml: (name: string) => Promise.resolve(loadSpec(root, name))}
  const out = new Map<string, string>()
  for (const name of names) {
    const spec = loadSpec(root, name)
    let files: Record<string, string>
    try {
      files = await compiler.compile('javascript', spec, importer, true)
    } catch (err) {
      throw new Error(`${SPEC_DIR}/${name}.ksy does not compile: ${err instanceof Error ? err.message : String(err)}`)
    }
    // The compiler also emits every imported spec; all copies must agree.
    for (const [file, js] of Object.entries(files)) {
      const target = file.replace(/\.js$/, '.cjs')
      const text = `${rewriteRequires(js).trimEnd()}\n`
      const prev = out.get(target)
      if (prev !== undefined && prev !== text) throw new Error(`${target} differs between the specs that import it`)
      out.set(target, text)
    }
    out.set(`${upperCamel(name)}.d.cts`, declarationsFor(spec, `${name}.ksy`))
  }
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

/** What differs between `generated` and the files in `dir`: changed, missing and stale files. */
export function diffGenerated(generated: ReadonlyMap<string, string>, dir: string): string[] {
  const problems: string[] = []
  const present = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => /\.(cjs|d\.cts)$/.test(n)) : []
  for (const [name, text] of generated) {
    const file = path.join(dir, name)
    if (!fs.existsSync(file)) problems.push(`missing: ${name}`)
    else if (fs.readFileSync(file, 'utf8') !== text) problems.push(`changed: ${name}`)
  }
  for (const name of present) if (!generated.has(name)) problems.push(`stale (no spec generates it): ${name}`)
  return problems
}

/** Writes `generated` into `dir`, removing parser files no spec generates any more. */
export function writeGenerated(generated: ReadonlyMap<string, string>, dir: string): void {
  fs.mkdirSync(dir, {recursive: true})
  for (const name of fs.readdirSync(dir)) {
    if (/\.(cjs|d\.cts)$/.test(name) && !generated.has(name)) fs.rmSync(path.join(dir, name))
  }
  for (const [name, text] of generated) {
    const file = path.join(dir, name)
    if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) fs.writeFileSync(file, text)
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const check = argv.includes('--check')
  const unknown = argv.filter((a) => a !== '--check')
  if (unknown.length > 0) {
    process.stderr.write(`usage: compile-specs [--check]\n`)
    return 2
  }
  const root = repositoryRoot()
  const dir = path.join(root, GENERATED_DIR)
  const generated = await generateParsers(root)
  const problems = diffGenerated(generated, dir)
  if (check) {
    if (problems.length === 0) {
      process.stdout.write(`${generated.size} generated parser files are up to date\n`)
      return 0
    }
    process.stderr.write(`generated parsers are out of date (run: node dist/src/kaitai/compile-specs.js):\n`)
    for (const p of problems) process.stderr.write(`  ${p}\n`)
    return 1
  }
  writeGenerated(generated, dir)
  process.stdout.write(`${problems.length === 0 ? 'unchanged' : `updated ${problems.length} file(s)`}: ${GENERATED_DIR}\n`)
  return 0
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code
    },
    (err: unknown) => {
      process.stderr.write(`compile-specs: ${err instanceof Error ? err.message : String(err)}\n`)
      process.exitCode = 1
    },
  )
}
