// The cross-process timing chain holds together: each number is checked against the ones it
// only makes sense beside. Changing one of them so that the chain breaks fails here, not in
// production as a device driven from two hosts or a message sent twice.
import { DEFAULT_CONNECTION_CONFIG } from '@whiskeysockets/baileys'
import { describe, expect, it } from 'vitest'
import * as t from '../../protocol/timing'
import { parseConfig } from '../../session-node/config'
import { MEDIA_FETCH_DEFAULTS } from '../../session-node/media/fetch-media'
import { DEFAULT_NODE_TIMING } from '../../session-node/node'

describe('the timing chain', () => {
  it('lets go of a partitioned node before the fleet moves its devices: ping < lease < heartbeat timeout', () => {
    expect(t.NODE_PING_MS).toBeLessThan(t.NODE_LEASE_MS.min)
    expect(t.NODE_LEASE_MS.min).toBeLessThanOrEqual(t.NODE_LEASE_MS.default)
    expect(t.NODE_LEASE_MS.default).toBeLessThanOrEqual(t.NODE_LEASE_MS.max)
    expect(t.NODE_LEASE_MS.max).toBeLessThan(t.FLEET_HEARTBEAT_TIMEOUT_MS)
    // A silent link is cut (and redialled) before the fleet gives up on the node.
    expect(t.NODE_PING_MS).toBeLessThan(t.NODE_STALE_LINK_MS)
    expect(t.NODE_STALE_LINK_MS).toBeLessThan(t.FLEET_HEARTBEAT_TIMEOUT_MS)
    // The sweep notices a lost node within one heartbeat timeout of its silence.
    expect(t.FLEET_SWEEP_INTERVAL_MS).toBeLessThan(t.FLEET_HEARTBEAT_TIMEOUT_MS)
    // A device stops sending to a silent node well before the fleet gives up on that node.
    expect(t.NODE_SILENT_AFTER_MS).toBeGreaterThan(t.NODE_PING_MS)
    expect(t.NODE_SILENT_AFTER_MS).toBeLessThan(t.FLEET_HEARTBEAT_TIMEOUT_MS)
    // The check against D1 rides on the sweep's alarm, so it cannot run more often than that.
    expect(t.FLEET_RECONCILE_INTERVAL_MS).toBeGreaterThan(t.FLEET_SWEEP_INTERVAL_MS)
  })

  it('answers a pairing request before DeviceDO stops waiting for it', () => {
    expect(t.NODE_PAIRING_READY_MS).toBeLessThan(t.DEVICE_PAIRING_TIMEOUT_MS)
  })

  it('times a send out before its row is stale, and both before an Idempotency-Key is freed', () => {
    // A send covers the WhatsApp lookup, and with media the fetch and the upload first.
    expect(t.TEXT_SEND_TIMEOUT_MS).toBeGreaterThan(t.WHATSAPP_QUERY_TIMEOUT_MS)
    expect(t.MEDIA_SEND_TIMEOUT_MS).toBeGreaterThan(
      t.MEDIA_BUDGET_WAIT_MS + t.WHATSAPP_QUERY_TIMEOUT_MS + t.MEDIA_FETCH_TIMEOUT_MS + t.MEDIA_UPLOAD_TIMEOUT_MS,
    )
    expect(t.TEXT_SEND_TIMEOUT_MS).toBeLessThan(t.STALE_SENDING_MS)
    expect(t.MEDIA_SEND_TIMEOUT_MS).toBeLessThan(t.STALE_SENDING_MS)
    expect(t.STALE_SENDING_MS).toBeLessThan(t.IDEMPOTENCY_IN_PROGRESS_MS)
  })

  it('stops a node in order: drain < shutdown limit < force kill', () => {
    expect(t.NODE_DRAIN_MS).toBeLessThan(t.NODE_SHUTDOWN_LIMIT_MS)
    expect(t.NODE_SHUTDOWN_LIMIT_MS).toBeLessThan(t.FORCE_KILL_AFTER_MS)
  })

  it('is what the code runs with: the defaults come from this module', () => {
    expect(DEFAULT_CONNECTION_CONFIG.defaultQueryTimeoutMs).toBe(t.WHATSAPP_QUERY_TIMEOUT_MS)
    expect(MEDIA_FETCH_DEFAULTS.timeoutMs).toBe(t.MEDIA_FETCH_TIMEOUT_MS)
    expect(DEFAULT_NODE_TIMING).toMatchObject({
      drainMs: t.NODE_DRAIN_MS,
      socket: { heartbeatMs: t.NODE_PING_MS, staleAfterMs: t.NODE_STALE_LINK_MS, requestTimeoutMs: t.NODE_REQUEST_TIMEOUT_MS },
    })
    const base = { WORKER_URL: 'http://localhost:8000', NODE_TOKEN: 'wnt_x', SESSION_ENCRYPTION_KEY: 'a'.repeat(64) }
    const lease = (value?: string) => parseConfig({ ...base, ...(value !== undefined && { NODE_LEASE_MS: value }) })
    expect(lease()).toMatchObject({ ok: true, config: { leaseMs: t.NODE_LEASE_MS.default } })
    expect(lease(String(t.NODE_LEASE_MS.max + 1)).ok).toBe(false)
    expect(lease(String(t.NODE_LEASE_MS.min - 1)).ok).toBe(false)
  })
})
