/**
 * The shell examples of README.md as a list of steps to run in order.
 *
 * Sections: the level-2 sections named in `SECTIONS` with their
 * subsections. Blocks: fenced blocks whose language is a shell one
 * (console, sh, shell, bash); other blocks (NDJSON samples) are not commands.
 *
 *   console  `$ cmd` lines are commands; the lines up to the next `$ ` are the
 *            output the README shows for it (none shown means none printed).
 *   sh/bash  every line that is not blank or a `#` comment is a command, and
 *            no output is shown for it.
 *
 * In both, a command ending in `\` continues on the next line (a leading
 * `> ` prompt is dropped), and a here-document (`<<'EOF'`, `<<EOF`, `<<-EOF`)
 * takes the lines up to its terminator into the command.
 */

/** One command of the README and what the README shows it printing. */
export interface ReadmeStep {
  /** The section heading the command appears under. */
  readonly section: string
  /** The shell text (may span lines: here-documents, continuations). */
  readonly command: string
  /** The output shown (console blocks), or undefined (sh blocks: not shown). */
  readonly output?: string[]
}

/** The README sections whose examples are run. */
export const SECTIONS = ['A session', 'Commands']

const SHELL_LANGUAGES = new Set(['console', 'sh', 'shell', 'bash', 'shell-session'])

/** The lines of the level-2 sections in `SECTIONS`, each with its nearest heading. */
function sectionLines(readme: string): Array<{heading: string; line: string}> {
  const out: Array<{heading: string; line: string}> = []
  let inside = false
  let heading = ''
  let fenced = false
  for (const line of readme.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced
    if (!fenced && /^##\s/.test(line)) inside = SECTIONS.includes(line.replace(/^##\s+/, '').trim())
    if (!fenced && /^#{2,}\s/.test(line)) heading = line.replace(/^#+\s+/, '').trim()
    if (inside) out.push({heading, line})
  }
  return out
}

/** The fenced shell blocks of the selected sections. */
export function shellBlocks(readme: string): Array<{section: string; language: string; lines: string[]}> {
  const blocks: Array<{section: string; language: string; lines: string[]}> = []
  let open: {section: string; language: string; lines: string[]} | undefined
  for (const {heading, line} of sectionLines(readme)) {
    if (open === undefined) {
      const m = /^```\s*([\w-]*)/.exec(line)
      if (m) open = {section: heading, language: m[1].toLowerCase(), lines: []}
    } else if (line.startsWith('```')) {
      if (SHELL_LANGUAGES.has(open.language)) blocks.push(open)
      open = undefined
    } else {
      open.lines.push(line)
    }
  }
  return blocks
}

const HEREDOC = /<<-?\s*(['"]?)([\w.-]+)\1/

/** Takes one command starting at lines[i] (prompt already removed); returns it and the next index. */
function takeCommand(first: string, lines: string[], i: number): {command: string; next: number} {
  const parts = [first]
  let next = i + 1
  while (parts.at(-1)!.endsWith('\\') && next < lines.length) parts.push(lines[next++].replace(/^> ?/, ''))
  const doc = HEREDOC.exec(parts.join('\n'))
  if (doc) {
    const end = doc[2]
    while (next < lines.length) {
      const line = lines[next++]
      parts.push(line)
      if (line.trim() === end) break
    }
  }
  return {command: parts.join('\n'), next}
}

/** Every command of the selected sections, in README order. */
export function readmeSteps(readme: string): ReadmeStep[] {
  const steps: ReadmeStep[] = []
  for (const block of shellBlocks(readme)) {
    const {lines} = block
    let i = 0
    if (block.language === 'console' || block.language === 'shell-session') {
      while (i < lines.length) {
        if (!lines[i].startsWith('$ ')) {
          i++ // text before the first prompt
          continue
        }
        const {command, next} = takeCommand(lines[i].slice(2), lines, i)
        i = next
        const output: string[] = []
        while (i < lines.length && !lines[i].startsWith('$ ')) output.push(lines[i++])
        steps.push({section: block.section, command, output})
      }
    } else {
      while (i < lines.length) {
        const line = lines[i]
        if (line.trim() === '' || line.trim().startsWith('#')) {
          i++
          continue
        }
        const {command, next} = takeCommand(line, lines, i)
        i = next
        steps.push({section: block.section, command})
      }
    }
  }
  return steps
}
