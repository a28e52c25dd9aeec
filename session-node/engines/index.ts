// Which engine a node runs (WA_ENGINE). Baileys is imported only when chosen: a simulator node
// never pays for loading it, and a machine without WhatsApp access never needs it.
import type { EngineFactory, EngineName } from './engine'
import { createSimulatorEngine, type SimulatorOptions } from './simulator'

export interface EngineSettings {
  simulator: Partial<SimulatorOptions>
}

export async function loadEngineFactory(name: EngineName, settings: EngineSettings): Promise<EngineFactory> {
  switch (name) {
    case 'simulator':
      return createSimulatorEngine(settings.simulator)
    case 'baileys': {
      const { createBaileysEngine } = await import('./baileys/index.js')
      return (context) => createBaileysEngine(context)
    }
  }
}
