import { OpenAPIHono, type Hook } from '@hono/zod-openapi'
import type { AppEnv } from './app-env'
import { ApiError, type FieldIssue } from './errors'

interface IssueLike {
  path: readonly PropertyKey[]
  message: string
}

export function fieldIssues(issues: readonly IssueLike[]): FieldIssue[] {
  return issues.map((issue) => ({
    field: issue.path.map(String).join('.') || '(body)',
    message: issue.message,
  }))
}

/** Every schema failure, in any router, becomes the same `validation_error` envelope. */
const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (!result.success) {
    const where = result.target === 'json' ? 'body' : result.target
    throw new ApiError('validation_error', `Invalid request ${where}`, fieldIssues(result.error.issues))
  }
}

export function createRouter() {
  return new OpenAPIHono<AppEnv>({ strict: false, defaultHook: validationHook })
}
