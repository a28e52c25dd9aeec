// Opaque page cursors for lists ordered newest first by (time, id): base64 of both, so a client
// passes `next_cursor` back as it got it. Anything else is a `validation_error`.
import { ApiError } from './errors'

export interface Cursor {
  t: number
  id: string
}

export const encodeCursor = (cursor: Cursor): string => btoa(JSON.stringify({ t: cursor.t, m: cursor.id })).replace(/=+$/, '')

export function decodeCursor(raw: string): Cursor {
  try {
    const value = JSON.parse(atob(raw)) as { t?: unknown; m?: unknown }
    if (typeof value.t === 'number' && typeof value.m === 'string') return { t: value.t, id: value.m }
  } catch {
    // fall through
  }
  throw new ApiError('validation_error', 'Invalid cursor', [{ field: 'cursor', message: 'use next_cursor from a previous page' }])
}
