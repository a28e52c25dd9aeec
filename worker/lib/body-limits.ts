// How large and how deep a request body may be. The limits follow from what a valid request can
// hold, so nothing valid is refused and nothing far beyond it is read into memory: a bulk body
// fits 1,000 messages at their longest, every other body a single message at its longest.
import { createMiddleware } from 'hono/factory'
import { bodyLimit } from 'hono/body-limit'
import type { AppEnv } from './app-env'
import { ApiError } from './errors'
import { MAX_BULK_MESSAGES, MAX_CAPTION, MAX_MEDIA_URL, MAX_RECIPIENT, MAX_TEXT } from '../messaging/outgoing'

/** UTF-8 takes up to 3 bytes for one UTF-16 unit (a 4-byte character is 2 units). */
const BYTES_PER_CHAR = 3
/** Field names, quotes, `is_group`, a `device_id`: generous. */
const JSON_OVERHEAD_PER_MESSAGE = 200
const LONGEST_MESSAGE_BYTES =
  Math.max(MAX_TEXT * BYTES_PER_CHAR, MAX_CAPTION * BYTES_PER_CHAR + MAX_MEDIA_URL) + MAX_RECIPIENT + JSON_OVERHEAD_PER_MESSAGE

/** `POST /whatsapp/send-bulk`: 1,000 messages at their longest (about 12.5 MB). */
export const MAX_BULK_BODY_BYTES = MAX_BULK_MESSAGES * LONGEST_MESSAGE_BYTES
/** Any other body: one message at its longest, with room to spare (64 KB). */
export const MAX_BODY_BYTES = 64 * 1024
/** No valid body nests deeper than 3; a deeper one is refused before it is parsed. */
export const MAX_JSON_DEPTH = 16

const limitOf = (maxSize: number) =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError('validation_error', `Request body larger than ${maxSize} bytes`, { max_bytes: maxSize })
    },
  })
const bulkBodies = limitOf(MAX_BULK_BODY_BYTES)
const otherBodies = limitOf(MAX_BODY_BYTES)

/** A node's upload of inbound media: streamed to R2 under its own cap (routes/node-sockets/node-media.ts). */
const MEDIA_UPLOAD_PATH = /^\/api\/nodes\/devices\/\d+\/media\//

/** The body limit of a path: the bulk route gets room for a full bulk. */
export const limitBodies = createMiddleware<AppEnv>((c, next) => {
  if (MEDIA_UPLOAD_PATH.test(c.req.path)) return next()
  return c.req.path === '/api/whatsapp/send-bulk' ? bulkBodies(c, next) : otherBodies(c, next)
})

/** How deep `text` nests arrays and objects, counting only brackets outside strings. */
export function jsonDepth(text: string): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (inString) {
      if (ch === 0x5c /* \ */) i++
      else if (ch === 0x22 /* " */) inString = false
    } else if (ch === 0x22) inString = true
    else if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) deepest = Math.max(deepest, ++depth)
    else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) depth--
  }
  return deepest
}

/** Refuses a JSON body nested deeper than MAX_JSON_DEPTH; the body stays cached for the validators. */
export const limitJsonDepth = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.header('Content-Type')?.includes('application/json') && c.req.method !== 'GET') {
    const depth = jsonDepth(await c.req.text())
    if (depth > MAX_JSON_DEPTH) {
      throw new ApiError('validation_error', `Request body nested deeper than ${MAX_JSON_DEPTH} levels`, { max_depth: MAX_JSON_DEPTH })
    }
  }
  await next()
})
