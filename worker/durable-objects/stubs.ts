// How any part of the worker reaches a Durable Object: one place that knows the naming.
export const fleetOf = (env: Env) => env.FLEET.getByName('fleet')
export const deviceOf = (env: Env, deviceId: number) => env.DEVICE.getByName(String(deviceId))
export const companyOf = (env: Env, companyId: number) => env.COMPANY.getByName(String(companyId))
export const eventFeedOf = (env: Env, companyId: number) => env.EVENT_FEED.getByName(String(companyId))
export const endpointOf = (env: Env, endpointId: number) => env.WEBHOOK_ENDPOINT.getByName(String(endpointId))
