// The commands DeviceDO relays for the API that the running engine answers directly: its groups,
// which numbers have WhatsApp, a read mark, and (the sandbox only) a simulated contact's action.
import type { CommandOf } from './transport/frame-socket'
import type { DeviceToNode } from '../protocol/frames'
import type { Engine } from './engines/engine'
import { CommandError } from './transport/errors'

export type EngineQuery = Extract<CommandOf<DeviceToNode>, { type: 'groups' | 'check_numbers' | 'mark_read' | 'simulate' }>

export async function answerQuery(frame: EngineQuery, engine: Engine): Promise<unknown> {
  switch (frame.type) {
    case 'groups':
      return { groups: await engine.groups() }
    case 'check_numbers':
      return { registered: await engine.checkNumbers(frame.phone_numbers) }
    case 'mark_read':
      await engine.markRead({
        chatId: frame.chat_id,
        waMessageId: frame.wa_message_id,
        ...(frame.participant && { participant: frame.participant }),
      })
      return undefined
    case 'simulate':
      if (!engine.simulate) throw new CommandError('not_simulator', 'this node runs real WhatsApp, not the simulator')
      return { wa_message_id: (await engine.simulate(frame.action)).waMessageId }
  }
}
