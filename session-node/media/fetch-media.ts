// Fetches a send's `media_url` for the engine, which only ever gets bytes: Baileys, handed a
// `{url}`, would fetch it with no timeout and no size cap, and open anything that is not http(s)
// as a local file. Here:
//   - only http: and https:, at every hop;
//   - the host is resolved first and every address it has must be public (address-policy.ts),
//     then the connection goes to exactly those checked addresses (a pinned `lookup`), so a
//     DNS answer that changes between check and connect (rebinding) cannot point it inward;
//   - at most 3 redirects, each checked like the first URL;
//   - one deadline for the whole fetch (MEDIA_FETCH_TIMEOUT_MS), DNS and slow bodies included;
//   - a size cap enforced while reading (16 MB for image/video/audio, 100 MB for documents),
//     refused early when Content-Length already says so;
//   - the type comes from Content-Type, else the extension (media-types.ts);
//   - with a node's media budget (media-budget.ts), the file's bytes are reserved once the
//     headers say how large it is, before the body is read; the deadline stands still meanwhile
//     (that wait has its own bound), and a body whose length is known is read into one buffer.
// MEDIA_ALLOW_PRIVATE=1 lifts the address rule only, for local development.
// Every refusal is a SendError('media_unavailable') whose message says why, for the API client.
import { metrics } from '../ops/metrics'
import http, { type IncomingMessage } from 'node:http'
import https from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { pipeline, type Readable } from 'node:stream'
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib'
import { SendError, type MediaPayload } from '../engines/engine'
import { forbiddenAddress, forbiddenHostName } from './address-policy'
import { classify, contentMatches, documentFileName, fileNameFromDisposition, fileNameFromUrl, type MediaType } from './media-types'
import { MEDIA_FETCH_TIMEOUT_MS } from '../../protocol/timing'
import { codeOf } from '../error-message'
import { createDnsResolver, type ResolvedAddress, type Resolver } from './dns-resolver'
import type { ReserveBytes } from './media-budget'

export type { ResolvedAddress, Resolver } from './dns-resolver'

export interface MediaFetcherOptions {
  /** MEDIA_ALLOW_PRIVATE: fetch from loopback and private networks too (local development only). */
  allowPrivate: boolean
  timeoutMs?: number
  maxRedirects?: number
  maxMediaBytes?: number
  maxDocumentBytes?: number
  resolve?: Resolver
  /** Why an address is refused, or null; the public-only rule of address-policy.ts by default. */
  forbidden?: (address: string) => string | null
}

export interface FetchOptions {
  /** Called once, before the body is read, with the most bytes the file can have; resolves when they may be held. */
  reserve?: ReserveBytes
}

export type MediaFetcher = (url: string, options?: FetchOptions) => Promise<MediaPayload>

const MB = 1024 * 1024

/** The most a document may weigh (WhatsApp's own limit for documents is higher; ours bounds a node's memory). */
export const MEDIA_DOCUMENT_MAX_BYTES = 100 * MB

export const MEDIA_FETCH_DEFAULTS = {
  timeoutMs: MEDIA_FETCH_TIMEOUT_MS,
  maxRedirects: 3,
  maxMediaBytes: 16 * MB,
  maxDocumentBytes: MEDIA_DOCUMENT_MAX_BYTES,
}

type Settings = Required<MediaFetcherOptions>
/** The settings of one fetch: the node's, and this send's way to reserve its bytes. */
type FetchSettings = Settings & { reserve: ReserveBytes }

const REDIRECTS = new Set([301, 302, 303, 307, 308])

const refuse = (reason: string) => new SendError('media_unavailable', reason)

export function createMediaFetcher(options: MediaFetcherOptions): MediaFetcher {
  const settings: Settings = {
    allowPrivate: options.allowPrivate,
    timeoutMs: options.timeoutMs ?? MEDIA_FETCH_DEFAULTS.timeoutMs,
    maxRedirects: options.maxRedirects ?? MEDIA_FETCH_DEFAULTS.maxRedirects,
    maxMediaBytes: options.maxMediaBytes ?? MEDIA_FETCH_DEFAULTS.maxMediaBytes,
    maxDocumentBytes: options.maxDocumentBytes ?? MEDIA_FETCH_DEFAULTS.maxDocumentBytes,
    resolve: options.resolve ?? createDnsResolver(),
    forbidden: options.forbidden ?? forbiddenAddress,
  }
  return async (url, options = {}) => {
    const controller = new AbortController()
    const deadline = new PausableTimer(settings.timeoutMs, () => controller.abort())
    const reserve: ReserveBytes = async (bytes) => {
      if (!options.reserve) return
      deadline.pause()
      try {
        await options.reserve(bytes)
      } finally {
        deadline.resume()
      }
    }
    const timer = metrics.mediaFetchSeconds.startTimer()
    try {
      const file = await fetchFollowing(url, { ...settings, reserve }, controller.signal)
      timer({ outcome: 'fetched' })
      metrics.mediaFetchBytes.observe(file.data.byteLength)
      return file
    } catch (error) {
      timer({ outcome: 'refused' })
      if (error instanceof SendError) throw error
      if (controller.signal.aborted) throw refuse(`the media URL did not deliver within ${settings.timeoutMs / 1000} s`)
      throw refuse(`the media URL could not be fetched (${codeOf(error)})`)
    } finally {
      deadline.clear()
    }
  }
}

/** A timeout that can stand still: the fetch's deadline does not run while its bytes wait for the budget. */
class PausableTimer {
  private timer: ReturnType<typeof setTimeout> | null = null
  private startedAt = 0

  constructor(
    private remainingMs: number,
    private readonly onExpire: () => void,
  ) {
    this.resume()
  }

  pause(): void {
    if (!this.timer) return
    clearTimeout(this.timer)
    this.timer = null
    this.remainingMs -= Date.now() - this.startedAt
  }

  resume(): void {
    if (this.timer) return
    this.startedAt = Date.now()
    this.timer = setTimeout(this.onExpire, Math.max(0, this.remainingMs))
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.remainingMs = Number.POSITIVE_INFINITY
  }
}

async function fetchFollowing(text: string, settings: FetchSettings, signal: AbortSignal): Promise<MediaPayload> {
  if (!URL.canParse(text)) throw refuse('the media URL is not a valid URL')
  let url = new URL(text)
  for (let redirects = 0; ; redirects += 1) {
    const addresses = await checkDestination(url, settings, signal)
    const response = await get(url, addresses, signal)
    const status = response.statusCode ?? 0
    if (REDIRECTS.has(status)) {
      response.destroy()
      if (redirects >= settings.maxRedirects) throw refuse(`the media URL redirected more than ${settings.maxRedirects} times`)
      const location = response.headers.location
      if (!location || !URL.canParse(location, url.href)) throw refuse('the media URL redirected to an invalid URL')
      url = new URL(location, url)
      continue
    }
    if (status < 200 || status > 299) {
      response.destroy()
      throw refuse(`the media URL answered HTTP ${status}`)
    }
    return readMedia(url, response, settings, signal)
  }
}

/** The addresses this URL may be fetched from, all of them checked; a refusal otherwise. */
async function checkDestination(url: URL, settings: Settings, signal: AbortSignal): Promise<ResolvedAddress[]> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw refuse(`only http and https media URLs can be fetched, not ${url.protocol}`)
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const family = isIP(host)
  if (!settings.allowPrivate && family === 0) {
    const why = forbiddenHostName(host)
    if (why) throw refuse(`the media host ${host} is ${why}; only public addresses can be fetched`)
  }
  const addresses = family !== 0 ? [{ address: host, family }] : await abortable(settings.resolve(host), signal)
  if (addresses.length === 0) throw refuse(`the host ${host} could not be resolved`)
  if (settings.allowPrivate) return addresses
  for (const { address } of addresses) {
    const why = settings.forbidden(address)
    // The resolved address is not echoed: it would map the node's internal DNS for the client.
    if (why) throw refuse(`the media host ${host} ${family !== 0 ? 'is' : 'resolves to'} ${why}; only public addresses can be fetched`)
  }
  return addresses
}

function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'))
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

/** One GET that can only connect to the checked addresses, whatever DNS says by now. */
function get(url: URL, addresses: ResolvedAddress[], signal: AbortSignal): Promise<IncomingMessage> {
  const [first] = addresses as [ResolvedAddress, ...ResolvedAddress[]]
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, addresses)
    else callback(null, first.address, first.family)
  }
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http
    // No shared agent: a pooled connection could belong to another (older) check.
    const request = client.request(url, {
      agent: false,
      lookup,
      signal,
      headers: { 'user-agent': 'edge-whatsapp-api media fetcher', accept: '*/*', 'accept-encoding': 'identity' },
    })
    request.on('response', resolve)
    request.on('error', reject)
    request.end()
  })
}

async function readMedia(url: URL, response: IncomingMessage, settings: FetchSettings, signal: AbortSignal): Promise<MediaPayload> {
  const names = [fileNameFromDisposition(header(response, 'content-disposition')), fileNameFromUrl(url)]
  const classified = classify(header(response, 'content-type'), names)
  if (!classified.ok) {
    response.destroy()
    throw refuse(classified.reason)
  }
  const type = classified.type
  const limit = type.kind === 'document' ? settings.maxDocumentBytes : settings.maxMediaBytes
  const declared = Number(header(response, 'content-length') ?? Number.NaN)
  if (Number.isFinite(declared) && declared > limit) {
    response.destroy()
    throw tooLarge(type, limit)
  }
  const encoding = (header(response, 'content-encoding') ?? 'identity').trim().toLowerCase()
  // The declared length is the body's only when it is not compressed.
  const length = Number.isFinite(declared) && (encoding === 'identity' || encoding === '') ? declared : null
  await settings.reserve(length ?? limit).catch((error: unknown) => {
    response.destroy()
    throw error
  })
  signal.addEventListener('abort', () => response.destroy(), { once: true })
  const data = await readCapped(decoded(response, encoding), limit, length, () => tooLarge(type, limit))
  if (data.length === 0) throw refuse('the media URL returned an empty file')
  if (!contentMatches(type, data)) throw refuse(`the file is not the ${type.mimetype} its server says it is`)
  return {
    kind: type.kind,
    data,
    mimetype: type.mimetype,
    ...(type.kind === 'document' && { fileName: documentFileName(names, type) }),
  }
}

const header = (response: IncomingMessage, name: string): string | undefined => {
  const value = response.headers[name]
  return Array.isArray(value) ? value[0] : value
}

const AS_KIND: Record<MediaType['kind'], string> = { image: 'an image', video: 'a video', audio: 'an audio file', document: 'a document' }

const tooLarge = (type: MediaType, limit: number) =>
  refuse(`the file is larger than ${limit / MB} MB, the most that can be sent as ${AS_KIND[type.kind]}`)

/** The body as sent, decompressed if the server compressed it anyway (the cap applies after). */
function decoded(response: IncomingMessage, encoding: string): Readable {
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : null
  if (encoding === 'identity' || encoding === '') return response
  if (!decoder) {
    response.destroy()
    throw refuse(`the media URL used an unsupported Content-Encoding (${encoding})`)
  }
  return pipeline(response, decoder, () => undefined)
}

/**
 * The body, at most `limit` bytes. With a known length it goes straight into one buffer of that
 * size: collecting chunks and joining them would hold the file twice at the end.
 */
async function readCapped(stream: Readable, limit: number, length: number | null, onTooLarge: () => SendError): Promise<Buffer> {
  const whole = length === null ? null : Buffer.allocUnsafe(length)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (size + chunk.length > limit || (whole && size + chunk.length > whole.length)) {
      stream.destroy()
      throw onTooLarge()
    }
    if (whole) chunk.copy(whole, size)
    else chunks.push(chunk)
    size += chunk.length
  }
  if (whole) return size === whole.length ? whole : whole.subarray(0, size)
  return Buffer.concat(chunks, size)
}
