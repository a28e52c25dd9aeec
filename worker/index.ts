import { createApp } from './app'

export { CompanyDO } from './durable-objects/company/company-do'
export { DeviceDO } from './durable-objects/device/device-do'
export { FleetDO } from './durable-objects/fleet/fleet-do'
export { EventFeedDO } from './durable-objects/events/event-feed-do'
export { EndpointDO } from './durable-objects/webhooks/endpoint-do'

const app = createApp()

export default app satisfies ExportedHandler<Env>
