/** JSON text for a jsonb column: both drivers parse jsonb on read, and both accept JSON text on write. */
export function json(value: unknown): string {
  return JSON.stringify(value);
}
