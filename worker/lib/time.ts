/** A stored time (Date or epoch ms) as the API shows it: ISO 8601 in UTC; null stays null. */
export const iso = (time: Date | number | null | undefined) => (time === null || time === undefined ? null : new Date(time).toISOString())
