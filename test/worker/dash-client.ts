// A browser's view of the dashboard for tests in the Workers runtime: form posts from the same
// origin (as a browser sends them), cookies kept like a browser keeps them.
import { exports } from 'cloudflare:workers'
import { ADMIN_TOKEN, admin, issueKey } from './helpers'

export const ORIGIN = 'http://api.test'

export interface Page {
  status: number
  headers: Headers
  text: string
}

export function browser() {
  const jar = new Map<string, string>()
  const remember = (res: Response) => {
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const [name, ...value] = pair!.split('=')
      if (/Max-Age=0/i.test(cookie) || value.join('=') === '') jar.delete(name!)
      else jar.set(name!, value.join('='))
    }
  }
  const request = async (method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}) => {
    const init: RequestInit = {
      method,
      redirect: 'manual',
      headers: { Cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), ...headers },
    }
    if (form) {
      init.body = new URLSearchParams(form)
      init.headers = { ...init.headers, 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN, ...headers }
    }
    const res = await exports.default.fetch(new Request(`${ORIGIN}${path}`, init))
    remember(res)
    return res
  }
  const page = async (method: string, path: string, form?: Record<string, string>, headers?: Record<string, string>): Promise<Page> => {
    const res = await request(method, path, form, headers)
    return { status: res.status, headers: res.headers, text: await res.text() }
  }
  return {
    jar,
    request,
    get: (path: string, headers?: Record<string, string>) => page('GET', path, undefined, headers),
    post: (path: string, form: Record<string, string> = {}, headers?: Record<string, string>) => page('POST', path, form, headers),
  }
}

/** A browser signed in to a company with a fresh key of `companyId`. */
export async function signedIn(companyId: number) {
  const { key } = await issueKey(companyId)
  const b = browser()
  const res = await b.post('/dash/login', { api_key: key })
  if (res.status !== 303) throw new Error(`sign-in: ${res.status} ${res.text.slice(0, 300)}`)
  return b
}

export async function operator() {
  const b = browser()
  const res = await b.post('/dash/admin/login', { admin_token: ADMIN_TOKEN })
  if (res.status !== 303) throw new Error(`operator sign-in: ${res.status}`)
  return b
}

export { admin }
