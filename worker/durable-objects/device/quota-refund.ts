import { companyOf } from '../stubs'

/** Gives a reservation back to the company's quota; a failure is logged, never thrown (the message's outcome stands). */
export async function refundQuota(env: Env, companyId: number, period: string, count: number): Promise<void> {
  try {
    await companyOf(env, companyId).refund({ count, period, limit: null })
  } catch (error) {
    console.error(JSON.stringify({ msg: 'quota refund failed', companyId, period, count, error: String(error) }))
  }
}
