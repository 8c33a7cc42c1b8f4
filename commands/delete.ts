import {
  Args, StrataCommand, checkKey, decodeArgument, keyEncodingFlag, lockTimeoutFlag, parseDuration,
} from '../src/cli/index.js'

/** JSON output: {"deleted": number, "absent": number}. */
export default class Delete extends StrataCommand {
  static override summary = 'Delete one or more keys.'
  static override description = `Writes a delete tombstone for each key that exists. Keys that do not exist (or have expired) are counted as absent and left alone, so deleting is idempotent and exits 0.

The deletes are one batch: each shard's part of it is atomic. The command exits 0 once they are on stable storage.`

  static override examples = [
    {description: 'Delete a key.', command: '<%= config.bin %> <%= command.id %> user:1'},
    {description: 'Delete several keys, one given in hex.', command: '<%= config.bin %> <%= command.id %> 00ff 0a0b --key-encoding hex'},
  ]

  static override strict = false

  static override args = {
    key: Args.string({description: 'Key(s) to delete, in --key-encoding.', required: true, ignoreStdin: true}),
  }

  static override flags = {
    'lock-timeout': lockTimeoutFlag,
    'key-encoding': keyEncodingFlag,
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parseCommand(Delete)
    const texts = argv as string[]
    const keys = texts.map((t, i) => decodeArgument(t, flags['key-encoding'], texts.length === 1 ? 'key' : `key ${i + 1}`, '--key-encoding'))
    keys.forEach((k, i) => checkKey(k, texts.length === 1 ? 'key' : `key ${i + 1}`))
    const lockTimeoutMs = parseDuration(flags['lock-timeout'], {what: '--lock-timeout', allowZero: true})

    const store = await this.openWriter(flags.dir, {sync: 'always', lockTimeoutMs})
    const deleted = await this.using(store, async (s) => {
      // Holding the writer lock, so nothing changes between the look-up and the delete.
      const present = []
      for (const key of keys) if (await s.get(key)) present.push(key)
      const unique = [...new Map(present.map((k) => [k.toString('hex'), k])).values()]
      if (unique.length > 0) await s.batch(unique.map((key) => ({type: 'del' as const, key})))
      return unique.length
    })
    const uniqueAsked = new Set(keys.map((k) => k.toString('hex'))).size
    const absent = uniqueAsked - deleted
    await this.output.document(
      {deleted, absent},
      `deleted ${deleted} key${deleted === 1 ? '' : 's'}${absent > 0 ? ` (${absent} absent)` : ''}`,
      [['deleted', String(deleted)], ['absent', String(absent)]],
    )
  }
}
