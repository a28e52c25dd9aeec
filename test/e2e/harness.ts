// Helpers for end-to-end tests: real processes, real ports, plain HTTP.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { vi } from 'vitest'
import { freePort, ROOT } from '../../scripts/stack'
import type { AdminData, Body, Method, PublicData } from '../support/api-types'

export { freePort }

export const tempDir = (label: string) => mkdtempSync(join(tmpdir(), `wa-${label}-`))

export interface DevProcess {
  child: ChildProcess
  output: () => string
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpExecArray>
  exited: Promise<number | null>
}

/**
 * `npm run dev` as a developer starts it, with its output captured: the dev script itself
 * (`node --import tsx scripts/dev.ts`, what the npm script runs), or `npm run dev` with `viaNpm`.
 * `detached` puts it in a process group of its own, as a shell does with a job.
 */
export function startDev(env: NodeJS.ProcessEnv, options: { viaNpm?: boolean; detached?: boolean } = {}): DevProcess {
  const [command, args] = options.viaNpm ? ['npm', ['run', '--silent', 'dev']] : [process.execPath, ['--import', 'tsx', 'scripts/dev.ts']]
  const child = spawn(command, args as string[], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  })
  let text = ''
  const listeners = new Set<() => void>()
  const onData = (chunk: Buffer) => {
    text += chunk.toString()
    for (const listener of listeners) listener()
  }
  child.stdout?.on('data', onData)
  child.stderr?.on('data', onData)
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const waitFor = (pattern: RegExp, timeoutMs = 90_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(text)
        if (match) {
          listeners.delete(check)
          clearTimeout(timer)
          resolve(match)
        }
      }
      const timer = setTimeout(() => {
        listeners.delete(check)
        reject(new Error(`timed out waiting for ${pattern}; output so far:\n${text}`))
      }, timeoutMs)
      listeners.add(check)
      check()
    })
  return { child, output: () => text, waitFor, exited }
}

/** A response read as the envelope; `D` is the `data` of a success. */
export async function json<D = unknown>(res: Response): Promise<{ status: number; body: Body<D> }> {
  return { status: res.status, body: (await res.json()) as Body<D> }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Polls `probe` every 100 ms until it returns something other than undefined. */
export function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string | (() => string)): Promise<T> {
  return vi.waitFor(
    async () => {
      const value = await probe()
      if (value === undefined) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`)
      return value
    },
    { timeout: timeoutMs, interval: 100 },
  )
}

/** Plain-HTTP clients of a running stack: the public API with the dev key, and the admin API. */
export function clientsOf(stack: { baseUrl: string; adminToken: string; credentials: { apiKey: string } }) {
  const call = async <D>(path: string, method: string, headers: Record<string, string>, body?: unknown) => {
    const res = await fetch(`${stack.baseUrl}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: res.status, headers: res.headers, body: (await res.json()) as Body<D> }
  }
  return {
    api: <M extends Method, P extends string>(method: M, path: P, body?: unknown, headers: Record<string, string> = {}) =>
      call<PublicData<M, P>>(`/api/whatsapp${path}`, method, { 'X-API-Key': stack.credentials.apiKey, ...headers }, body),
    admin: <M extends Method, P extends string>(method: M, path: P, body?: unknown) =>
      call<AdminData<M, P>>(`/api/admin${path}`, method, { Authorization: `Bearer ${stack.adminToken}` }, body),
  }
}
