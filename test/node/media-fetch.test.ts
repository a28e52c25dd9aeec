// The media fetcher against real HTTP servers on 127.0.0.1: what a send's media_url turns into
// (type, mimetype, file name), the limits (size, time, redirects), and the SSRF guard that
// refuses anything that is not a public address unless MEDIA_ALLOW_PRIVATE is on.
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { forbiddenAddress } from '../../session-node/media/address-policy'
import { createMediaFetcher, type MediaFetcherOptions } from '../../session-node/media/fetch-media'
import { closeServers, JPEG, PDF, PNG, redirect, send, serve } from './support/http-fixtures'

afterEach(closeServers)

const dev = (options: Partial<MediaFetcherOptions> = {}) => createMediaFetcher({ allowPrivate: true, ...options })
const guarded = (options: Partial<MediaFetcherOptions> = {}) => createMediaFetcher({ allowPrivate: false, ...options })
const refused = (reason: RegExp) =>
  expect.objectContaining({ name: 'SendError', code: 'media_unavailable', message: expect.stringMatching(reason) })

describe('media fetcher: types and names (MEDIA_ALLOW_PRIVATE on)', () => {
  it('takes the type from Content-Type', async () => {
    const { base } = await serve({
      '/a': send(PNG, { 'content-type': 'image/png' }),
      '/b': send(JPEG, { 'content-type': 'image/jpg; charset=binary' }),
      '/c': send(Buffer.from('mp4-bytes'), { 'content-type': 'video/mp4' }),
      '/d': send(Buffer.from('ogg-bytes'), { 'content-type': 'audio/ogg' }),
      '/e': send(Buffer.from('mp3-bytes'), { 'content-type': 'audio/mpeg' }),
    })
    const fetch = dev()
    expect(await fetch(`${base}/a`)).toEqual({ kind: 'image', data: PNG, mimetype: 'image/png' })
    expect(await fetch(`${base}/b`)).toMatchObject({ kind: 'image', mimetype: 'image/jpeg' })
    expect(await fetch(`${base}/c`)).toMatchObject({ kind: 'video', mimetype: 'video/mp4' })
    expect(await fetch(`${base}/d`)).toMatchObject({ kind: 'audio', mimetype: 'audio/ogg; codecs=opus' })
    expect(await fetch(`${base}/e`)).toMatchObject({ kind: 'audio', mimetype: 'audio/mpeg' })
  })

  it('falls back to the extension when the server says only octet-stream, or nothing', async () => {
    const { base } = await serve({
      '/photos/cat.JPG': send(JPEG, { 'content-type': 'application/octet-stream' }),
      '/clips/intro.mp4': send(Buffer.from('mp4-bytes')),
      '/voice.m4a': send(Buffer.from('m4a'), { 'content-type': 'binary/octet-stream' }),
      '/download': send(PDF, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="terms.pdf"' }),
    })
    const fetch = dev()
    expect(await fetch(`${base}/photos/cat.JPG?size=large`)).toMatchObject({ kind: 'image', mimetype: 'image/jpeg' })
    expect(await fetch(`${base}/clips/intro.mp4`)).toMatchObject({ kind: 'video', mimetype: 'video/mp4' })
    expect(await fetch(`${base}/voice.m4a`)).toMatchObject({ kind: 'audio', mimetype: 'audio/mp4' })
    expect(await fetch(`${base}/download`)).toMatchObject({ kind: 'document', mimetype: 'application/pdf', fileName: 'terms.pdf' })
  })

  it('names documents from Content-Disposition (UTF-8 form first), else from the URL path', async () => {
    const xlsx = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
    const { base } = await serve({
      '/d1': send(PDF, {
        'content-type': 'application/pdf',
        'content-disposition': `attachment; filename="Facture ete.pdf"; filename*=UTF-8''Facture%20%C3%A9t%C3%A9.pdf`,
      }),
      '/d2': send(PDF, { 'content-type': 'application/pdf', 'content-disposition': 'inline; filename="../../etc/report \\"final\\".pdf"' }),
      '/files/Quarterly%20Report.xlsx': send(Buffer.from('PK'), { 'content-type': xlsx }),
      '/files/export': send('a,b\n1,2\n', { 'content-type': 'text/csv; charset=utf-8' }),
      '/files/': send('hello', { 'content-type': 'text/plain' }),
    })
    const fetch = dev()
    expect(await fetch(`${base}/d1`)).toMatchObject({ kind: 'document', fileName: 'Facture été.pdf' })
    expect(await fetch(`${base}/d2`)).toMatchObject({ fileName: 'report "final".pdf' })
    expect(await fetch(`${base}/files/Quarterly%20Report.xlsx`)).toMatchObject({
      kind: 'document',
      mimetype: xlsx,
      fileName: 'Quarterly Report.xlsx',
    })
    expect(await fetch(`${base}/files/export`)).toMatchObject({ mimetype: 'text/csv', fileName: 'export.csv' })
    expect(await fetch(`${base}/files/`)).toMatchObject({ mimetype: 'text/plain', fileName: 'document.txt', data: Buffer.from('hello') })
  })

  it('refuses what WhatsApp cannot send, and bodies that are not what their type claims', async () => {
    const { base } = await serve({
      '/page': send('<!doctype html><p>hi</p>', { 'content-type': 'text/html; charset=utf-8' }),
      '/page.pdf': send('<!doctype html><p>not found</p>', { 'content-type': 'text/html' }),
      '/anim': send(Buffer.from('GIF89a'), { 'content-type': 'image/gif' }),
      '/blob': send(Buffer.from('???'), { 'content-type': 'application/octet-stream' }),
      '/fake.jpg': send('<html>error</html>', { 'content-type': 'image/jpeg' }),
      '/empty': send('', { 'content-type': 'image/png' }),
      '/missing': (_request, response) => response.writeHead(404).end('nope'),
    })
    const fetch = dev()
    await expect(fetch(`${base}/page`)).rejects.toEqual(refused(/text\/html is not a type WhatsApp can send/))
    await expect(fetch(`${base}/page.pdf`)).rejects.toEqual(refused(/text\/html/))
    await expect(fetch(`${base}/anim`)).rejects.toEqual(refused(/image\/gif/))
    await expect(fetch(`${base}/blob`)).rejects.toEqual(refused(/no known extension/))
    await expect(fetch(`${base}/fake.jpg`)).rejects.toEqual(refused(/not the image\/jpeg its server says/))
    await expect(fetch(`${base}/empty`)).rejects.toEqual(refused(/empty/))
    await expect(fetch(`${base}/missing`)).rejects.toEqual(refused(/HTTP 404/))
  })

  it('decompresses a body the server compressed anyway', async () => {
    const text = 'line\n'.repeat(1000)
    const { base } = await serve({ '/notes.txt': send(gzipSync(text), { 'content-type': 'text/plain', 'content-encoding': 'gzip' }) })
    expect((await dev()(`${base}/notes.txt`)).data.toString()).toBe(text)
  })
})

describe('media fetcher: limits', () => {
  it('refuses by Content-Length before reading the body', async () => {
    const { base } = await serve({
      // Promises a large body and never sends it: only an early refusal can answer quickly.
      '/big.jpg': (_request, response) => {
        response.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': 5000 })
        response.write(JPEG)
      },
      '/big.pdf': (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/pdf', 'content-length': 50_000 })
        response.write(PDF)
      },
      '/fine.pdf': send(Buffer.concat([PDF, Buffer.alloc(3000)]), { 'content-type': 'application/pdf' }),
    })
    const fetch = dev({ maxMediaBytes: 1000, maxDocumentBytes: 10_000, timeoutMs: 5_000 })
    const started = Date.now()
    await expect(fetch(`${base}/big.jpg`)).rejects.toEqual(refused(/larger than .* MB, the most that can be sent as an image/))
    await expect(fetch(`${base}/big.pdf`)).rejects.toEqual(refused(/as a document/))
    expect(Date.now() - started).toBeLessThan(2_000)
    // Documents get the larger allowance.
    expect((await fetch(`${base}/fine.pdf`)).data.length).toBe(PDF.length + 3000)
  })

  it('enforces the cap while streaming when there is no Content-Length', async () => {
    let written = 0
    const { base } = await serve({
      '/stream.png': (_request, response) => {
        response.writeHead(200, { 'content-type': 'image/png' }) // chunked: no length announced
        response.write(PNG)
        const timer = setInterval(() => {
          if (response.destroyed || written > 1_000_000) return clearInterval(timer)
          response.write(Buffer.alloc(4096))
          written += 4096
        }, 2)
        response.on('close', () => clearInterval(timer))
      },
    })
    await expect(dev({ maxMediaBytes: 20_000 })(`${base}/stream.png`)).rejects.toEqual(refused(/larger than/))
    expect(written).toBeLessThan(1_000_000)
  })

  it('gives up after the total timeout, whether the headers or the body are slow', async () => {
    const { base } = await serve({
      '/silent.jpg': () => undefined,
      '/trickle.jpg': (_request, response) => {
        response.writeHead(200, { 'content-type': 'image/jpeg' })
        response.write(JPEG)
        const timer = setInterval(() => response.write(Buffer.alloc(10)), 50)
        response.on('close', () => clearInterval(timer))
      },
    })
    const fetch = dev({ timeoutMs: 300 })
    const started = Date.now()
    await expect(fetch(`${base}/silent.jpg`)).rejects.toEqual(refused(/did not deliver within 0.3 s/))
    await expect(fetch(`${base}/trickle.jpg`)).rejects.toEqual(refused(/did not deliver within 0.3 s/))
    expect(Date.now() - started).toBeLessThan(3_000)
  })

  it('follows at most 3 redirects', async () => {
    const { base, hits } = await serve({
      '/r1': redirect('/r2'),
      '/r2': redirect('/r3'),
      '/r3': redirect('/photo.jpg'),
      '/photo.jpg': send(JPEG, { 'content-type': 'image/jpeg' }),
      '/r0': redirect('/r1'),
    })
    expect(await dev()(`${base}/r1`)).toMatchObject({ kind: 'image' })
    hits.length = 0
    await expect(dev()(`${base}/r0`)).rejects.toEqual(refused(/redirected more than 3 times/))
    expect(hits).toEqual(['/r0', '/r1', '/r2', '/r3'])
  })
})

describe('media fetcher: the SSRF guard (MEDIA_ALLOW_PRIVATE off)', () => {
  it('refuses loopback, private, link-local and metadata addresses, and localhost', async () => {
    const { base, port, hits } = await serve({ '/x.jpg': send(JPEG, { 'content-type': 'image/jpeg' }) })
    const fetch = guarded({ timeoutMs: 2_000 })
    await expect(fetch(`${base}/x.jpg`)).rejects.toEqual(refused(/127\.0\.0\.1 is a loopback address; only public addresses/))
    await expect(fetch(`http://localhost:${port}/x.jpg`)).rejects.toEqual(refused(/localhost is a name for this machine/))
    await expect(fetch(`http://app.localhost:${port}/x.jpg`)).rejects.toEqual(refused(/name for this machine/))
    await expect(fetch('http://10.1.2.3/x.jpg')).rejects.toEqual(refused(/private address/))
    await expect(fetch('http://172.20.0.1/x.jpg')).rejects.toEqual(refused(/private address/))
    await expect(fetch('http://192.168.1.1/x.jpg')).rejects.toEqual(refused(/private address/))
    await expect(fetch('http://100.100.100.200/x.jpg')).rejects.toEqual(refused(/carrier-grade NAT/))
    await expect(fetch('http://169.254.169.254/latest/meta-data/')).rejects.toEqual(refused(/link-local/))
    await expect(fetch('http://0.0.0.0/x.jpg')).rejects.toEqual(refused(/this network/))
    await expect(fetch(`http://[::1]:${port}/x.jpg`)).rejects.toEqual(refused(/::1 is a loopback address/))
    await expect(fetch(`http://[::ffff:127.0.0.1]:${port}/x.jpg`)).rejects.toEqual(refused(/loopback/))
    await expect(fetch('http://[fd12:3456::1]/x.jpg')).rejects.toEqual(refused(/unique-local/))
    await expect(fetch('http://[fe80::1]/x.jpg')).rejects.toEqual(refused(/link-local/))
    // Other spellings of 127.0.0.1 are normalised by the URL parser, then refused.
    await expect(fetch(`http://2130706433:${port}/x.jpg`)).rejects.toEqual(refused(/loopback/))
    await expect(fetch(`http://0x7f.1:${port}/x.jpg`)).rejects.toEqual(refused(/loopback/))
    expect(hits).toEqual([]) // nothing ever reached the server
  })

  it('refuses a name that resolves to a private address, or to a mix of public and private', async () => {
    const { port, hits } = await serve({ '/x.jpg': send(JPEG, { 'content-type': 'image/jpeg' }) })
    const names: Record<string, { address: string; family: number }[]> = {
      'media.example.test': [{ address: '127.0.0.1', family: 4 }],
      'mixed.example.test': [
        { address: '93.184.215.14', family: 4 },
        { address: '10.0.0.7', family: 4 },
      ],
      'v6.example.test': [{ address: '::ffff:169.254.169.254', family: 6 }],
    }
    const fetch = guarded({ resolve: async (host) => names[host] ?? [] })
    await expect(fetch(`http://media.example.test:${port}/x.jpg`)).rejects.toEqual(
      refused(/media\.example\.test resolves to a loopback address/),
    )
    await expect(fetch(`http://mixed.example.test:${port}/x.jpg`)).rejects.toEqual(refused(/resolves to a private address/))
    await expect(fetch(`http://v6.example.test:${port}/x.jpg`)).rejects.toEqual(refused(/link-local/))
    await expect(fetch(`http://nowhere.example.test:${port}/x.jpg`)).rejects.toEqual(refused(/could not be resolved/))
    // The resolved address is not told to the client: it would map the node's network.
    await expect(fetch(`http://media.example.test:${port}/x.jpg`)).rejects.not.toEqual(refused(/127\.0\.0\.1/))
    expect(hits).toEqual([])
  })

  it('checks every redirect hop: an allowed host cannot send the node inward', async () => {
    // Pretend 127.0.0.1 is public for this test, so the first hop is an allowed host.
    const forbidden = (address: string) => (address === '127.0.0.1' ? null : forbiddenAddress(address))
    const names: Record<string, { address: string; family: number }[]> = {
      'cdn.example.test': [{ address: '127.0.0.1', family: 4 }],
      'intranet.example.test': [{ address: '10.0.0.5', family: 4 }],
    }
    const { port, hits } = await serve({
      '/to-metadata': redirect('http://169.254.169.254/latest/meta-data/iam/'),
      '/to-intranet': redirect('http://intranet.example.test/secret.pdf'),
      '/to-file': redirect('file:///etc/passwd'),
      '/ok.jpg': send(JPEG, { 'content-type': 'image/jpeg' }),
    })
    const fetch = guarded({ forbidden, resolve: async (host) => names[host] ?? [] })
    expect(await fetch(`http://cdn.example.test:${port}/ok.jpg`)).toMatchObject({ kind: 'image' })
    await expect(fetch(`http://cdn.example.test:${port}/to-metadata`)).rejects.toEqual(
      refused(/169\.254\.169\.254 is a link-local address/),
    )
    await expect(fetch(`http://cdn.example.test:${port}/to-intranet`)).rejects.toEqual(
      refused(/intranet\.example\.test resolves to a private address/),
    )
    await expect(fetch(`http://cdn.example.test:${port}/to-file`)).rejects.toEqual(refused(/only http and https .* not file:/))
    expect(hits).toEqual(['/ok.jpg', '/to-metadata', '/to-intranet', '/to-file'])
  })

  it('connects to the address it checked, not to whatever DNS says next (rebinding)', async () => {
    const forbidden = (address: string) => (address === '127.0.0.1' ? null : forbiddenAddress(address))
    let lookups = 0
    // First answer: the allowed address; every later one: the metadata service.
    const resolve = async () => [{ address: lookups++ === 0 ? '127.0.0.1' : '169.254.169.254', family: 4 }]
    const { port, hits } = await serve({ '/x.jpg': send(JPEG, { 'content-type': 'image/jpeg' }) })
    // The name exists only in this resolver: had the connection resolved it again, it would have failed.
    expect(await guarded({ forbidden, resolve })(`http://rebind.example.test:${port}/x.jpg`)).toMatchObject({ kind: 'image' })
    expect(lookups).toBe(1)
    expect(hits).toEqual(['/x.jpg'])
  })

  it('refuses schemes other than http and https, and URLs that do not parse', async () => {
    const fetch = guarded()
    await expect(fetch('file:///etc/passwd')).rejects.toEqual(refused(/only http and https media URLs can be fetched, not file:/))
    await expect(fetch('ftp://ftp.example.com/file.pdf')).rejects.toEqual(refused(/not ftp:/))
    await expect(fetch('data:image/png;base64,iVBORw0KGgo=')).rejects.toEqual(refused(/not data:/))
    await expect(fetch('/etc/hostname')).rejects.toEqual(refused(/not a valid URL/))
  })

  it('MEDIA_ALLOW_PRIVATE lifts the address rule only: schemes and limits still apply', async () => {
    const { port } = await serve({ '/x.jpg': send(JPEG, { 'content-type': 'image/jpeg' }) })
    const fetch = dev({ maxMediaBytes: 10 })
    await expect(fetch(`http://localhost:${port}/x.jpg`)).rejects.toEqual(refused(/larger than/))
    await expect(fetch('file:///etc/passwd')).rejects.toEqual(refused(/not file:/))
    expect(await dev()(`http://localhost:${port}/x.jpg`)).toMatchObject({ kind: 'image' })
  })
})
