// The version this node runs (the repository's package.json), told to the fleet in its hello and
// shown in the admin node list, so an operator sees which hosts a rolling upgrade has reached.
import { readFileSync } from 'node:fs'

export const NODE_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version
