// The live card of one device: its QR code while it waits for a scan (an SVG drawn here from the
// raw code, always dark on white with a 4-module margin), "Linked" and the phone number once the
// phone scanned, and otherwise why it is not linked. The same card is sent over the live stream.
import QRCode from 'qrcode'
import { STATUS_REASON_TEXT, type StatusReason } from '../../protocol/status-reasons'
import type { DeviceStatusView } from './api-types'
import { Chip, Time } from './components'

export interface CardState {
  status: DeviceStatusView
  qr: { qr_code: string | null; expires_at: string | null }
}

async function qrImage(code: string): Promise<string> {
  const svg = await QRCode.toString(code, {
    type: 'svg',
    errorCorrectionLevel: 'L',
    margin: 4,
    color: { dark: '#000000', light: '#ffffff' },
  })
  return `data:image/svg+xml;base64,${btoa(svg)}`
}

const reasonText = (reason: StatusReason | null) => (reason ? STATUS_REASON_TEXT[reason] : null)

export async function DeviceCard(props: CardState) {
  const { status, qr } = props
  const live = qr.qr_code && qr.expires_at && Date.parse(qr.expires_at) > Date.now()
  return (
    <div id="device-card" class="card" data-status={status.status} aria-live="polite">
      <p>
        Status: <Chip status={status.status} />
      </p>
      {status.status === 'authenticated' && (
        <>
          <p class="linked">Linked</p>
          <p>
            Phone: <strong>{status.phone_number}</strong>
          </p>
          <p class="muted">
            Linked since <Time at={status.linked_at} />
          </p>
        </>
      )}
      {status.status === 'qr_ready' && live && (
        <>
          <ol>
            <li>Open WhatsApp on the phone</li>
            <li>Settings → Linked devices → Link a device</li>
            <li>Point the phone at this code</li>
          </ol>
          <div class="qr">
            <img alt="QR code" src={await qrImage(qr.qr_code!)} width={264} height={264} />
          </div>
          <p class="muted" data-expires-at={String(Date.parse(qr.expires_at!))}>
            expires soon
          </p>
        </>
      )}
      {status.status === 'qr_ready' && !live && <p>The code expired before it was scanned; waiting for a new one…</p>}
      {status.status === 'pending' && !status.status_reason && <p>Starting the session; the QR code follows in a moment…</p>}
      {status.status !== 'authenticated' && reasonText(status.status_reason) && (
        <p>
          <strong>{status.status_reason}</strong>: {reasonText(status.status_reason)}
        </p>
      )}
      {status.last_error && status.status !== 'authenticated' && (
        <p class="muted">
          Last error: <code>{status.last_error.code}</code> {status.last_error.message} (<Time at={status.last_error.at} />)
        </p>
      )}
    </div>
  )
}
