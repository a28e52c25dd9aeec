// Cold start of `npm run dev`: from spawning it (fresh state) to the first 200 on an
// authenticated request with the key it prints.
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../scripts/stack'

export async function measureColdStart(port: number): Promise<{ msToFirst200: number }> {
  const startedAt = performance.now()
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/dev.ts'], {
    cwd: ROOT,
    env: { ...process.env, DEV_PORT: String(port), DEV_STATE_DIR: mkdtempSync(join(tmpdir(), 'wa-bench-')), DEV_SESSION_NODES: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  try {
    let output = ''
    const key = await new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        const match = /API key:\s+(wak_\w+)/.exec(output)
        if (match?.[1]) resolve(match[1])
      })
      child.on('exit', (code) => reject(new Error(`npm run dev exited ${code}`)))
    })
    for (;;) {
      const res = await fetch(`http://127.0.0.1:${port}/api/whatsapp/devices`, { headers: { 'X-API-Key': key } }).catch(() => null)
      if (res?.status === 200) return { msToFirst200: Math.round(performance.now() - startedAt) }
      await new Promise((r) => setTimeout(r, 50))
    }
  } finally {
    child.kill('SIGINT')
    await new Promise((r) => child.once('exit', r))
  }
}
