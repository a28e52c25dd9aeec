// A recipient as the public API takes it (E.164 phone, or a group id) turned into the WhatsApp
// chat id (JID) a session node sends to.
import { parseInternationalNumber } from '../lib/phone'

export type Recipient =
  { ok: true; recipient: string; chatId: string } | { ok: false; code: 'invalid_phone_number' | 'validation_error'; message: string }

// Group ids: `120363012345678901`, legacy `15551234567-1400000000`, with or without `@g.us`.
const GROUP = /^(\d{5,20}(?:-\d{5,20})?)(?:@g\.us)?$/

export function parseRecipient(input: string, isGroup: boolean): Recipient {
  const value = input.trim()
  if (isGroup) {
    const match = GROUP.exec(value)
    if (!match?.[1])
      return {
        ok: false,
        code: 'validation_error',
        message: 'recipient must be a WhatsApp group id (digits, e.g. 120363012345678901@g.us)',
      }
    return { ok: true, recipient: value, chatId: `${match[1]}@g.us` }
  }
  const phone = parseInternationalNumber(value.replace(/@s\.whatsapp\.net$/, ''))
  if (!phone)
    return {
      ok: false,
      code: 'invalid_phone_number',
      message: 'recipient is not a valid phone number in international format (e.g. +22370123456)',
    }
  return { ok: true, recipient: phone.e164, chatId: `${phone.digits}@s.whatsapp.net` }
}
