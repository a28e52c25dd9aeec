// The house rules a newcomer can rely on, checked on every run: source files stay small enough
// to read in one sitting, and lines fit on a screen. Generated files are exempt (never edited
// by hand).
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../../scripts/stack'

const MAX_LINES = 300
const MAX_LINE_CHARS = 140
const SOURCE = /\.(ts|tsx|mjs|js|sh|php|py)$/
// Generated, or vendored as released (npm run vendor).
const GENERATED = [
  'worker-configuration.d.ts',
  'migrations/',
  'clients/typescript/src/generated/',
  'worker/dash/static/vendor/',
  'worker/routes/system/vendor/',
]

const sources = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((path) => SOURCE.test(path) && !GENERATED.some((generated) => path.startsWith(generated)))

const linesOf = (path: string) => readFileSync(`${ROOT}/${path}`, 'utf8').split('\n')

describe('house rules', () => {
  it('finds the sources it checks', () => {
    expect(sources).toContain('worker/durable-objects/device/device-do.ts')
  })

  it(`keeps every source file at ${MAX_LINES} lines or fewer`, () => {
    const long = sources.map((path) => ({ path, lines: linesOf(path).length - 1 })).filter((file) => file.lines > MAX_LINES)
    expect(long).toEqual([])
  })

  it(`keeps every line at ${MAX_LINE_CHARS} characters or fewer`, () => {
    const wide = sources.flatMap((path) =>
      linesOf(path)
        .map((line, index) => ({ at: `${path}:${index + 1}`, chars: [...line].length }))
        .filter((line) => line.chars > MAX_LINE_CHARS),
    )
    expect(wide).toEqual([])
  })
})
