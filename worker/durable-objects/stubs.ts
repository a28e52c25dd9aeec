// How any part of the worker reaches a Durable Object: one place that knows the naming.
export const fleetOf = (env: Env) => env.FLEET.getByName('fleet')
export const deviceOf = (env: Env, deviceId: number) => env.DEVICE.getByName(String(deviceId))
export const companyOf = (env: Env, companyId: number) => env.COMPANY.getByName(String(companyId))
