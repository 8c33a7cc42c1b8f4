/**
 * The compatibility check of a new version, with Confluent Schema Registry's
 * modes, judged on the declared changes (which are how records move between
 * versions) and the earlier versions' JSON Schemas:
 *
 *   BACKWARD  readers of the new version read records of the previous one
 *             (through the lazy upgrade). Refused: an `add` without a default
 *             (old records have no value for it); a `retype` whose conversion
 *             is not total on the field's old type (convert.ts): a string
 *             becoming an integer fails on "abc".
 *   FORWARD   readers of the previous version read records of the new one.
 *             Refused: `remove` or `rename` of a field the old version
 *             requires; any `retype` (old readers expect the old type).
 *   FULL      both.
 *   X_TRANSITIVE  X against every earlier version, not only the previous
 *             one: every step from version 1 to the new one is judged under
 *             the new mode, and FORWARD's "required" against every earlier schema.
 *   NONE      no check.
 *
 * A refusal names the version, the field and the rule.
 */
import {invalidArgument} from '../errors.js'
import type {Compatibility, SchemaChange, SchemaVersion} from './format.js'

/** Old JSON types on which a retype's conversion never fails. */
const TOTAL_FROM: Readonly<Record<string, readonly string[]>> = {
  string: ['string', 'number', 'integer', 'boolean'],
  number: ['number', 'integer'],
  integer: ['integer'],
  boolean: ['boolean'],
  'iso-date': ['integer'],
  'epoch-ms': ['integer'],
}

/**
 * Throws INVALID_ARGUMENT if `next` (with its changes from the latest of
 * `earlier`) breaks `mode` against `earlier` (versions 1.., in order).
 */
export function checkCompatibility(mode: Compatibility, earlier: readonly SchemaVersion[], next: SchemaVersion): void {
  const problems = compatibilityProblems(mode, earlier, next)
  if (problems.length === 0) return
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more: ${problems.slice(1).join('; ')})` : ''
  throw invalidArgument(`version ${next.version} of schema "${next.name}" breaks ${mode} compatibility: ${problems[0]}${more}`,
    'declare the change so that it keeps the rule (a default for an added field), or register with "compatibility": "NONE"')
}

/** Every rule `next` breaks under `mode`, one sentence each naming the field and the rule. */
export function compatibilityProblems(mode: Compatibility, earlier: readonly SchemaVersion[], next: SchemaVersion): string[] {
  if (mode === 'NONE' || earlier.length === 0) return []
  const transitive = mode.endsWith('_TRANSITIVE')
  const backward = mode.startsWith('BACKWARD') || mode.startsWith('FULL')
  const forward = mode.startsWith('FORWARD') || mode.startsWith('FULL')
  const all = [...earlier, next]
  // Steps judged: the new one, or every one since version 1.
  const steps = transitive ? all.slice(1) : [next]
  const problems: string[] = []
  for (const step of steps) {
    const prev = all[all.indexOf(step) - 1]
    for (const c of step.changes) {
      if (backward) {
        const p = backwardProblem(c, prev)
        if (p !== undefined) problems.push(`${p} in version ${step.version} (BACKWARD: readers of version ${next.version} must read records of version ${prev.version})`)
      }
      if (forward) {
        const olds = transitive ? all.slice(0, all.indexOf(step)) : [prev]
        const p = forwardProblem(c, olds)
        if (p !== undefined) problems.push(`${p} in version ${step.version} (FORWARD: readers of version ${prev.version}${transitive ? ' and earlier' : ''} must read records of version ${next.version})`)
      }
    }
  }
  return problems
}

function backwardProblem(c: SchemaChange, prev: SchemaVersion): string | undefined {
  if (c.op === 'add' && !('default' in c)) return `field "${c.field}" is added without a default`
  if (c.op === 'retype') {
    const old = typeAt(prev.schema, c.field)
    if (old === undefined || !TOTAL_FROM[c.to].includes(old)) {
      return `field "${c.field}" is retyped from ${old ?? 'an undeclared type'} to ${c.to}, a conversion that fails on some values`
    }
  }
  return undefined
}

function forwardProblem(c: SchemaChange, olds: readonly SchemaVersion[]): string | undefined {
  if (c.op === 'retype') return `field "${c.field}" is retyped to ${c.to}, which readers of the old type cannot read`
  const gone = c.op === 'remove' ? c.field : c.op === 'rename' ? c.from : undefined
  if (gone === undefined) return undefined
  const by = olds.find((v) => isRequired(v.schema, gone))
  return by === undefined ? undefined : `field "${gone}" is ${c.op === 'remove' ? 'removed' : 'renamed'} but version ${by.version} requires it`
}

/** The subschema of `path` in an object schema's `properties`, or undefined. */
function subschema(schema: unknown, path: readonly string[]): Record<string, unknown> | undefined {
  let cur = schema
  for (const seg of path) {
    const props = (cur as {properties?: unknown} | undefined)?.properties
    if (props === null || typeof props !== 'object' || !Object.hasOwn(props, seg)) return undefined
    cur = (props as Record<string, unknown>)[seg]
  }
  return cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>) : undefined
}

/** The single JSON type the schema declares at `field`, or undefined. */
function typeAt(schema: unknown, field: string): string | undefined {
  const t = subschema(schema, field.split('.'))?.type
  return typeof t === 'string' ? t : undefined
}

/** Whether the schema lists `field` (its last segment) in its parent's `required`. */
function isRequired(schema: unknown, field: string): boolean {
  const segs = field.split('.')
  const parent = segs.length === 1 ? (schema as Record<string, unknown>) : subschema(schema, segs.slice(0, -1))
  const req = parent?.required
  return Array.isArray(req) && req.includes(segs[segs.length - 1])
}
