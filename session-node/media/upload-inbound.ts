// Stores an inbound message's media in the worker (R2, through the node-authenticated upload
// route), beside the `inbound` frame that frames cannot carry (they are capped at 4 MB).
import { MEDIA_UPLOAD_TIMEOUT_MS } from '../../protocol/timing'
import type { MediaUploader } from '../inbound-relay'

/** ws(s)://host/base → http(s)://host/base */
const httpBaseOf = (workerWsUrl: string) => workerWsUrl.replace(/^ws/, 'http')

export function inboundUploader(options: { workerWsUrl: string; token: string; deviceId: number }): MediaUploader {
  return async (waMessageId, data, mimetype) => {
    const url = `${httpBaseOf(options.workerWsUrl)}/api/nodes/devices/${options.deviceId}/media/${encodeURIComponent(waMessageId)}`
    const response = await fetch(url, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${options.token}`, 'Content-Type': mimetype, 'Content-Length': String(data.length) },
      body: data,
      signal: AbortSignal.timeout(MEDIA_UPLOAD_TIMEOUT_MS),
    })
    if (!response.ok) throw new Error(`the worker refused the media: HTTP ${response.status}`)
  }
}
