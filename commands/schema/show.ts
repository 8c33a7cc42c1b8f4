import {parseSchemaSpec, readRegistry} from '../../src/index.js'
import {Args, StrataCommand, printSchema} from '../../src/cli/index.js'

/**
 * JSON output: {"name", "id", "latest", "compatibility", "versions": [{"version", "compatibility", "schema", "changes"}...]}
 * (NAME@V: that version only).
 */
export default class SchemaShow extends StrataCommand {
  static override summary = 'Show a value schema\'s versions, or one version.'
  static override description = `NAME shows every version: its JSON Schema, compatibility mode and the changes from the version before. NAME@V shows version V only. Exit codes: 0 ok, 1 no such schema or version, 2 not a store, 3 registry damaged.`

  static override examples = [
    {description: 'Every version of "user".', command: '<%= config.bin %> <%= command.id %> user'},
    {description: 'Version 2 as JSON.', command: '<%= config.bin %> <%= command.id %> user@2 --format json'},
  ]

  static override args = {
    schema: Args.string({description: 'NAME or NAME@VERSION.', required: true}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parseCommand(SchemaShow)
    const spec = parseSchemaSpec(args.schema)
    await (await this.openReader(flags.dir)).close()
    const registry = readRegistry(flags.dir)
    const v = registry.resolve(spec.name, spec.version)
    const entry = registry.find(spec.name)!
    await printSchema(entry, spec.version === undefined ? entry.versions : [v], this.output)
  }
}
