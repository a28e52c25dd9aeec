/** The message of anything thrown, for logs and failure reasons. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))
