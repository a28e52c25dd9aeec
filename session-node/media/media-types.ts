// What a fetched file is to WhatsApp: image, video, audio or document, with the mimetype and
// (for documents) the file name it is sent with. The server's Content-Type decides; only when
// it says nothing useful (missing, application/octet-stream) does the file's extension (from
// Content-Disposition, else the URL path). A specific type we cannot send (text/html,
// image/gif, video/quicktime…) is refused, not guessed around: an HTML error page served at
// /report.pdf must not reach a customer's phone as a PDF.
import type { MediaPayload } from '../engines/engine'

export type MediaKind = MediaPayload['kind']

export interface MediaType {
  kind: MediaKind
  /** What WhatsApp is told. */
  mimetype: string
  /** Without the dot; for file names that lack one. */
  extension: string
}

const type = (kind: MediaKind, mimetype: string, extension: string): MediaType => ({ kind, mimetype, extension })

const OFFICE = 'application/vnd.openxmlformats-officedocument'
const OPEN_DOCUMENT = 'application/vnd.oasis.opendocument'

/** Sendable types by their canonical mimetype. */
const TYPES: Record<string, MediaType> = {
  'image/jpeg': type('image', 'image/jpeg', 'jpg'),
  'image/png': type('image', 'image/png', 'png'),
  'image/webp': type('image', 'image/webp', 'webp'),
  'video/mp4': type('video', 'video/mp4', 'mp4'),
  'video/3gpp': type('video', 'video/3gpp', '3gp'),
  // WhatsApp plays Ogg audio as Opus (what its own voice notes are).
  'audio/ogg': type('audio', 'audio/ogg; codecs=opus', 'ogg'),
  'audio/mpeg': type('audio', 'audio/mpeg', 'mp3'),
  'audio/mp4': type('audio', 'audio/mp4', 'm4a'),
  'audio/aac': type('audio', 'audio/aac', 'aac'),
  'audio/amr': type('audio', 'audio/amr', 'amr'),
  'application/pdf': type('document', 'application/pdf', 'pdf'),
  'application/msword': type('document', 'application/msword', 'doc'),
  [`${OFFICE}.wordprocessingml.document`]: type('document', `${OFFICE}.wordprocessingml.document`, 'docx'),
  'application/vnd.ms-excel': type('document', 'application/vnd.ms-excel', 'xls'),
  [`${OFFICE}.spreadsheetml.sheet`]: type('document', `${OFFICE}.spreadsheetml.sheet`, 'xlsx'),
  'application/vnd.ms-powerpoint': type('document', 'application/vnd.ms-powerpoint', 'ppt'),
  [`${OFFICE}.presentationml.presentation`]: type('document', `${OFFICE}.presentationml.presentation`, 'pptx'),
  [`${OPEN_DOCUMENT}.text`]: type('document', `${OPEN_DOCUMENT}.text`, 'odt'),
  [`${OPEN_DOCUMENT}.spreadsheet`]: type('document', `${OPEN_DOCUMENT}.spreadsheet`, 'ods'),
  [`${OPEN_DOCUMENT}.presentation`]: type('document', `${OPEN_DOCUMENT}.presentation`, 'odp'),
  'application/rtf': type('document', 'application/rtf', 'rtf'),
  'text/plain': type('document', 'text/plain', 'txt'),
  'text/csv': type('document', 'text/csv', 'csv'),
  'application/json': type('document', 'application/json', 'json'),
  'application/zip': type('document', 'application/zip', 'zip'),
  'application/x-7z-compressed': type('document', 'application/x-7z-compressed', '7z'),
  'application/vnd.rar': type('document', 'application/vnd.rar', 'rar'),
}

/** Other spellings servers use for the same types. */
const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'audio/mp3': 'audio/mpeg',
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'audio/x-aac': 'audio/aac',
  'audio/opus': 'audio/ogg',
  'application/ogg': 'audio/ogg',
  'video/3gp': 'video/3gpp',
  'text/rtf': 'application/rtf',
  'text/comma-separated-values': 'text/csv',
  'application/csv': 'text/csv',
  'application/x-zip-compressed': 'application/zip',
  'application/x-rar-compressed': 'application/vnd.rar',
}

const BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  mp4: 'video/mp4',
  '3gp': 'video/3gpp',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  amr: 'audio/amr',
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: `${OFFICE}.wordprocessingml.document`,
  xls: 'application/vnd.ms-excel',
  xlsx: `${OFFICE}.spreadsheetml.sheet`,
  ppt: 'application/vnd.ms-powerpoint',
  pptx: `${OFFICE}.presentationml.presentation`,
  odt: `${OPEN_DOCUMENT}.text`,
  ods: `${OPEN_DOCUMENT}.spreadsheet`,
  odp: `${OPEN_DOCUMENT}.presentation`,
  rtf: 'application/rtf',
  txt: 'text/plain',
  csv: 'text/csv',
  json: 'application/json',
  zip: 'application/zip',
  '7z': 'application/x-7z-compressed',
  rar: 'application/vnd.rar',
}

/** Content types that say "some bytes": the extension decides instead. */
const GENERIC = new Set([
  '',
  'application/octet-stream',
  'binary/octet-stream',
  'application/binary',
  'application/download',
  'application/force-download',
  'application/x-download',
])

const SUPPORTED =
  'images: JPEG, PNG, WebP; video: MP4, 3GP; audio: Ogg/Opus, MP3, M4A, AAC, AMR; ' +
  'documents: PDF, Office, OpenDocument, RTF, TXT, CSV, JSON, ZIP, 7z, RAR'

const extensionOf = (name: string | null): string | null => /\.([a-z0-9]{1,8})$/i.exec(name ?? '')?.[1]?.toLowerCase() ?? null

export type Classified = { ok: true; type: MediaType } | { ok: false; reason: string }

/** The type to send as, from the Content-Type header, else from the extension of the given names. */
export function classify(contentType: string | undefined, names: (string | null)[]): Classified {
  const essence = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  if (!GENERIC.has(essence)) {
    const found = TYPES[ALIASES[essence] ?? essence]
    return found ? { ok: true, type: found } : { ok: false, reason: `${essence} is not a type WhatsApp can send (${SUPPORTED})` }
  }
  for (const name of names) {
    const extension = extensionOf(name)
    const mimetype = extension ? BY_EXTENSION[extension] : undefined
    if (mimetype) return { ok: true, type: TYPES[mimetype]! }
  }
  return {
    ok: false,
    reason:
      `the server did not say what the file is (Content-Type ${essence || 'missing'}) ` +
      `and its name has no known extension (${SUPPORTED})`,
  }
}

/** `filename*=UTF-8''…` (RFC 6266/5987) wins over `filename="…"`; null when there is neither. */
export function fileNameFromDisposition(header: string | undefined): string | null {
  if (!header) return null
  const extended = /filename\*\s*=\s*([\w!#$%&+^`{}~-]+)'[^']*'([^;]+)/i.exec(header)
  if (extended?.[1] && extended[2] && /^utf-8$/i.test(extended[1])) {
    try {
      return cleanFileName(decodeURIComponent(extended[2].trim()))
    } catch {
      // a broken escape: fall through to the plain parameter
    }
  }
  const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(header)
  const value = plain?.[1]?.replace(/\\(.)/g, '$1') ?? plain?.[2]?.trim()
  return value ? cleanFileName(value) : null
}

/** The last segment of the URL's path, decoded; null for a path ending in `/`. */
export function fileNameFromUrl(url: URL): string | null {
  const segment = url.pathname.split('/').at(-1) ?? ''
  try {
    return cleanFileName(decodeURIComponent(segment))
  } catch {
    return cleanFileName(segment)
  }
}

/** No directories, no control characters, at most 200 characters (keeping the extension). */
export function cleanFileName(raw: string): string | null {
  // eslint-disable-next-line no-control-regex
  const base = (raw.split(/[/\\]/).at(-1) ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim()
  if (base === '' || base === '.' || base === '..') return null
  if (base.length <= 200) return base
  const extension = extensionOf(base)
  return extension ? `${base.slice(0, 199 - extension.length)}.${extension}` : base.slice(0, 200)
}

/** The name a document is sent with: the server's or the URL's, with an extension it lacks added. */
export function documentFileName(candidates: (string | null)[], type: MediaType): string {
  const name = candidates.find((candidate): candidate is string => candidate !== null) ?? `document.${type.extension}`
  return extensionOf(name) ? name : `${name}.${type.extension}`
}

/** First bytes some types always start with; a body that does not is not what its type claims. */
const SIGNATURES: Record<string, (data: Buffer) => boolean> = {
  'image/jpeg': (data) => data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff,
  'image/png': (data) => data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/webp': (data) => data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP',
  'application/pdf': (data) => data.subarray(0, 1024).includes('%PDF-'),
}

export function contentMatches(type: MediaType, data: Buffer): boolean {
  return SIGNATURES[type.mimetype]?.(data) ?? true
}
