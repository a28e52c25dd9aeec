// QR codes as the API serves them (a PNG data URL for `qr_image`) and as a developer running
// `npm run dev` wants them (scannable art in the terminal).
import QRCode from 'qrcode'

export const qrImageDataUrl = (code: string): Promise<string> =>
  QRCode.toDataURL(code, { type: 'image/png', errorCorrectionLevel: 'M', margin: 2, scale: 4 })

export const qrTerminalArt = (code: string): Promise<string> => QRCode.toString(code, { type: 'terminal', small: true })
