import { createRoute, z } from '@hono/zod-openapi'
import { envelopeOf } from '../../../lib/envelope'
import { ADMIN_AUTH_ERRORS, IdParamSchema, errorResponses, jsonBody, jsonContent } from '../../../lib/openapi-helpers'
import { CompanySchema, CreateCompanySchema, UpdateCompanySchema } from './companies.schemas'

const tags = ['Admin: companies']
const security = [{ AdminToken: [] }]

export const createCompany = createRoute({
  operationId: 'createCompany',
  method: 'post',
  path: '/companies',
  tags,
  security,
  summary: 'Create a company',
  request: { body: jsonBody(CreateCompanySchema) },
  responses: {
    201: jsonContent(envelopeOf(CompanySchema), 'The new company'),
    ...errorResponses(...ADMIN_AUTH_ERRORS, 'invalid_json'),
  },
})

export const listCompanies = createRoute({
  operationId: 'listCompanies',
  method: 'get',
  path: '/companies',
  tags,
  security,
  summary: 'List companies',
  responses: {
    200: jsonContent(envelopeOf(z.array(CompanySchema)), 'All companies, oldest first'),
    ...errorResponses(...ADMIN_AUTH_ERRORS),
  },
})

export const getCompany = createRoute({
  operationId: 'getCompany',
  method: 'get',
  path: '/companies/{id}',
  tags,
  security,
  summary: 'Get a company',
  request: { params: IdParamSchema },
  responses: {
    200: jsonContent(envelopeOf(CompanySchema), 'The company'),
    ...errorResponses(...ADMIN_AUTH_ERRORS, 'company_not_found'),
  },
})

export const updateCompany = createRoute({
  operationId: 'updateCompany',
  method: 'patch',
  path: '/companies/{id}',
  tags,
  security,
  summary: 'Update a company (deactivating it locks out its keys within seconds)',
  request: { params: IdParamSchema, body: jsonBody(UpdateCompanySchema) },
  responses: {
    200: jsonContent(envelopeOf(CompanySchema), 'The updated company'),
    ...errorResponses(...ADMIN_AUTH_ERRORS, 'company_not_found', 'invalid_json'),
  },
})
