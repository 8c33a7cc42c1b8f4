import {registerSchema} from '../../src/index.js'
import {Args, CliError, Flags, StrataCommand, lockTimeoutFlag, parseDuration, readValue} from '../../src/cli/index.js'
import {ErrorCode} from '../../src/index.js'

/** JSON output: {"name", "id", "version", "compatibility", "created"}. */
export default class SchemaAdd extends StrataCommand {
  static override summary = 'Register the next version of a value schema.'
  static override description = `FILE holds {"version": V, "schema": {...}, "changes": [...], "compatibility": "BACKWARD"}: the version's JSON Schema (draft 2020-12) and, from version 2 on, the ordered changes from the previous version:
  {"op": "add", "field": "a.b", "default": ...}
  {"op": "remove", "field": "x"}
  {"op": "rename", "from": "x", "to": "y"}
  {"op": "retype", "field": "x", "to": "string|number|integer|boolean|iso-date|epoch-ms"}
"compatibility" (BACKWARD by default, FORWARD, FULL, their _TRANSITIVE forms, or NONE) is set per schema name and applies from this version on. A version that breaks the mode is refused, naming the field and the rule. Registering the same version again with the same contents changes nothing. Takes the writer lock.

Exit codes: 0 registered (or already registered), 2 bad file, a version out of order or incompatible, 3 registry damaged, 4 busy.`

  static override examples = [
    {description: 'Register version 1 of schema "user".', command: `<%= config.bin %> <%= command.id %> user --file <(echo '{"version":1,"schema":{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"string"}},"required":["name"]}}')`},
    {description: 'Version 2: age becomes an integer (a conversion that can fail, so registered without a compatibility check).', command: `<%= config.bin %> <%= command.id %> user --format json --file <(echo '{"version":2,"compatibility":"NONE","schema":{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name"]},"changes":[{"op":"retype","field":"age","to":"integer"}]}')`},
  ]

  static override args = {
    name: Args.string({description: 'Schema name: a letter, then letters, digits, "_" or "-".', required: true}),
  }

  static override flags = {
    file: Flags.string({char: 'f', summary: 'The registration document (JSON); "-" reads stdin.', required: true, helpValue: 'FILE'}),
    'lock-timeout': lockTimeoutFlag,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parseCommand(SchemaAdd)
    const lockTimeoutMs = parseDuration(flags['lock-timeout'], {what: '--lock-timeout', allowZero: true})
    const text = await readValue(flags.file === '-' ? {arg: '-', encoding: 'utf8'} : {file: flags.file, encoding: 'utf8'})
    let doc: unknown
    try {
      doc = JSON.parse(text.toString('utf8'))
    } catch (err) {
      throw new CliError(ErrorCode.INVALID_ARGUMENT, `--file ${flags.file} is not JSON: ${(err as Error).message}`)
    }
    const r = await registerSchema(flags.dir, args.name, doc, {lockTimeoutMs})
    await this.output.document(r,
      r.created ? `registered ${r.name} version ${r.version} (id ${r.id}, ${r.compatibility})` : `${r.name} version ${r.version} is already registered with these contents`,
      [['name', r.name], ['id', String(r.id)], ['version', String(r.version)], ['compatibility', r.compatibility], ['created', String(r.created)]])
  }
}
