import {readRegistry} from '../../src/index.js'
import {StrataCommand, printSchemaList, type Format} from '../../src/cli/index.js'

/** JSON output: {"schemas": [{"name", "id", "latest", "compatibility"}...]}. */
export default class SchemaList extends StrataCommand {
  static override summary = 'List the registered value schemas.'
  static override description = `One row per schema name: its id (the number records carry), its latest version and its compatibility mode. A store without schemas lists nothing (exit 0). Reads never take the writer lock. Exit codes: 0 ok, 2 not a store, 3 registry damaged.`

  static override examples = [
    {description: 'List the schemas.', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'As JSON.', command: '<%= config.bin %> <%= command.id %> --format json'},
  ]

  protected override defaultFormat(): Format {
    return this.stdoutIsTTY ? 'table' : 'text'
  }

  async run(): Promise<void> {
    const {flags} = await this.parseCommand(SchemaList)
    await (await this.openReader(flags.dir)).close()
    await printSchemaList(readRegistry(flags.dir).list(), this.output)
  }
}
