// A process started by another one (a session node under `npm run dev`, the wrangler wrapper)
// must not outlive it: when the parent dies without a word (kill -9, a closed terminal), the
// child is re-parented and `process.ppid` changes. Checked every PARENT_CHECK_MS.
const PARENT_CHECK_MS = 500

/** Calls `onOrphaned` once if this process loses the parent it started with. */
export function onParentDeath(onOrphaned: () => void): () => void {
  const parent = process.ppid
  const timer = setInterval(() => {
    if (process.ppid === parent) return
    clearInterval(timer)
    onOrphaned()
  }, PARENT_CHECK_MS)
  timer.unref()
  return () => clearInterval(timer)
}
