// Runs a benchmark that needs a process of its own (its own stack, or the Workers test pool)
// and reads the JSON it prints last.
import { spawn } from 'node:child_process'

export function runChildBench<T>(label: string, command: string[], env: Record<string, string>): Promise<T> {
  const [file, ...args] = command
  return new Promise((resolve, reject) => {
    const child = spawn(file!, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.on('exit', (code) => {
      // The figures: a line `BENCH_JSON {...}`, or else the last JSON object printed.
      const marked = /BENCH_JSON (\{.*\})/.exec(out)?.[1]
      const start = out.lastIndexOf('\n{')
      const text = marked ?? (start >= 0 ? out.slice(start + 1) : out.startsWith('{') ? out : '')
      try {
        if (code !== 0) throw new Error(`exited ${code}`)
        resolve(JSON.parse(text.slice(0, text.lastIndexOf('}') + 1)) as T)
      } catch (error) {
        reject(new Error(`${label}: ${String(error)}\n${out.slice(-2000)}`))
      }
    })
  })
}
