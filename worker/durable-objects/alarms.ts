/** Makes sure the object's one alarm fires no later than `at` (an earlier one is kept). */
export async function wakeBy(storage: DurableObjectStorage, at: number): Promise<void> {
  const current = await storage.getAlarm()
  if (current === null || current > at) await storage.setAlarm(at)
}
