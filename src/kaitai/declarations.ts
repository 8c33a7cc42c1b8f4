/**
 * Writes the TypeScript declarations (.d.cts) of a Kaitai-generated
 * JavaScript parser from its .ksy spec, so the committed parsers are typed
 * without hand-kept declarations that could drift from the specs.
 *
 * Names follow the Kaitai JavaScript target: field and instance ids in
 * lowerCamelCase, type and enum ids in UpperCamelCase, enum values in
 * UPPER_SNAKE_CASE. Integers (u8 included) are `number`, byte arrays
 * `Uint8Array`; a value instance is `number` when its expression is a
 * conditional with non-boolean branches, else `boolean` when it is a
 * comparison or logical expression, else `number`.
 *
 * @internal
 */

/** A .ksy type (the spec's top level is one too), as js-yaml loads it. */
export interface KsyType {
  readonly meta?: {readonly id?: string; readonly imports?: readonly string[]}
  readonly doc?: string
  readonly params?: ReadonlyArray<{readonly id: string; readonly type?: string; readonly doc?: string}>
  readonly seq?: readonly KsyAttr[]
  readonly instances?: Readonly<Record<string, KsyAttr>>
  readonly types?: Readonly<Record<string, KsyType>>
  readonly enums?: Readonly<Record<string, Readonly<Record<string, string | {readonly id: string; readonly doc?: string}>>>>
}

/** A seq attribute or an instance. */
export interface KsyAttr {
  readonly id?: string
  readonly doc?: string
  readonly type?: string | {readonly 'switch-on': unknown; readonly cases: Readonly<Record<string, string>>}
  readonly size?: unknown
  readonly 'size-eos'?: boolean
  readonly contents?: unknown
  readonly process?: string
  readonly repeat?: string
  readonly if?: unknown
  readonly value?: unknown
}

/** lower_snake → lowerCamel, as the Kaitai JavaScript target names fields. */
export function lowerCamel(id: string): string {
  return id.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}

/** lower_snake → UpperCamel, as the Kaitai JavaScript target names classes and enums. */
export function upperCamel(id: string): string {
  const s = lowerCamel(id)
  return s.charAt(0).toUpperCase() + s.slice(1)
}

const INDENT = '  '

/** One JSDoc comment, or nothing. */
function jsdoc(doc: string | undefined, pad: string): string[] {
  if (doc === undefined || doc.trim() === '') return []
  const lines = doc.trimEnd().split('\n').map((l) => l.replace(/\*\//g, '*\\/').trimEnd())
  if (lines.length === 1) return [`${pad}/** ${lines[0]} */`]
  return [`${pad}/**`, ...lines.map((l) => (l === '' ? `${pad} *` : `${pad} * ${l}`)), `${pad} */`]
}

/** Resolves type names in one spec: nested types first, then enclosing ones, then imported specs. */
class Scope {
  constructor(
    private readonly chain: ReadonlyArray<{readonly type: KsyType; readonly path: string}>,
    private readonly imports: ReadonlySet<string>,
  ) {}

  nested(name: string, type: KsyType): Scope {
    const path = `${this.chain[this.chain.length - 1].path}.${upperCamel(name)}`
    return new Scope([...this.chain, {type, path}], this.imports)
  }

  get path(): string {
    return this.chain[this.chain.length - 1].path
  }

  get rootPath(): string {
    return this.chain[0].path
  }

  userType(name: string): string {
    const bare = name.replace(/\(.*$/s, '').trim()
    for (let i = this.chain.length - 1; i >= 0; i--) {
      if (this.chain[i].type.types?.[bare] !== undefined) return `${this.chain[i].path}.${upperCamel(bare)}`
    }
    if (this.imports.has(bare)) return upperCamel(bare)
    throw new Error(`declarations: unknown type ${name} in ${this.path}`)
  }
}

function primitive(type: string): string | undefined {
  if (/^[us][1248](le|be)?$/.test(type) || /^f[48](le|be)?$/.test(type)) return 'number'
  if (type === 'b1' || type === 'bool') return 'boolean'
  if (/^b\d+$/.test(type)) return 'number'
  if (type === 'str' || type === 'strz') return 'string'
  return undefined
}

/** The TypeScript type of one attribute's value (before `repeat` and `if`). */
function valueType(a: KsyAttr, scope: Scope): string {
  if (a.value !== undefined) {
    const expr = String(a.value)
    if (expr.includes('?')) return / \? *(true|false) *:/.test(expr) ? 'boolean' : 'number'
    return /==|!=|<|>|\band\b|\bor\b|\bnot\b/.test(expr) ? 'boolean' : 'number'
  }
  if (a.contents !== undefined || a.type === undefined) return 'Uint8Array'
  if (typeof a.type === 'string') return primitive(a.type) ?? scope.userType(a.type)
  const cases = [...new Set(Object.values(a.type.cases).map((t) => primitive(t) ?? scope.userType(t)))]
  if (a.size !== undefined || a['size-eos']) cases.push('Uint8Array')
  return cases.join(' | ')
}

function isUserTyped(a: KsyAttr): boolean {
  return a.value === undefined && a.contents === undefined && a.type !== undefined &&
    (typeof a.type !== 'string' || primitive(a.type) === undefined)
}

function member(name: string, a: KsyAttr, scope: Scope, pad: string, instance: boolean): string[] {
  let t = valueType(a, scope)
  if (a.repeat !== undefined) t = t.includes(' ') ? `Array<${t}>` : `${t}[]`
  const optional = a.if !== undefined
  const out = [...jsdoc(a.doc, pad), `${pad}readonly ${name}${optional ? '?' : ''}: ${t}`]
  const store = instance ? `_m_${name}` : name
  const sized = a.size !== undefined || a['size-eos'] === true
  if (a.value === undefined && sized && (isUserTyped(a) || a.process !== undefined)) {
    out.push(`${pad}/** ${isUserTyped(a) ? 'Bytes the value was parsed from' : 'The bytes before processing'}. */`)
    out.push(`${pad}readonly _raw_${store}?: Uint8Array`)
    if (isUserTyped(a) && a.process !== undefined) {
      out.push(`${pad}/** The bytes as stored, before processing. */`)
      out.push(`${pad}readonly _raw__raw_${store}?: Uint8Array`)
    }
  }
  return out
}

function enumBlock(id: string, values: NonNullable<KsyType['enums']>[string], pad: string): string[] {
  const out = [`${pad}static readonly ${upperCamel(id)}: {`]
  for (const [key, v] of Object.entries(values)) {
    const e = typeof v === 'string' ? {id: v} : v
    out.push(...jsdoc(e.doc, pad + INDENT), `${pad}${INDENT}readonly ${e.id.toUpperCase()}: ${Number(key)}`)
  }
  out.push(`${pad}${INDENT}readonly [value: number]: string`, `${pad}}`)
  return out
}

function classBlock(name: string, t: KsyType, scope: Scope, pad: string, exported: boolean): string[] {
  const inner = pad + INDENT
  const params = (t.params ?? []).map((p) => `${lowerCamel(p.id)}: ${primitive(p.type ?? '') ?? 'unknown'}`)
  const out = [...jsdoc(t.doc, pad), `${pad}${exported ? 'export declare ' : ''}class ${name} {`]
  const opt = params.length === 0 ? '?' : ''
  out.push(`${inner}constructor(${['_io: KaitaiStream', `_parent${opt}: unknown`, `_root${opt}: unknown`, ...params].join(', ')})`)
  out.push(`${inner}/** Reads the seq fields (debug mode: the constructor does not). */`, `${inner}_read(): void`)
  out.push(`${inner}readonly _io: KaitaiStream`, `${inner}readonly _parent: unknown`)
  out.push(`${inner}readonly _root: ${scope.rootPath}`)
  out.push(`${inner}/** Where each field was read: offsets in its stream, by field name (instances as _m_name). */`)
  out.push(`${inner}readonly _debug: KaitaiDebugMap`)
  for (const p of t.params ?? []) out.push(...jsdoc(p.doc, inner), `${inner}readonly ${lowerCamel(p.id)}: ${primitive(p.type ?? '') ?? 'unknown'}`)
  for (const a of t.seq ?? []) out.push(...member(lowerCamel(a.id!), a, scope, inner, false))
  for (const [id, a] of Object.entries(t.instances ?? {})) out.push(...member(lowerCamel(id), a, scope, inner, true))
  for (const [id, values] of Object.entries(t.enums ?? {})) out.push(...enumBlock(id, values, inner))
  out.push(`${pad}}`)
  const nested = Object.entries(t.types ?? {})
  if (nested.length > 0) {
    out.push(`${pad}${exported ? 'export ' : ''}declare namespace ${name} {`)
    for (const [id, nt] of nested) out.push(...classBlock(upperCamel(id), nt, scope.nested(id, nt), inner, false))
    out.push(`${pad}}`)
  }
  return out
}

/** The .d.cts text for the parser generated from `spec` (file name `ksyName`, for the header). */
export function declarationsFor(spec: KsyType, ksyName: string): string {
  const id = spec.meta?.id
  if (id === undefined) throw new Error(`${ksyName}: meta/id is missing`)
  const imports = spec.meta?.imports ?? []
  const cls = upperCamel(id)
  const lines = [
    `// Generated by src/formats/compile-specs.ts from formats/${ksyName}; do not edit.`,
    `// Types of ./${cls}.cjs, the Kaitai Struct parser compiled from that spec (debug mode).`,
    `import type KaitaiStream from 'kaitai-struct/KaitaiStream'`,
    ...imports.map((i) => `import type {${upperCamel(i)}} from './${upperCamel(i)}.cjs'`),
    '',
    '/** Where a field was read: `start`/`end` are positions in the stream whose byte offset is `ioOffset`. */',
    'export interface KaitaiDebugSpan {',
    `${INDENT}readonly start: number`,
    `${INDENT}readonly end?: number`,
    `${INDENT}readonly ioOffset: number`,
    `${INDENT}readonly arr?: readonly KaitaiDebugSpan[]`,
    `${INDENT}readonly enumName?: string`,
    `${INDENT}readonly validationError?: Error`,
    '}',
    '',
    '/** The spans of an object\'s fields, by field name (instances as _m_name). */',
    'export type KaitaiDebugMap = {readonly [field: string]: KaitaiDebugSpan}',
    '',
    ...classBlock(cls, spec, new Scope([{type: spec, path: cls}], new Set(imports)), '', true),
    '',
  ]
  return lines.join('\n')
}
