/** Today's date in UTC, `YYYY-MM-DD`: plans are per UTC day. */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}
