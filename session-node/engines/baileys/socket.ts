// How this project configures a Baileys socket, and the part of the socket the engine relies on
// (narrow, so tests can script a fake one and a Baileys upgrade shows up here first).
import {
  Browsers,
  makeWASocket,
  proto,
  type AnyMessageContent,
  type AuthenticationCreds,
  type AuthenticationState,
  type BaileysEventEmitter,
  type GroupMetadata,
  type MessageRelayOptions,
  type MessageUpsertType,
  type MiscMessageGenerationOptions,
  type SocketConfig,
  type UserFacingSocketConfig,
  type WAMediaUploadFunction,
  type WAMessage,
} from '@whiskeysockets/baileys'

export type BaileysLogger = SocketConfig['logger']

/** What the engine uses of a `WASocket`. */
export interface BaileysSocket {
  ev: Pick<BaileysEventEmitter, 'on' | 'off'>
  authState: { creds: AuthenticationCreds }
  requestPairingCode(phoneNumber: string): Promise<string>
  logout(msg?: string): Promise<void>
  end(error: Error | undefined): Promise<void>
  /** Text only: with media it uploads too, and an upload failure would look like a failed send. */
  sendMessage(jid: string, content: AnyMessageContent, options?: MiscMessageGenerationOptions): Promise<WAMessage | undefined>
  /** Media, in the two steps sendMessage takes: `generateWAMessage` uploads with this… */
  waUploadToServer: WAMediaUploadFunction
  /** …then the built message is sent with this (resolves with the message id). */
  relayMessage(jid: string, message: proto.IMessage, options: MessageRelayOptions): Promise<string>
  /** What sendMessage does after a relay (`emitOwnEvents`): `messages.upsert` of the sent message. */
  messageMutex: { mutex<T>(code: () => Promise<T> | T): Promise<T> }
  upsertMessage(message: WAMessage, type: MessageUpsertType): Promise<void>
  /** Unregistered numbers are left out of the answer; they never come back as `exists: false`. */
  onWhatsApp(...phoneNumbers: string[]): Promise<{ jid: string; exists: boolean }[] | undefined>
  /** Asks the phone to upload a message's media again (the CDN lost it); waits for it with no timeout of its own. */
  updateMediaMessage(message: WAMessage): Promise<WAMessage>
  /** Sends read receipts for received messages. */
  readMessages(keys: proto.IMessageKey[]): Promise<void>
  /** Every group the account is in, with its members (one query). */
  groupFetchAllParticipating(): Promise<{ [jid: string]: GroupMetadata }>
  /** LID → phone number, from what this session has learned (local only). */
  signalRepository: { lidMapping: { getPNForLID(lid: string): Promise<string | null> } }
}

export type SocketFactory = (config: UserFacingSocketConfig) => BaileysSocket

export const defaultSocketFactory: SocketFactory = (config) => makeWASocket(config)

export function buildSocketConfig(auth: AuthenticationState, logger: BaileysLogger): UserFacingSocketConfig {
  return {
    auth,
    logger,
    // Shown in the phone's "Linked devices" list.
    browser: Browsers.ubuntu('Chrome'),
    // Online presence would silence notifications on the owner's phone while a server is linked.
    markOnlineOnConnect: false,
    // A messaging API needs no past chats: skip the FULL history download. The other history
    // types stay on, because they carry the LID↔phone mappings Baileys needs to address people.
    syncFullHistory: false,
    shouldSyncHistoryMessage: ({ syncType }) => syncType !== proto.HistorySync.HistorySyncType.FULL,
    // Baileys asks for a message it sent when a recipient needs it re-encrypted. No message store
    // yet: such retries fail and the message shows "waiting for this message" on that phone.
    getMessage: async () => undefined,
  }
}
