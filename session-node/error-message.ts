/** The message of anything thrown, for logs and failure reasons. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** A system error's code (`ENOTFOUND`, `ECONNRESET`…) when it has one, else its message. */
export const codeOf = (error: unknown): string =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : messageOf(error)
