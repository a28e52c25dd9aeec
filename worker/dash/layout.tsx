// The page frame: doctype (no quirks mode), our stylesheet and scripts as files (the CSP forbids
// inline ones), htmx told not to inject its inline style, and the navigation of who is signed in.
import type { Child } from 'hono/jsx'
import { raw } from 'hono/html'
import { ASSET_VERSION } from './static'

export type Nav = 'company' | 'operator' | 'none'

const COMPANY_LINKS: Array<[string, string]> = [
  ['/dash/devices', 'Devices'],
  ['/dash/messages', 'Messages'],
  ['/dash/batches', 'Batches'],
  ['/dash/usage', 'Usage'],
  ['/dash/webhooks', 'Webhooks'],
  ['/dash/api-keys', 'API keys'],
]
const OPERATOR_LINKS: Array<[string, string]> = [
  ['/dash/admin/companies', 'Companies'],
  ['/dash/admin/nodes', 'Session nodes'],
]

export function Layout(props: { title: string; nav: Nav; who?: string; children: Child }) {
  const links = props.nav === 'company' ? COMPANY_LINKS : props.nav === 'operator' ? OPERATOR_LINKS : []
  const signOut = props.nav === 'operator' ? '/dash/admin/logout' : '/dash/logout'
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="htmx-config" content='{"includeIndicatorStyles":false}' />
          <link rel="icon" href="data:," />
          <title>{`${props.title} · Edge WhatsApp API`}</title>
          <link rel="stylesheet" href={`/dash/static/dash-${ASSET_VERSION}.css`} />
          <script defer src="/dash/static/htmx-2.0.11.min.js"></script>
          <script defer src="/dash/static/htmx-ext-sse-2.2.4.min.js"></script>
          <script defer src={`/dash/static/dash-${ASSET_VERSION}.js`}></script>
        </head>
        <body>
          <header class="top">
            <strong>Edge WhatsApp API</strong>
            {links.length > 0 && (
              <nav aria-label="Main">
                {links.map(([href, label]) => (
                  <a href={href}>{label}</a>
                ))}
              </nav>
            )}
            {props.nav !== 'none' && (
              <form method="post" action={signOut}>
                <span class="muted">{props.who} </span>
                <button class="secondary" type="submit">
                  Sign out
                </button>
              </form>
            )}
          </header>
          <main>{props.children}</main>
        </body>
      </html>
    </>
  )
}
