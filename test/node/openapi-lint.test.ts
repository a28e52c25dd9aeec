// The OpenAPI document generators and linters read (clients/openapi.json, kept equal to what the
// worker serves by test/worker/openapi.test.ts) passes Redocly's recommended rules with no error
// and no warning.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../../scripts/stack'

describe('the OpenAPI document', () => {
  it('passes redocly lint (recommended) with 0 errors and 0 warnings', () => {
    const output = execFileSync(join(ROOT, 'node_modules/.bin/redocly'), ['lint', 'clients/openapi.json', '--format=json'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const report = JSON.parse(output) as {
      totals: { errors: number; warnings: number }
      problems: Array<{ ruleId: string; message: string }>
    }
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([])
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 })
  }, 60_000)
})
