/**
 * A change list compiled once into one function that upgrades a parsed JSON
 * value in place: every path is split when compiling, each change becomes a
 * closure specialised to its op and path depth, so upgrading a record walks
 * no generic path and interprets no change list. The lazy upgrade caches one
 * per (schema, from, to); applyChanges (changes.ts) compiles its list too,
 * so there is one implementation of the ops' meaning (described there).
 *
 * The function owns its argument: it changes it in place and, on failure,
 * leaves it half-changed for the caller to drop.
 */
import type {SchemaChange} from './format.js'
import {convertValue} from './convert.js'

type Json = Record<string, unknown>

/** Why a value cannot be upgraded: the field and what went wrong. */
export class ConversionFailure {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {}

  toString(): string {
    return this.field === '' ? this.reason : `field "${this.field}": ${this.reason}`
  }
}

/** A compiled change list: the upgraded value, or the failure. */
export type Upgrader = (value: unknown) => {value: unknown} | {fail: ConversionFailure}

/** One compiled change: undefined when it applied, else the failure. */
type Step = (root: Json) => ConversionFailure | undefined

const NOT_OBJECT = 'the value is not a JSON object, so its fields cannot change'

/** `changes` compiled; the empty list compiles to the identity. */
export function compileChanges(changes: readonly SchemaChange[]): Upgrader {
  if (changes.length === 0) return (value) => ({value})
  const steps = changes.map(compileStep)
  return (value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return {fail: new ConversionFailure('', NOT_OBJECT)}
    const root = value as Json
    for (let i = 0; i < steps.length; i++) {
      const f = steps[i](root)
      if (f !== undefined) return {fail: f}
    }
    return {value: root}
  }
}

function compileStep(c: SchemaChange): Step {
  switch (c.op) {
    case 'add': {
      if (!('default' in c)) return () => undefined
      const get = getter(c.field)
      const set = setter(c.field)
      const d = c.default
      const fresh = d !== null && typeof d === 'object' ? () => structuredClone(d) : () => d
      return (root) => {
        if (get(root) === undefined) set(root, fresh())
        return undefined
      }
    }
    case 'remove': {
      const del = deleter(c.field)
      return (root) => {
        del(root)
        return undefined
      }
    }
    case 'rename': {
      const get = getter(c.from)
      const del = deleter(c.from)
      const set = setter(c.to)
      return (root) => {
        const v = get(root)
        if (v !== undefined) {
          del(root)
          set(root, v)
        }
        return undefined
      }
    }
    case 'retype': {
      const get = getter(c.field)
      const set = setter(c.field)
      const {field, to} = c
      return (root) => {
        const v = get(root)
        if (v === undefined) return undefined
        const r = convertValue(v, to)
        if ('fail' in r) return new ConversionFailure(field, r.fail)
        if (r.value !== v) set(root, r.value)
        return undefined
      }
    }
  }
}

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v)

/** The parent object of a dotted path's last member, walking own members only, or undefined. */
function parentOf(segs: readonly string[], root: Json): Json | undefined {
  let cur: Json = root
  for (let i = 0; i < segs.length - 1; i++) {
    if (!Object.hasOwn(cur, segs[i])) return undefined
    const child = cur[segs[i]]
    if (!isObject(child)) return undefined
    cur = child
  }
  return cur
}

/** Reads a path: its own value, or undefined. */
function getter(path: string): (root: Json) => unknown {
  const segs = path.split('.')
  const last = segs[segs.length - 1]
  if (segs.length === 1) return (root) => (Object.hasOwn(root, last) ? root[last] : undefined)
  return (root) => {
    const p = parentOf(segs, root)
    return p !== undefined && Object.hasOwn(p, last) ? p[last] : undefined
  }
}

/** Sets a path; missing or non-object parents become objects. */
function setter(path: string): (root: Json, v: unknown) => void {
  const segs = path.split('.')
  const last = segs[segs.length - 1]
  if (segs.length === 1) return (root, v) => void (root[last] = v)
  return (root, v) => {
    let cur = root
    for (let i = 0; i < segs.length - 1; i++) {
      const child = cur[segs[i]]
      cur = isObject(child) ? child : ((cur[segs[i]] = {}) as Json)
    }
    cur[last] = v
  }
}

/** Deletes a path if present. */
function deleter(path: string): (root: Json) => void {
  const segs = path.split('.')
  const last = segs[segs.length - 1]
  if (segs.length === 1) return (root) => void delete root[last]
  return (root) => {
    const p = parentOf(segs, root)
    if (p !== undefined) delete p[last]
  }
}
