// A table of API keys (never a secret: prefix, scopes, last use, state), with a revoke button
// posting to the path `revokePath` gives; shared by the company's page and the operator's.
import type { ApiKey } from './api-types'
import { Chip, PostButton, Time } from './components'

export function KeysTable(props: { keys: ApiKey[]; revokePath: (key: ApiKey) => string }) {
  return (
    <table>
      <thead>
        <tr>
          <th>Name</th>
          <th>Prefix</th>
          <th>Scopes</th>
          <th>Last used</th>
          <th>State</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        {props.keys.map((k) => (
          <tr>
            <td>{k.name}</td>
            <td>
              <code>{k.prefix}</code>
            </td>
            <td>{k.scopes.join(', ')}</td>
            <td>
              <Time at={k.last_used_at} />
            </td>
            <td>
              <Chip status={k.is_active ? 'active' : 'revoked'} />
            </td>
            <td>
              {k.is_active && (
                <PostButton
                  action={props.revokePath(k)}
                  label="Revoke"
                  tone="danger"
                  confirm={`Revoke ${k.name}? Requests with it stop at once.`}
                />
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
