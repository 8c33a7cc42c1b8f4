// Preloaded with `node --import` by tests that prove a command does not load
// a heavy package: at exit, writes to $STRATA_MODULE_LOG every CommonJS module
// the process loaded and every ES module it resolved, one per line.
import {appendFileSync, writeFileSync} from 'node:fs'
import {createRequire, register} from 'node:module'

const log = process.env.STRATA_MODULE_LOG
if (log) {
  writeFileSync(log, '')
  register('./record-modules-hooks.mjs', import.meta.url, {data: {log}})
  const cache = createRequire(import.meta.url).cache
  process.on('exit', () => appendFileSync(log, Object.keys(cache).join('\n') + '\n'))
}
