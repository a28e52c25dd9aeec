// Reading posted forms, and turning an API 404 into the dashboard's 404 page.
import { ApiError } from '../lib/errors'
import type { ApiAnswer } from './api-client'

/** One text field of a posted form, trimmed ('' when missing). */
export async function formField(c: { req: { parseBody(): Promise<Record<string, unknown>> } }, name: string): Promise<string> {
  const value = (await c.req.parseBody())[name]
  return typeof value === 'string' ? value.trim() : ''
}

/** Every value of a repeated field (checkboxes). */
export async function formValues(c: { req: { parseBody(options: { all: true }): Promise<Record<string, unknown>> } }, name: string) {
  const value = (await c.req.parseBody({ all: true }))[name]
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === 'string')
}

/** The data of an answer; a 404 (anything not the company's) becomes the 404 page. */
export function notFoundIfMissing<D>(answer: ApiAnswer<D>): D {
  const checked = unless404(answer)
  if (checked.ok) return checked.data
  throw new ApiError(checked.error.code as never, checked.error.message)
}

/** The answer itself; a 404 (anything not the company's) becomes the 404 page. */
export function unless404<D>(answer: ApiAnswer<D>): ApiAnswer<D> {
  if (!answer.ok && answer.status === 404) throw new ApiError('not_found', answer.error.message)
  return answer
}
