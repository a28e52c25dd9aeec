import type { HealthMirror } from './health'

/** Status, phone number and health are mirrored to D1 so device listings need no Durable Object call. */
export async function mirrorStatusToD1(db: D1Database, deviceId: number, phoneNumber: string | null, health: HealthMirror): Promise<void> {
  await db
    .prepare(
      `UPDATE devices SET status = ?, phone_number = ?, status_reason = ?, last_error = ?, linked_at = ?, last_seen_at = ?, updated_at = ?
       WHERE id = ?`,
    )
    .bind(
      health.status,
      phoneNumber,
      health.status_reason,
      health.last_error === null ? null : JSON.stringify(health.last_error),
      health.linked_at,
      health.last_seen_at,
      Date.now(),
      deviceId,
    )
    .run()
}
