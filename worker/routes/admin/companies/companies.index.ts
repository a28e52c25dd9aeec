import { createRouter } from '../../../lib/create-router'
import * as handlers from './companies.handlers'
import * as routes from './companies.routes'

export const companiesRouter = createRouter()
  .openapi(routes.createCompany, handlers.create)
  .openapi(routes.listCompanies, handlers.list)
  .openapi(routes.getCompany, handlers.get)
  .openapi(routes.updateCompany, handlers.update)
