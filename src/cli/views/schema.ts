/**
 * How `strata schema list|show` print the registry. JSON shapes (stable):
 *   list → {"schemas": [{"name", "id", "latest", "compatibility"}...]}
 *   show → {"name", "id", "latest", "compatibility",
 *           "versions": [{"version", "compatibility", "schema", "changes"}...]}
 * (show NAME@V lists that version only).
 */
import type {SchemaEntry, SchemaVersion} from '../../schema/index.js'
import type {Output} from '../output/output.js'

/** The JSON of one version. */
export function versionJson(v: SchemaVersion): object {
  return {version: v.version, compatibility: v.compatibility, schema: v.schema, changes: [...v.changes]}
}

/** Prints `schema list`. */
export async function printSchemaList(entries: readonly SchemaEntry[], out: Output): Promise<void> {
  const rows = entries.map((e) => ({name: e.name, id: e.id, latest: e.versions.length, compatibility: e.compatibility}))
  if (out.format === 'json') return out.json({schemas: rows})
  if (out.format === 'ndjson') {
    for (const r of rows) await out.ndjson(r)
    return
  }
  if (out.format === 'table') {
    if (rows.length > 0) await out.table(['NAME', 'ID', 'LATEST', 'COMPATIBILITY'], rows.map((r) => [r.name, String(r.id), String(r.latest), r.compatibility]), {align: ['left', 'right', 'right', 'left']})
    return
  }
  for (const r of rows) await out.line(`${r.name}\tid ${r.id}\tversion ${r.latest}\t${r.compatibility}`)
}

/** Prints `schema show` for `versions` of `e`. */
export async function printSchema(e: SchemaEntry, versions: readonly SchemaVersion[], out: Output): Promise<void> {
  const doc = {name: e.name, id: e.id, latest: e.versions.length, compatibility: e.compatibility, versions: versions.map(versionJson)}
  if (out.format === 'json') return out.json(doc)
  if (out.format === 'ndjson') return out.ndjson(doc)
  await out.line(`schema ${e.name} (id ${e.id}): versions 1 to ${e.versions.length}, compatibility ${e.compatibility}`)
  if (out.format === 'table') {
    await out.table(['VERSION', 'COMPATIBILITY', 'CHANGES', 'SCHEMA'], versions.map((v) => [String(v.version), v.compatibility, v.changes.map(changeText).join('; ') || '-', JSON.stringify(v.schema)]))
    return
  }
  for (const v of versions) {
    await out.line(`version ${v.version}: ${JSON.stringify(v.schema)}`)
    for (const c of v.changes) await out.line(`  ${changeText(c)}`)
  }
}

function changeText(c: SchemaVersion['changes'][number]): string {
  if (c.op === 'add') return `add ${c.field}${'default' in c ? ` default ${JSON.stringify(c.default)}` : ''}`
  if (c.op === 'remove') return `remove ${c.field}`
  if (c.op === 'rename') return `rename ${c.from} to ${c.to}`
  return `retype ${c.field} to ${c.to}`
}
