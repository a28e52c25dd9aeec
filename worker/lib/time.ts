/** A stored time (Date or epoch ms) as the API shows it: ISO 8601 in UTC; null stays null. */
export const iso = (time: Date | number | null | undefined) => (time === null || time === undefined ? null : new Date(time).toISOString())

/** The UTC day (YYYY-MM-DD) of an epoch-ms time. */
export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)
