/**
 * The `user` schema of the original systems, versions 1 to 4: v2 retypes
 * `age` from string to integer (a conversion that fails on some strings, so
 * registered under NONE), v3 adds `city` with a default (BACKWARD again),
 * v4 removes `nickname` and closes the object.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type {ExecutionContext} from 'ava'
import {newStore, strata, tempDir} from '../cli/helpers.js'

export const USER_V1 = {
  version: 1,
  schema: {type: 'object', properties: {name: {type: 'string'}, age: {type: 'string'}, nickname: {type: 'string'}}, required: ['name', 'age']},
}
export const USER_V2 = {
  version: 2,
  compatibility: 'NONE',
  schema: {type: 'object', properties: {name: {type: 'string'}, age: {type: 'integer'}, nickname: {type: 'string'}}, required: ['name', 'age']},
  changes: [{op: 'retype', field: 'age', to: 'integer'}],
}
export const USER_V3 = {
  version: 3,
  compatibility: 'BACKWARD',
  schema: {type: 'object', properties: {name: {type: 'string'}, age: {type: 'integer'}, nickname: {type: 'string'}, city: {type: 'string'}}, required: ['name', 'age', 'city']},
  changes: [{op: 'add', field: 'city', default: 'unknown'}],
}
export const USER_V4 = {
  version: 4,
  schema: {type: 'object', properties: {name: {type: 'string'}, age: {type: 'integer'}, city: {type: 'string'}}, required: ['name', 'age', 'city'], additionalProperties: false},
  changes: [{op: 'remove', field: 'nickname'}],
}
export const USER_VERSIONS = [USER_V1, USER_V2, USER_V3, USER_V4]

/** Writes the four registration files into `dir`; returns their paths. */
export function writeUserFiles(dir: string): string[] {
  return USER_VERSIONS.map((doc) => {
    const p = path.join(dir, `user-v${doc.version}.json`)
    fs.writeFileSync(p, JSON.stringify(doc))
    return p
  })
}

/** A store with user v1-v4 registered and records at each version. */
export async function fixtureStore(t: ExecutionContext): Promise<string> {
  const dir = await newStore(t, 3)
  for (const [i, file] of writeUserFiles(tempDir(t)).entries()) {
    const r = await strata(['schema', 'add', '--dir', dir, 'user', '--file', file, '--format', 'json'])
    t.is(r.code, 0, r.stderr)
    t.like(JSON.parse(r.stdout), {name: 'user', id: 1, version: i + 1, created: true})
  }
  const puts: Array<[string, string, string]> = [
    ['u:1', '{"name":"ann","age":"41","nickname":"a"}', 'user@1'],
    ['u:2', '{"name":"bob","age":33,"nickname":"b"}', 'user@2'],
    ['u:3', '{"name":"cy","age":20,"city":"Oslo"}', 'user@3'],
    ['u:4', '{"name":"di","age":50,"city":"Rome"}', 'user'],
  ]
  for (const [k, v, s] of puts) {
    const r = await strata(['put', '--dir', dir, k, v, '--schema', s])
    t.is(r.code, 0, r.stderr)
  }
  t.is((await strata(['put', '--dir', dir, 'plain', 'hello'])).code, 0)
  t.is((await strata(['put', '--dir', dir, 'doc', '{"age":"7"}', '--json'])).code, 0)
  return dir
}


/** The fixture's user records as version 4 reads them. */
export const USERS_AT_V4: Record<string, unknown> = {
  'u:1': {name: 'ann', age: 41, city: 'unknown'},
  'u:2': {name: 'bob', age: 33, city: 'unknown'},
  'u:3': {name: 'cy', age: 20, city: 'Oslo'},
  'u:4': {name: 'di', age: 50, city: 'Rome'},
}
