/**
 * Declared changes between consecutive versions: checked when a version is
 * registered, and applied to a JSON value to upgrade it one version.
 *
 * Fields are dotted paths into objects ("address.city"); a path segment is a
 * member name (no escaping: names with a "." cannot be addressed). Applying:
 *   add     sets the field to a copy of `default` when it is absent, creating
 *           missing parent objects; without a default an absent field stays absent
 *   remove  deletes the field if present
 *   rename  moves the field's value to the new path if present
 *   retype  converts the field's value if present (convert.ts); a value that
 *           does not convert fails the upgrade, naming the field and the value
 * Upgrading never half-converts: applyChanges works on a copy and either
 * returns the whole new value or fails (applyChangesInPlace, for a value the
 * caller owns, is dropped on failure).
 */
import {invalidArgument} from '../errors.js'
import {RETYPE_TARGETS, type RetypeTarget, type SchemaChange} from './format.js'
import {compileChanges, ConversionFailure} from './compile.js'

export {ConversionFailure}

const FIELD = /^[^.]+(\.[^.]+)*$/

/** The change list of a registration checked, or INVALID_ARGUMENT naming the bad entry. */
export function parseChanges(input: unknown, what: string): SchemaChange[] {
  if (input === undefined) return []
  if (!Array.isArray(input)) throw invalidArgument(`${what}: "changes" must be an array`)
  return input.map((c, i) => parseChange(c, `${what}: changes[${i}]`))
}

function parseChange(c: unknown, where: string): SchemaChange {
  if (c === null || typeof c !== 'object' || Array.isArray(c)) throw invalidArgument(`${where} must be an object like {"op": "add", "field": "x"}`)
  const o = c as Record<string, unknown>
  const field = (name: string): string => {
    const v = o[name]
    if (typeof v !== 'string' || !FIELD.test(v)) throw invalidArgument(`${where}: "${name}" must be a dotted field path like "a.b"`)
    return v
  }
  const only = (...names: string[]): void => {
    for (const k of Object.keys(o)) if (k !== 'op' && !names.includes(k)) throw invalidArgument(`${where}: unknown member "${k}" for op "${String(o.op)}"`)
  }
  switch (o.op) {
    case 'add':
      only('field', 'default')
      return 'default' in o ? {op: 'add', field: field('field'), default: o.default} : {op: 'add', field: field('field')}
    case 'remove':
      only('field')
      return {op: 'remove', field: field('field')}
    case 'rename': {
      only('from', 'to')
      const from = field('from')
      const to = field('to')
      if (from === to) throw invalidArgument(`${where}: rename from and to are the same field`)
      return {op: 'rename', from, to}
    }
    case 'retype':
      only('field', 'to')
      if (!RETYPE_TARGETS.includes(o.to as RetypeTarget)) throw invalidArgument(`${where}: "to" must be one of ${RETYPE_TARGETS.join(', ')}`)
      return {op: 'retype', field: field('field'), to: o.to as RetypeTarget}
    default:
      throw invalidArgument(`${where}: "op" must be add, remove, rename or retype`)
  }
}

/**
 * `value` upgraded through `changes` in order, or the failure. `value` is
 * not modified: the result is a new value.
 */
export function applyChanges(value: unknown, changes: readonly SchemaChange[]): {value: unknown} | {fail: ConversionFailure} {
  if (changes.length === 0) return {value}
  return applyChangesInPlace(structuredClone(value), changes)
}

/**
 * `applyChanges` on a value the caller owns (fresh from JSON.parse): it is
 * changed in place, so a failure leaves it half-changed and the caller
 * drops it. Compiles the list each call: repeated upgrades use
 * compileChanges (compile.ts) once instead.
 */
export function applyChangesInPlace(value: unknown, changes: readonly SchemaChange[]): {value: unknown} | {fail: ConversionFailure} {
  return compileChanges(changes)(value)
}
