// Dashboard sign-in: a server-side session behind an HttpOnly, Secure, SameSite=Strict `__Host-`
// cookie. The cookie carries 43 random characters; D1 keeps only their SHA-256. Nothing secret is
// ever stored in the browser (no API key, no admin token) or put in a URL but the one-time link.
import { and, eq, gt, isNull, lt } from 'drizzle-orm'
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { callerOfKey } from '../auth/api-key-auth'
import { lookupKey } from '../auth/api-key-cache'
import { database } from '../db/client'
import { API_KEY_SCOPES, companies, dashboardSessions, loginLinks } from '../db/schema'
import type { AppEnv, Caller } from '../lib/app-env'
import { randomBase62, sha256Hex } from '../lib/crypto'
import { ApiError } from '../lib/errors'
import { settingsOf } from '../lib/settings'

export const COMPANY_SESSION_MS = 12 * 60 * 60 * 1000
export const OPERATOR_SESSION_MS = 4 * 60 * 60 * 1000
export const LOGIN_LINK_MS = 15 * 60 * 1000

/** `__Host-`: Secure, Path=/ and no Domain, so no other origin can set or read it. */
const COOKIE = { company: 'wa_dash', operator: 'wa_admin' } as const
export type SessionKind = keyof typeof COOKIE

export type DashSession = { id: number; kind: 'company'; caller: Caller } | { id: number; kind: 'operator' }

async function startSession(c: Context<AppEnv>, kind: SessionKind, companyId: number | null, apiKeyPrefix: string | null) {
  const token = randomBase62(43)
  const now = Date.now()
  const ttl = kind === 'company' ? COMPANY_SESSION_MS : OPERATOR_SESSION_MS
  const db = database(c.env.DB)
  // Expired sessions and links go as new ones come: the tables hold only what can still be used.
  await db.batch([
    db.delete(dashboardSessions).where(lt(dashboardSessions.expiresAt, new Date(now))),
    db.delete(loginLinks).where(lt(loginLinks.expiresAt, new Date(now - LOGIN_LINK_MS))),
  ])
  await db
    .insert(dashboardSessions)
    .values({ tokenHash: await sha256Hex(token), companyId, apiKeyPrefix, createdAt: new Date(now), expiresAt: new Date(now + ttl) })
  setCookie(c, COOKIE[kind], token, { prefix: 'host', httpOnly: true, secure: true, sameSite: 'Strict', path: '/', maxAge: ttl / 1000 })
}

/** Signs a company in with the API key the form posted (checked like any API request). */
export const signInWithKey = (c: Context<AppEnv>, caller: Caller, apiKeyPrefix: string) =>
  startSession(c, 'company', caller.company.id, apiKeyPrefix)

export const signInOperator = (c: Context<AppEnv>) => startSession(c, 'operator', null, null)

/** Uses up a one-time login link (atomically: of two concurrent uses, one wins) and signs its company in. */
export async function signInWithLink(c: Context<AppEnv>, token: string): Promise<boolean> {
  const now = new Date()
  const used = await database(c.env.DB)
    .update(loginLinks)
    .set({ usedAt: now })
    .where(and(eq(loginLinks.tokenHash, await sha256Hex(token)), isNull(loginLinks.usedAt), gt(loginLinks.expiresAt, now)))
    .returning({ companyId: loginLinks.companyId })
    .get()
  if (!used) return false
  await startSession(c, 'company', used.companyId, null)
  return true
}

/** A new one-time link for a company; its token is in the answer only. */
export async function issueLoginLink(db: D1Database, companyId: number): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBase62(43)
  const now = Date.now()
  const expiresAt = new Date(now + LOGIN_LINK_MS)
  await database(db)
    .insert(loginLinks)
    .values({ tokenHash: await sha256Hex(token), companyId, createdAt: new Date(now), expiresAt })
  return { token, expiresAt }
}

/** The caller a link session acts as: the whole company, like a key with every scope. */
async function companyCaller(db: D1Database, companyId: number): Promise<Caller | null> {
  const company = await database(db).select().from(companies).where(eq(companies.id, companyId)).get()
  if (!company?.isActive) return null
  return {
    company: { id: company.id, name: company.name, monthlyQuota: company.monthlyQuota, isActive: company.isActive },
    apiKey: { id: 0, serviceType: 'whatsapp', scopes: API_KEY_SCOPES, deviceIds: null, expiresAt: null },
  }
}

/** The signed-in session of this kind, or null (expired, signed out, its key revoked, its company inactive). */
export async function currentSession(c: Context<AppEnv>, kind: SessionKind): Promise<DashSession | null> {
  const token = getCookie(c, COOKIE[kind], 'host')
  if (!token) return null
  const row = await database(c.env.DB)
    .select()
    .from(dashboardSessions)
    .where(and(eq(dashboardSessions.tokenHash, await sha256Hex(token)), gt(dashboardSessions.expiresAt, new Date())))
    .get()
  if (!row) return null
  if (kind === 'operator') return row.companyId === null ? { id: row.id, kind } : null
  if (row.companyId === null) return null
  let caller: Caller | null
  if (row.apiKeyPrefix === null) caller = await companyCaller(c.env.DB, row.companyId)
  else {
    // A session opened with a key lives only as long as the key does, with the key's scopes.
    const record = await lookupKey(c.env.DB, row.apiKeyPrefix, settingsOf(c.env).authCacheTtlMs)
    caller = record && record.usable && record.company.id === row.companyId ? callerOrNull(() => callerOfKey(record, 'whatsapp')) : null
  }
  return caller ? { id: row.id, kind, caller } : null
}

function callerOrNull(make: () => Caller): Caller | null {
  try {
    return make()
  } catch (error) {
    if (error instanceof ApiError) return null
    throw error
  }
}

export async function signOut(c: Context<AppEnv>, kind: SessionKind): Promise<void> {
  const token = getCookie(c, COOKIE[kind], 'host')
  if (token)
    await database(c.env.DB)
      .delete(dashboardSessions)
      .where(eq(dashboardSessions.tokenHash, await sha256Hex(token)))
  deleteCookie(c, COOKIE[kind], { prefix: 'host', secure: true, path: '/' })
}
