#!/usr/bin/env node
// `strata get` with plain arguments skips loading oclif (most of start-up
// time); everything else, and any get it does not handle, goes to oclif.
let handled = false
if (process.argv[2] === 'get') {
  const {tryFastGet} = await import('../dist/src/cli/fast-path.js')
  handled = await tryFastGet(process.argv.slice(3))
}
if (!handled) {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
