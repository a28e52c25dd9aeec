// How a Durable Object's runtime entry points stay robust: nothing escapes them, and one failing
// step of a change never skips the steps after it.

/**
 * Runs one runtime entry point (webSocketMessage, webSocketClose, webSocketError) so that nothing
 * escapes it: a failure is logged with who it concerns and swallowed, because the runtime has
 * nobody to report it to and an escaped error would only drop the socket.
 */
export async function guardEntryPoint(
  entry: string,
  context: Record<string, unknown> | (() => Record<string, unknown>),
  run: () => Promise<void> | void,
): Promise<void> {
  try {
    await run()
  } catch (error) {
    // Worked out only when there is something to log: it reads state, and frames are many.
    const who = typeof context === 'function' ? context() : context
    console.error(JSON.stringify({ level: 'error', msg: `${entry} failed`, ...who, error: String(error) }))
  }
}

/**
 * Runs independent steps of one change in order; a failing step is logged and the next one
 * still runs (the status mirror failing must not keep the outbox from resuming).
 */
export async function runEachStep(context: Record<string, unknown>, steps: Array<[name: string, run: () => unknown]>): Promise<void> {
  for (const [name, run] of steps) {
    try {
      await run()
    } catch (error) {
      console.error(JSON.stringify({ level: 'error', msg: `step failed: ${name}`, ...context, error: String(error) }))
    }
  }
}
