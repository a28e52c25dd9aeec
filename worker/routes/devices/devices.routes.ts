import { createRoute, z } from '@hono/zod-openapi'
import { scoped } from '../../auth/scopes'
import { envelopeOf } from '../../lib/envelope'
import type { ErrorCode } from '../../lib/errors'
import { IdParamSchema, PUBLIC_AUTH_ERRORS, errorResponses, jsonBody, jsonContent } from '../../lib/openapi-helpers'
import {
  CreateDeviceSchema,
  DeletedDeviceSchema,
  DeviceSchema,
  DeviceQrSchema,
  DeviceStatusViewSchema,
  GroupSchema,
  PairingCodeRequestSchema,
  PairingCodeSchema,
  UpdateDeviceSchema,
} from './devices.schemas'

const tags = ['Devices']
const deviceErrors: ErrorCode[] = [...PUBLIC_AUTH_ERRORS, 'device_not_found']

export const listDevices = createRoute({
  operationId: 'listDevices',
  method: 'get',
  path: '/devices',
  tags,
  ...scoped('devices:read'),
  summary: "List the company's devices",
  responses: {
    200: jsonContent(envelopeOf(z.array(DeviceSchema)), 'The devices, oldest first'),
    ...errorResponses(...PUBLIC_AUTH_ERRORS),
  },
})

export const createDevice = createRoute({
  operationId: 'createDevice',
  method: 'post',
  path: '/devices',
  tags,
  ...scoped('devices:write'),
  summary: 'Create a device (status `pending`); the first one becomes the default',
  request: { body: jsonBody(CreateDeviceSchema) },
  responses: {
    201: jsonContent(envelopeOf(DeviceSchema), 'The new device'),
    ...errorResponses(...PUBLIC_AUTH_ERRORS, 'invalid_json', 'device_limit_reached', 'rate_limited'),
  },
})

export const getDevice = createRoute({
  operationId: 'getDevice',
  method: 'get',
  path: '/devices/{id}',
  tags,
  ...scoped('devices:read'),
  summary: 'Get one device',
  request: { params: IdParamSchema },
  responses: { 200: jsonContent(envelopeOf(DeviceSchema), 'The device'), ...errorResponses(...deviceErrors) },
})

const updateRoute = (method: 'put' | 'patch') =>
  createRoute({
    operationId: method === 'put' ? 'replaceDevice' : 'updateDevice',
    method,
    path: '/devices/{id}',
    tags,
    ...scoped('devices:write'),
    summary: 'Rename a device, or pause (`is_active: false`) and resume it',
    request: { params: IdParamSchema, body: jsonBody(UpdateDeviceSchema) },
    responses: {
      200: jsonContent(envelopeOf(DeviceSchema), 'The updated device'),
      ...errorResponses(...deviceErrors, 'invalid_json'),
    },
  })

export const putDevice = updateRoute('put')
export const patchDevice = updateRoute('patch')

export const setDefaultDevice = createRoute({
  operationId: 'setDefaultDevice',
  method: 'post',
  path: '/devices/{id}/set-default',
  tags,
  ...scoped('devices:write'),
  summary: "Make this device the company's default sender",
  request: { params: IdParamSchema },
  responses: { 200: jsonContent(envelopeOf(DeviceSchema), 'The new default device'), ...errorResponses(...deviceErrors) },
})

export const deleteDevice = createRoute({
  operationId: 'deleteDevice',
  method: 'delete',
  path: '/devices/{id}',
  tags,
  ...scoped('devices:write'),
  summary: 'Delete a device, its session and its auth state',
  request: { params: IdParamSchema },
  responses: { 200: jsonContent(envelopeOf(DeletedDeviceSchema), 'The device is gone'), ...errorResponses(...deviceErrors) },
})

export const getDeviceStatus = createRoute({
  operationId: 'getDeviceStatus',
  method: 'get',
  path: '/devices/{id}/status',
  tags,
  ...scoped('devices:read'),
  summary: "The device's live connection status and linked phone number",
  request: { params: IdParamSchema },
  responses: {
    200: jsonContent(envelopeOf(DeviceStatusViewSchema), 'The status'),
    ...errorResponses(...deviceErrors),
  },
})

export const getDeviceQr = createRoute({
  operationId: 'getDeviceQr',
  method: 'get',
  path: '/devices/{id}/qr',
  tags,
  ...scoped('devices:read'),
  summary: 'The QR code to scan with WhatsApp (Linked devices); null once linked',
  request: { params: IdParamSchema },
  responses: { 200: jsonContent(envelopeOf(DeviceQrSchema), 'The current QR code'), ...errorResponses(...deviceErrors) },
})

export const requestPairingCode = createRoute({
  operationId: 'requestPairingCode',
  method: 'post',
  path: '/devices/{id}/pairing-code',
  tags,
  ...scoped('devices:write'),
  summary: 'An 8-character code to link the device from the phone instead of scanning a QR',
  request: { params: IdParamSchema, body: jsonBody(PairingCodeRequestSchema) },
  responses: {
    200: jsonContent(envelopeOf(PairingCodeSchema), 'Enter this code on the phone: Linked devices → Link with phone number'),
    ...errorResponses(...deviceErrors, 'invalid_phone_number', 'device_not_ready', 'rate_limited', 'invalid_json'),
  },
})

export const listDeviceGroups = createRoute({
  operationId: 'listDeviceGroups',
  method: 'get',
  path: '/devices/{id}/groups',
  tags,
  ...scoped('devices:read'),
  summary: "The groups the device's WhatsApp account is in (refreshed at most every 5 minutes)",
  request: { params: IdParamSchema },
  responses: {
    200: jsonContent(envelopeOf(z.array(GroupSchema)), 'The groups'),
    ...errorResponses(...deviceErrors, 'device_not_ready'),
  },
})
