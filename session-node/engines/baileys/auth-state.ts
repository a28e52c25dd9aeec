// Baileys' auth state kept in the device's AuthStore (DeviceDO, sealed by the session layer)
// instead of files: whichever node runs the device next resumes it without a new QR scan.
// Modelled on Baileys' own `useMultiFileAuthState`, which its authors say not to run in production.
import {
  BufferJSON,
  initAuthCreds,
  makeCacheableSignalKeyStore,
  proto,
  type AuthenticationCreds,
  type AuthenticationState,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
  type SocketConfig,
} from '@whiskeysockets/baileys'
import type { AuthStore } from '../engine'

type KeyType = keyof SignalDataTypeMap
type BaileysLogger = SocketConfig['logger']

export const CREDS_NAME = 'creds'

/** Every key type (sessions, pre-keys, lid-mapping, device-list, tctoken…) shares one namespace. */
export const keyName = (type: KeyType, id: string): string => `${type}:${id}`

/** Buffers and Uint8Arrays become `{type:'Buffer', data:<base64>}` and come back as Buffers. */
export const encodeValue = (value: unknown): string => JSON.stringify(value, BufferJSON.replacer)
export const decodeValue = (text: string): unknown => JSON.parse(text, BufferJSON.reviver)

export interface StoredAuthState {
  state: AuthenticationState
  /** Writes the whole creds object (Baileys has already merged the partial update into it). */
  saveCreds(): Promise<void>
  /** Resolves once every creds write asked for so far has landed, failed or not. */
  settled(): Promise<void>
}

/** Loads the device's auth state; a device with no stored creds starts as a new, unlinked one. */
export async function loadAuthState(store: AuthStore, logger?: BaileysLogger): Promise<StoredAuthState> {
  const stored = (await store.get([CREDS_NAME]))[CREDS_NAME]
  const creds = stored == null ? initAuthCreds() : reviveCreds(stored)
  return {
    state: { creds, keys: makeCacheableSignalKeyStore(makeKeyStore(store), logger) },
    ...makeCredsWriter(store, creds),
  }
}

/** The uncached key store: one `AuthStore` round trip per `get` or `set` batch. */
export function makeKeyStore(store: AuthStore): SignalKeyStore {
  return {
    async get<T extends KeyType>(type: T, ids: string[]) {
      const found: { [id: string]: SignalDataTypeMap[T] } = {}
      if (ids.length === 0) return found
      const values = await store.get(ids.map((id) => keyName(type, id)))
      for (const id of ids) {
        const text = values[keyName(type, id)]
        // Values are AES-GCM sealed by our own key, so they are what we wrote; the cast is safe.
        if (text != null) found[id] = reviveKey(type, text) as SignalDataTypeMap[T]
      }
      return found
    },
    async set(data: SignalDataSet) {
      const entries: Record<string, string | null> = {}
      for (const [type, byId] of Object.entries(data)) {
        for (const [id, value] of Object.entries(byId ?? {})) {
          // Baileys deletes a key by setting it to null.
          entries[keyName(type as KeyType, id)] = value == null ? null : encodeValue(value)
        }
      }
      if (Object.keys(entries).length > 0) await store.set(entries)
    },
    clear: () => store.clear(),
  }
}

function reviveKey(type: KeyType, text: string): unknown {
  const value = decodeValue(text)
  // Protobuf objects serialize their bytes as base64 strings; fromObject turns them back into bytes.
  if (type === 'app-state-sync-key' && typeof value === 'object' && value !== null) {
    return proto.Message.AppStateSyncKeyData.fromObject(value)
  }
  return value
}

function reviveCreds(text: string): AuthenticationCreds {
  const value = decodeValue(text)
  // A wrong value here would otherwise surface as a crash deep inside the Noise handshake.
  if (!isCreds(value)) throw new Error('stored creds are not Baileys credentials')
  return value
}

function isCreds(value: unknown): value is AuthenticationCreds {
  if (typeof value !== 'object' || value === null) return false
  const creds = value as Partial<Record<keyof AuthenticationCreds, unknown>>
  return (
    isKeyPair(creds.noiseKey) &&
    isKeyPair(creds.signedIdentityKey) &&
    typeof creds.registrationId === 'number' &&
    typeof creds.advSecretKey === 'string'
  )
}

function isKeyPair(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  const pair = value as { public?: unknown; private?: unknown }
  return pair.public instanceof Uint8Array && pair.private instanceof Uint8Array
}

/**
 * Creds writes run one at a time, so a slow write never lands after a newer one. Each serializes
 * creds when it starts, so every update made while it waited is in it: a burst costs two writes.
 */
function makeCredsWriter(store: AuthStore, creds: AuthenticationCreds) {
  let tail: Promise<void> = Promise.resolve()
  let waiting: Promise<void> | undefined
  const saveCreds = (): Promise<void> => {
    if (waiting) return waiting
    const write = tail.then(() => {
      waiting = undefined
      return store.set({ [CREDS_NAME]: encodeValue(creds) })
    })
    waiting = write
    tail = write.catch(() => undefined)
    return write
  }
  return { saveCreds, settled: () => tail }
}
