// The loader hooks of record-modules.mjs: logs each resolved ES module URL.
import {appendFileSync} from 'node:fs'

let log
export function initialize(data) {
  log = data.log
}
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context)
  appendFileSync(log, r.url + '\n')
  return r
}
