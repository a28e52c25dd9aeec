// `npm run openapi`: writes the OpenAPI document the worker serves to clients/openapi.json (what
// the lint, the typed client and other generators read), from a short-lived local worker.
// A Workers-runtime test fails when the committed file differs from what the worker serves.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, ROOT, startStack } from './stack'

export const OPENAPI_FILE = join(ROOT, 'clients/openapi.json')

const stack = await startStack({ port: await freePort(), stateDir: join(ROOT, '.dev/openapi'), nodes: 0 })
try {
  const document = await (await fetch(`${stack.baseUrl}/api/openapi.json`)).json()
  writeFileSync(OPENAPI_FILE, `${JSON.stringify(document, null, 2)}\n`)
  console.log(`wrote ${OPENAPI_FILE}`)
} finally {
  await stack.stop()
}
