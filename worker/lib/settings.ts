/** A numeric setting from a worker var: the fallback when it is missing, not a number, or below `min`. */
export function numberSetting(raw: string | undefined, fallback: number, min = 0): number {
  const value = Number(raw)
  return raw !== undefined && raw !== '' && Number.isFinite(value) && value >= min ? value : fallback
}
