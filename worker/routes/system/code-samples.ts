// Request examples for the docs page, in the four languages clients use most (curl, Python,
// JavaScript, PHP), added to each operation as `x-codeSamples` (which Redoc shows). Built from the
// operation's own method, path, auth and body example, so they never drift from the contract.
type Json = Record<string, unknown>
interface Operation {
  security?: Array<Record<string, string[]>>
  requestBody?: { content?: Record<string, { schema?: Json }> }
  parameters?: Array<{ in: string; name: string; required?: boolean; example?: unknown }>
  'x-codeSamples'?: Array<{ lang: string; label: string; source: string }>
}

const PATH_EXAMPLES: Record<string, string> = {
  id: '1',
  message_id: 'msg_1_Ab3dEf6hIj9kLm2nOp5q',
  batch_id: 'bat_1_Ab3dEf6hIj9kLm2nOp5q',
  delivery_id: 'dlv_Ab3dEf6hIj9kLm2nOp5q',
}

function bodyExample(document: Json, operation: Operation): unknown {
  let schema = operation.requestBody?.content?.['application/json']?.schema
  const components = (document.components as { schemas?: Record<string, Json> } | undefined)?.schemas ?? {}
  if (schema && typeof schema.$ref === 'string') schema = components[schema.$ref.split('/').pop()!]
  return schema?.example
}

function samples(method: string, path: string, operation: Operation, body: unknown) {
  const url = `$BASE_URL${path.replace(/\{(\w+)\}/g, (_, name: string) => PATH_EXAMPLES[name] ?? '1')}`
  const admin = operation.security?.some((s) => 'AdminToken' in s) ?? false
  const open = operation.security?.length === 0
  const [header, value, env] = admin ? ['Authorization', 'Bearer $ADMIN_TOKEN', 'ADMIN_TOKEN'] : ['X-API-Key', '$API_KEY', 'API_KEY']
  const json = body === undefined ? null : JSON.stringify(body, null, 2)
  const upper = method.toUpperCase()
  const curl = [
    `curl -X ${upper} "${url}"`,
    ...(open ? [] : [`  -H "${header}: ${value}"`]),
    ...(json ? [`  -H "Content-Type: application/json"`, `  -d '${JSON.stringify(body)}'`] : []),
  ].join(' \\\n')
  const pyHeaders = open
    ? ''
    : admin
      ? `headers={"Authorization": f"Bearer {os.environ['${env}']}"}`
      : `headers={"X-API-Key": os.environ["${env}"]}`
  const python = [
    'import os, requests',
    '',
    `response = requests.${method}(`,
    `    f"{os.environ['BASE_URL']}${path.replace(/\{(\w+)\}/g, (_, name: string) => PATH_EXAMPLES[name] ?? '1')}",`,
    ...(pyHeaders ? [`    ${pyHeaders},`] : []),
    ...(json
      ? [
          `    json=${json
            .replace(/\n/g, '\n    ')
            .replace(/\btrue\b/g, 'True')
            .replace(/\bfalse\b/g, 'False')
            .replace(/\bnull\b/g, 'None')},`,
        ]
      : []),
    ')',
    'print(response.json())',
  ].join('\n')
  const jsHeaders = [
    ...(open ? [] : [admin ? `Authorization: \`Bearer \${process.env.${env}}\`` : `'X-API-Key': process.env.${env}`]),
    ...(json ? [`'Content-Type': 'application/json'`] : []),
  ]
  const javascript = [
    `const response = await fetch(\`\${process.env.BASE_URL}${url.slice('$BASE_URL'.length)}\`, {`,
    `  method: '${upper}',`,
    ...(jsHeaders.length ? [`  headers: { ${jsHeaders.join(', ')} },`] : []),
    ...(json ? [`  body: JSON.stringify(${json.replace(/\n/g, '\n  ')}),`] : []),
    '})',
    'console.log(await response.json())',
  ].join('\n')
  const phpHeaders = [
    ...(open ? [] : [admin ? `'Authorization: Bearer ' . getenv('${env}')` : `'X-API-Key: ' . getenv('${env}')`]),
    ...(json ? [`'Content-Type: application/json'`] : []),
  ]
  const php = [
    '<?php',
    `$ch = curl_init(getenv('BASE_URL') . '${url.slice('$BASE_URL'.length)}');`,
    `curl_setopt($ch, CURLOPT_CUSTOMREQUEST, '${upper}');`,
    'curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);',
    ...(phpHeaders.length ? [`curl_setopt($ch, CURLOPT_HTTPHEADER, [${phpHeaders.join(', ')}]);`] : []),
    ...(json ? [`curl_setopt($ch, CURLOPT_POSTFIELDS, json_encode(${phpArray(body)}));`] : []),
    'echo curl_exec($ch);',
  ].join('\n')
  return [
    { lang: 'Shell', label: 'curl', source: curl },
    { lang: 'Python', label: 'Python', source: python },
    { lang: 'JavaScript', label: 'JavaScript', source: javascript },
    { lang: 'PHP', label: 'PHP', source: php },
  ]
}

/** A JSON value as a PHP literal. */
function phpArray(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(phpArray).join(', ')}]`
  if (value !== null && typeof value === 'object') {
    return `[${Object.entries(value)
      .map(([k, v]) => `'${k}' => ${phpArray(v)}`)
      .join(', ')}]`
  }
  return typeof value === 'string' ? `'${value.replace(/'/g, "\\'")}'` : JSON.stringify(value)
}

export function addCodeSamples(document: Json): Json {
  const paths = (document.paths ?? {}) as Record<string, Record<string, Operation>>
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(item)) {
      operation['x-codeSamples'] = samples(method, path, operation, bodyExample(document, operation))
    }
  }
  return document
}
