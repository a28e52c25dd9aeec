import { parsePhoneNumberFromString } from 'libphonenumber-js/max'

export interface PhoneNumber {
  /** `+22370123456` */
  e164: string
  /** `22370123456`: what WhatsApp uses in JIDs and pairing. */
  digits: string
}

/**
 * An international number, with or without its leading `+` (`+22370123456`, `22370123456`),
 * checked against the numbering plan of its country, or null.
 */
export function parseInternationalNumber(input: string): PhoneNumber | null {
  const trimmed = input.trim().replace(/[\s().-]/g, '')
  if (!/^\+?\d{6,15}$/.test(trimmed)) return null
  const parsed = parsePhoneNumberFromString(trimmed.startsWith('+') ? trimmed : `+${trimmed}`)
  if (!parsed?.isValid()) return null
  return { e164: parsed.number, digits: parsed.number.slice(1) }
}
