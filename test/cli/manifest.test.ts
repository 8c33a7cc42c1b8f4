/**
 * The committed oclif.manifest.json must match what the built commands
 * declare; a stale manifest makes oclif report "command not found" or show
 * old flags. Regenerate with: npx tsc -p . && npx oclif manifest
 */
import test from 'ava'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {Plugin} from '@oclif/core'
import {ROOT, strata} from './helpers.js'

test('oclif.manifest.json is fresh (same as a manifest built from dist/commands)', async (t) => {
  const committed = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {version: string; commands: Record<string, unknown>}
  const plugin = new Plugin({root: ROOT, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, respectNoCacheDefault: true})
  await plugin.load()
  const fresh = JSON.parse(JSON.stringify(plugin.manifest)) as typeof committed
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {version: string}
  t.is(committed.version, pkg.version, 'manifest version matches package.json (else oclif ignores it)')
  t.deepEqual(Object.keys(committed.commands).sort(), Object.keys(fresh.commands).sort())
  t.deepEqual(committed.commands, fresh.commands)
})

test('every command has a description, runnable examples and described flags', async (t) => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
    commands: Record<string, {summary?: string; description?: string; examples?: unknown[]; flags: Record<string, {summary?: string; description?: string}>}>
  }
  for (const id of ['init', 'put', 'get', 'delete', 'scan', 'compact', 'stats', 'digest']) {
    const c = manifest.commands[id]
    t.truthy(c, `command ${id} is in the manifest`)
    t.truthy(c.summary ?? c.description, `${id} has a description`)
    t.true((c.examples ?? []).length > 0, `${id} has examples`)
    for (const flag of ['dir', 'format']) t.truthy(c.flags[flag], `${id} has --${flag}`)
    for (const [name, f] of Object.entries(c.flags)) t.truthy(f.summary ?? f.description, `${id} --${name} is described`)
  }
})

test('help works for every command and lists the examples', async (t) => {
  for (const id of ['init', 'put', 'get', 'delete', 'scan', 'compact', 'stats', 'digest']) {
    const r = await strata([id, '--help'])
    t.is(r.code, 0, r.stderr)
    t.regex(r.stdout, /EXAMPLES/)
    t.regex(r.stdout, /--dir/)
  }
})
