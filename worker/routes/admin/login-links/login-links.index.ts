// POST /api/admin/companies/{id}/login-links: a one-time dashboard login link for a company
// (valid 15 minutes, single use; only its hash is stored). What an operator sends a customer.
import { createRoute, z } from '@hono/zod-openapi'
import { database } from '../../../db/client'
import { issueLoginLink } from '../../../dash/sessions'
import { createRouter } from '../../../lib/create-router'
import { envelopeOf, ok } from '../../../lib/envelope'
import { ADMIN_AUTH_ERRORS, IdParamSchema, errorResponses, isoTimestamp, jsonContent } from '../../../lib/openapi-helpers'
import { findCompany } from '../companies/companies.handlers'

const LoginLinkSchema = z
  .object({
    url: z.string().openapi({ description: 'Open it in a browser to sign in to the dashboard as the company. Shown once.' }),
    expires_at: isoTimestamp,
  })
  .openapi('LoginLink')

export const createLoginLink = createRoute({
  operationId: 'createLoginLink',
  method: 'post',
  path: '/companies/{id}/login-links',
  tags: ['Admin: companies'],
  security: [{ AdminToken: [] }],
  summary: 'Issue a one-time dashboard login link for a company (15 minutes, single use)',
  request: { params: IdParamSchema },
  responses: {
    201: jsonContent(envelopeOf(LoginLinkSchema), 'The link, shown once'),
    ...errorResponses(...ADMIN_AUTH_ERRORS, 'company_not_found'),
  },
})

export const loginLinksRouter = createRouter().openapi(createLoginLink, async (c) => {
  const company = await findCompany(database(c.env.DB), c.req.valid('param').id)
  const { token, expiresAt } = await issueLoginLink(c.env.DB, company.id)
  const url = new URL(`/dash/login/${token}`, c.req.url).toString()
  return c.json(ok({ url, expires_at: expiresAt.toISOString() }), 201)
})
