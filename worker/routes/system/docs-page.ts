// A readable API reference that works offline: the page is self-contained (no CDN script) and
// renders /api/openapi.json in the browser.
export const docsPage = (specUrl: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Edge WhatsApp API reference</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1c1e21;background:#f6f7f9}
header{background:#075e54;color:#fff;padding:16px 32px}header h1{margin:0;font-size:22px}
main{max-width:1000px;margin:0 auto;padding:16px 32px}
section.op{background:#fff;border:1px solid #dde1e6;border-radius:6px;margin:12px 0;padding:12px 16px}
.m{display:inline-block;min-width:64px;font-weight:700;text-transform:uppercase;font-family:monospace}
.get{color:#0a7d32}.post{color:#0b5cad}.put,.patch{color:#a35c00}.delete{color:#b3261e}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f0f2f5;padding:8px;border-radius:4px;overflow:auto}
h2{margin-top:28px;border-bottom:1px solid #dde1e6}details summary{cursor:pointer}
.codes{color:#555;font-size:13px}
</style></head>
<body><header><h1 id="title">API reference</h1><div id="sub"></div></header>
<main id="root">Loading <a href="${specUrl}">${specUrl}</a>…</main>
<script>
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (ch) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[ch]));
const pretty = (value) => esc(JSON.stringify(value, null, 2));
const deref = (spec, s) => { while (s && s.$ref) s = s.$ref.split('/').slice(1).reduce((o, k) => o[k], spec); return s; };
function example(spec, s, depth = 0) {
  s = deref(spec, s); if (!s || depth > 6) return null;
  if (s.example !== undefined) return s.example;
  if (s.anyOf || s.oneOf) return example(spec, (s.anyOf || s.oneOf)[0], depth + 1);
  if (s.enum) return s.enum[0];
  if (s.type === 'object' || s.properties) {
    return Object.fromEntries(Object.entries(s.properties || {}).map(([k, v]) => [k, example(spec, v, depth + 1)]));
  }
  if (s.type === 'array') return [example(spec, s.items, depth + 1)];
  return { string: 'string', integer: 0, number: 0, boolean: true }[Array.isArray(s.type) ? s.type[0] : s.type] ?? null;
}
fetch(${JSON.stringify(specUrl)}).then((r) => r.json()).then((spec) => {
  document.getElementById('title').textContent = spec.info.title + ' ' + spec.info.version;
  document.getElementById('sub').textContent = spec.info.description || '';
  const byTag = {};
  for (const [path, ops] of Object.entries(spec.paths)) for (const [method, op] of Object.entries(ops)) {
    (byTag[(op.tags || ['Other'])[0]] ||= []).push({ path, method, op });
  }
  let html = '';
  for (const [tag, ops] of Object.entries(byTag)) {
    html += '<h2>' + esc(tag) + '</h2>';
    for (const { path, method, op } of ops) {
      const body = op.requestBody && op.requestBody.content['application/json'];
      const okCode = Object.keys(op.responses).find((c) => c.startsWith('2'));
      const okBody = okCode && op.responses[okCode].content && op.responses[okCode].content['application/json'];
      const errors = Object.entries(op.responses).filter(([c]) => !c.startsWith('2')).map(([c, r]) => c + ': ' + r.description).join(' · ');
      html += '<section class="op"><div><span class="m ' + method + '">' + method + '</span> <code>' + esc(path) + '</code></div>'
        + '<div>' + esc(op.summary) + '</div>'
        + (body ? '<details><summary>Request body</summary><pre>' + pretty(example(spec, body.schema)) + '</pre></details>' : '')
        + (okBody
          ? '<details><summary>Response ' + okCode + '</summary><pre>' + pretty(example(spec, okBody.schema)) + '</pre></details>'
          : '')
        + (errors ? '<div class="codes">Errors: ' + esc(errors) + '</div>' : '') + '</section>';
    }
  }
  document.getElementById('root').innerHTML = html;
}).catch((e) => { document.getElementById('root').textContent = 'Could not load the OpenAPI document: ' + e; });
</script></body></html>`
