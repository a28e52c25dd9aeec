// The simulator: a documented sandbox that behaves like a WhatsApp link without WhatsApp, the
// way a payment API has test cards. It is deterministic where a client can observe it (phone
// numbers, pairing codes, timings) and keeps its "credentials" in the AuthStore like the real
// engine, so failover to another node resumes without a new QR, exactly as in production.
import { createHash, randomBytes } from 'node:crypto'
import { z } from 'zod'
import type { GroupInfo } from '../../protocol/frames'
import type { SimulateInbound } from '../../protocol/inbound'
import {
  SendError,
  type Engine,
  type EngineContext,
  type EngineFactory,
  type OutgoingMessage,
  type Receipt,
  type RegisteredNumber,
} from './engine'
import { actionProblem, autoResponse, contactAction } from './simulated-contacts'

export interface SimulatorOptions {
  /** After this long "the user scans" the QR (or enters the pairing code). SIM_SCAN_DELAY_MS. */
  scanDelayMs: number
  /** WhatsApp's first QR lives 60 s, each later one 20 s. */
  firstQrTtlMs: number
  nextQrTtlMs: number
  /** A session with stored credentials reconnects this fast. */
  resumeDelayMs: number
  /** A sent message is delivered this long after it was sent (SIM_DELIVERY_MS), and read after readMs (SIM_READ_MS). */
  deliveryMs: number
  readMs: number
  /** A contact whose number ends in 1111 replies this long after a message reached it (SIM_REPLY_MS). */
  replyMs: number
}

export const SIMULATOR_DEFAULTS: SimulatorOptions = {
  scanDelayMs: 3000,
  firstQrTtlMs: 60_000,
  nextQrTtlMs: 20_000,
  resumeDelayMs: 50,
  deliveryMs: 500,
  readMs: 1500,
  replyMs: 1000,
}

export const CREDS_NAME = 'creds'

const StoredCreds = z.object({ registered: z.literal(true), phone: z.string().regex(/^\+\d{6,15}$/), linked_at: z.string() })

/** A linked simulator device is in two groups: one it administers (3 members), one it does not (5). */
export const simulatedGroups = (deviceId: number): GroupInfo[] => [
  {
    id: `120363${String(deviceId).padStart(10, '0')}01@g.us`,
    subject: 'Sandbox team',
    size: 3,
    is_admin: true,
    created_at: Date.UTC(2026, 0, 1),
  },
  {
    id: `120363${String(deviceId).padStart(10, '0')}02@g.us`,
    subject: 'Sandbox customers',
    size: 5,
    is_admin: false,
    created_at: Date.UTC(2026, 0, 2),
  },
]

/** The fake number a QR-linked device gets: +1555 and the device id on 7 digits. */
export const simulatedPhone = (deviceId: number): string => `+1555${String(deviceId).padStart(7, '0')}`

// Crockford's base32 without I, L, O, U: what WhatsApp's 8-character linking codes look like.
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/** The same device and number always get the same code, so tests and docs can rely on it. */
export function simulatedPairingCode(deviceId: number, phoneDigits: string): string {
  const digest = createHash('sha256').update(`sim-pairing:${deviceId}:${phoneDigits}`).digest()
  return Array.from(digest.subarray(0, 8), (byte) => CODE_ALPHABET[byte % 32]).join('')
}

/** Why a command cannot be done; `code` reaches the worker in the command's result. */
export class SimulatorError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'SimulatorError'
  }
}

export class SimulatorEngine implements Engine {
  private readonly options: SimulatorOptions
  private readonly timers = new Set<NodeJS.Timeout>()
  private qrTimer: NodeJS.Timeout | undefined
  private scanTimer: NodeJS.Timeout | undefined
  private qrCount = 0
  private started = false
  private stopped = false
  private linked = false
  /** Said `authenticated`: only then can it send, like a real link. */
  private ready = false

  constructor(
    private readonly context: EngineContext,
    options: Partial<SimulatorOptions> = {},
  ) {
    this.options = { ...SIMULATOR_DEFAULTS, ...options }
  }

  /** One-shot, like a Baileys socket: after `stop`, the session layer builds a new engine. */
  async start(): Promise<void> {
    if (this.started || this.stopped) return
    this.started = true
    const stored = (await this.context.store.get([CREDS_NAME]))[CREDS_NAME] ?? null
    if (this.stopped) return
    const creds = this.readCreds(stored)
    if (creds) {
      // Stored credentials: resume silently, like Baileys with a saved session. No QR.
      this.linked = true
      this.later(this.options.resumeDelayMs, () => this.authenticated(creds.phone))
      return
    }
    this.context.events.status({ status: 'pending' })
    this.showQr()
    this.scanTimer = this.later(this.options.scanDelayMs, () => this.link(simulatedPhone(this.context.deviceId)))
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
  }

  async logout(): Promise<void> {
    await this.stop()
    await this.context.store.clear()
    this.linked = false
    this.ready = false
    this.context.events.status({ status: 'error', reason: 'logged_out' })
  }

  async requestPairingCode(phoneDigits: string): Promise<string> {
    if (!/^\d{6,15}$/.test(phoneDigits)) throw new SimulatorError('invalid_phone_number', 'digits only, with the country code')
    if (this.stopped || !this.started) throw new SimulatorError('not_running', 'the session is not running')
    if (this.linked) throw new SimulatorError('already_linked', 'this device is already linked')
    // The code replaces the QR: the "user" types it in after the usual delay.
    this.cancel(this.qrTimer)
    this.cancel(this.scanTimer)
    this.scanTimer = this.later(this.options.scanDelayMs, () => this.link(`+${phoneDigits}`))
    return simulatedPairingCode(this.context.deviceId, phoneDigits)
  }

  // ── sending ─────────────────────────────────────────────────────────────────────────────
  // The sandbox rules (design, "The simulator engine"): a person whose number ends in 0000 is
  // not on WhatsApp; every other message (groups too) is delivered after deliveryMs and read
  // after readMs. Media arrives already fetched (for real, SSRF guard and all) by the session
  // node, so it is simply accepted. Receipts of a stopped engine never come: its timers die.

  async send(message: OutgoingMessage): Promise<{ waMessageId: string }> {
    if (this.stopped || !this.ready) throw new SendError('not_ready', 'the device is not linked')
    const [user = '', server] = message.chatId.split('@')
    if (server === 's.whatsapp.net' && user.endsWith('0000')) {
      throw new SendError('not_on_whatsapp', `+${user} is not on WhatsApp (simulator: numbers ending in 0000 never are)`)
    }
    const waMessageId = `SIM.${message.messageId}`
    const receipt = (status: Receipt['status']) => () => this.context.events.receipt({ waMessageId, status, at: Date.now() })
    this.later(this.options.deliveryMs, receipt('delivered'))
    // Never read before delivered, whatever the two settings say.
    this.later(Math.max(this.options.readMs, this.options.deliveryMs), receipt('read'))
    // The documented contacts answer on their own (simulated-contacts.ts).
    const response = server === 's.whatsapp.net' ? autoResponse(user, waMessageId, message.text) : null
    if (response)
      this.later(Math.max(this.options.replyMs, this.options.deliveryMs), () => void this.simulate(response).catch(() => undefined))
    return { waMessageId }
  }

  /** Read marks reach nobody in the sandbox; a device that is not linked cannot send them. */
  async markRead(): Promise<void> {
    if (this.stopped || !this.ready) throw new SimulatorError('not_ready', 'the device is not linked')
  }

  /** The sandbox gives every linked device two groups (simulatedGroups). */
  async groups(): Promise<GroupInfo[]> {
    if (this.stopped || !this.ready) throw new SimulatorError('not_ready', 'the device is not linked')
    return simulatedGroups(this.context.deviceId)
  }

  /** The sandbox rule: a number whose digits end in 0000 has no WhatsApp. */
  async checkNumbers(phoneDigits: string[]): Promise<RegisteredNumber[]> {
    if (this.stopped || !this.ready) throw new SimulatorError('not_ready', 'the device is not linked')
    return phoneDigits.filter((digits) => !digits.endsWith('0000')).map((digits) => ({ digits, jid: `${digits}@s.whatsapp.net` }))
  }

  /** The sandbox: a contact of this device writes, sends a file, reacts, edits or deletes. */
  async simulate(action: SimulateInbound): Promise<{ waMessageId: string }> {
    if (this.stopped || !this.ready) throw new SimulatorError('not_ready', 'the device is not linked')
    const problem = actionProblem(action)
    if (problem) throw new SimulatorError('invalid_action', problem)
    let file = null
    if (action.media_url !== null) {
      if (!this.context.fetchMedia) throw new SimulatorError('invalid_action', 'this node cannot fetch media')
      file = await this.context.fetchMedia(action.media_url).catch((error: unknown) => {
        throw new SimulatorError('invalid_action', `media_url: ${error instanceof Error ? error.message : String(error)}`)
      })
    }
    const { waMessageId, event } = contactAction(action, file)
    this.context.events.inbound(event)
    return { waMessageId }
  }

  // ── internals ───────────────────────────────────────────────────────────────────────────

  private readCreds(stored: string | null): z.infer<typeof StoredCreds> | null {
    if (stored === null) return null
    let value: unknown
    try {
      value = JSON.parse(stored)
    } catch {
      value = undefined
    }
    const parsed = StoredCreds.safeParse(value)
    if (!parsed.success) this.context.logger.warn({ deviceId: this.context.deviceId }, 'unreadable simulator credentials; linking anew')
    return parsed.success ? parsed.data : null
  }

  private showQr(): void {
    if (this.stopped || this.linked) return
    this.qrCount += 1
    const ttlMs = this.qrCount === 1 ? this.options.firstQrTtlMs : this.options.nextQrTtlMs
    this.context.events.qr(`SIM-QR:${this.context.deviceId}:${this.qrCount}:${randomBytes(8).toString('hex')}`, ttlMs)
    this.qrTimer = this.later(ttlMs, () => this.showQr())
  }

  private async link(phone: string): Promise<void> {
    if (this.stopped || this.linked) return
    this.linked = true
    this.cancel(this.qrTimer)
    const creds = { registered: true, phone, linked_at: new Date().toISOString() }
    try {
      // Reported only once the worker holds it: a node dying now must not lose the link.
      await this.context.store.set({ [CREDS_NAME]: JSON.stringify(creds) })
    } catch (error) {
      if (this.stopped) return
      this.linked = false
      this.context.logger.error({ err: error, deviceId: this.context.deviceId }, 'could not store simulator credentials')
      this.context.events.status({ status: 'error', reason: 'session_error', detail: 'credentials could not be stored' })
      return
    }
    if (!this.stopped) this.authenticated(phone)
  }

  private authenticated(phone: string): void {
    this.ready = true
    this.context.events.status({ status: 'authenticated', phoneNumber: phone })
  }

  private later(delayMs: number, run: () => void | Promise<void>): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      if (this.stopped) return
      void Promise.resolve(run()).catch((error: unknown) => this.context.logger.error({ err: error }, 'simulator step failed'))
    }, delayMs)
    this.timers.add(timer)
    return timer
  }

  private cancel(timer: NodeJS.Timeout | undefined): void {
    if (!timer) return
    clearTimeout(timer)
    this.timers.delete(timer)
  }
}

export const createSimulatorEngine =
  (options: Partial<SimulatorOptions> = {}): EngineFactory =>
  (context) =>
    new SimulatorEngine(context, options)
