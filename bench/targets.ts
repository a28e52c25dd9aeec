// The targets, each a figure of this run next to what it should be.

export interface Target {
  figure: string
  value: number | null
  /** e.g. "≤ 3" */
  target: string
  met: boolean
  /** How the value was measured, or why there is none. */
  note?: string
}

export const atMost = (figure: string, value: number | null, limit: number, note?: string): Target => ({
  figure,
  value,
  target: `≤ ${limit}`,
  met: value !== null && value <= limit,
  ...(note && { note }),
})

export const atLeast = (figure: string, value: number | null, limit: number, note?: string): Target => ({
  figure,
  value,
  target: `≥ ${limit}`,
  met: value !== null && value >= limit,
  ...(note && { note }),
})

/** a / b, rounded; a baseline under half a millisecond counts as half a millisecond. */
export const ratioOf = (a: number, b: number, floor = 0.5) => +(a / Math.max(b, floor)).toFixed(2)

/** The targets as aligned lines, for a person reading the run (the JSON has them too). */
export function printTargets(targets: Target[]): void {
  const width = Math.max(...targets.map((t) => t.figure.length))
  for (const t of targets) {
    const value = t.value === null ? 'n/a' : String(t.value)
    console.error(`${t.met ? 'MET ' : 'MISS'}  ${t.figure.padEnd(width)}  ${value.padStart(9)}  target ${t.target}`)
  }
}
