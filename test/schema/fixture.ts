/**
 * The `user` schema of the original systems, versions 1 to 4: v2 retypes
 * `age` from string to integer (a conversion that fails on some strings, so
 * registered under NONE), v3 adds `city` with a default (BACKWARD again),
 * v4 removes `nickname` and closes the object.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'

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
