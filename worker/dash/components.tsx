// Small pieces the pages share: status chips in the API's own words, times, errors, empty states.
import type { Child } from 'hono/jsx'
import type { ApiError } from './api-client'

const GOOD = ['authenticated', 'sent', 'delivered', 'read', 'received', 'online', 'active', 'succeeded']
const BAD = ['failed', 'error', 'logged_out', 'offline', 'revoked', 'disabled', 'cancelled']
const WAIT = ['pending', 'qr_ready', 'queued', 'scheduled', 'disconnected', 'retrying']

/** A status as the API names it (`sent`, `delivered`, `read`, `failed`, …), coloured by what it means. */
export function Chip(props: { status: string; id?: string }) {
  const tone = GOOD.includes(props.status) ? 'good' : BAD.includes(props.status) ? 'bad' : WAIT.includes(props.status) ? 'wait' : 'plain'
  return (
    <span class={`chip ${tone}`} data-status={props.status} id={props.id}>
      {props.status}
    </span>
  )
}

/** An ISO time, shown as UTC to the minute (the full value on hover). */
export function Time(props: { at: string | null | undefined }) {
  if (!props.at) return <span class="muted">—</span>
  return <time datetime={props.at} title={props.at}>{`${props.at.slice(0, 10)} ${props.at.slice(11, 19)} UTC`}</time>
}

/** An API error as the API told it: its code and message. */
export function ErrorBox(props: { error: ApiError | null | undefined }) {
  if (!props.error) return <></>
  return (
    <p class="error" role="alert">
      <code>{props.error.code}</code>: {props.error.message}
    </p>
  )
}

export function Empty(props: { children: Child }) {
  return <div class="empty">{props.children}</div>
}

/** A secret shown once, with a copy button. */
export function ShownOnce(props: { label: string; secret: string }) {
  return (
    <section class="panel" aria-label={props.label}>
      <p>
        <strong>{props.label}</strong> — shown once: store it now.
      </p>
      <p class="secret">{props.secret}</p>
      <button type="button" class="secondary" data-copy={props.secret}>
        Copy
      </button>
    </section>
  )
}

/** A progress bar of `part` out of `whole` (a <progress>: the CSP allows no inline style). */
export function Bar(props: { part: number; whole: number; label: string }) {
  return <progress class="bar" value={props.part} max={Math.max(1, props.whole)} aria-label={props.label}></progress>
}

/** One button that posts to `action` (a state change: never a link, so CSRF protection applies). */
export function PostButton(props: {
  action: string
  label: string
  tone?: 'primary' | 'secondary' | 'danger'
  confirm?: string
  inline?: boolean
}) {
  return (
    <form method="post" action={props.action} class={props.inline ? 'inline' : undefined} data-confirm={props.confirm}>
      <button type="submit" class={props.tone === 'primary' ? undefined : (props.tone ?? 'secondary')}>
        {props.label}
      </button>
    </form>
  )
}

/** A fieldset of checkboxes named `name`, one per value, all checked at first. */
export function Checkboxes(props: { legend: string; name: string; values: readonly string[] }) {
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      {props.values.map((value) => (
        <label class="inline">
          <input type="checkbox" name={props.name} value={value} checked /> {value}{' '}
        </label>
      ))}
    </fieldset>
  )
}
