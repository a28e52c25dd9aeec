/** Status and phone number are mirrored to D1 so device listings need no Durable Object call. */
export async function mirrorStatusToD1(db: D1Database, deviceId: number, status: string, phoneNumber: string | null): Promise<void> {
  await db
    .prepare('UPDATE devices SET status = ?, phone_number = ?, updated_at = ? WHERE id = ?')
    .bind(status, phoneNumber, Date.now(), deviceId)
    .run()
}
