/** Secrets never reach the audit log: values under key-, secret-, token- or password-like names are replaced. */

const SECRET_NAME = /(key|secret|token|password|authorization|cookie)/i;
// Names that contain "key" but hold no secret: our own idempotency keys are needed to trace an execution, and a
// key rotation names the audit keys by id and public key (ADR 0015).
const NOT_SECRET = /^(idempotency_?key|idempotencyKey|payloadHash|payload_hash|old_key_id|new_key_id|new_public_key)$/;

/** Returns a copy of `value` with secret-looking fields replaced by "[redacted]". */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([name, item]) => [
        name,
        SECRET_NAME.test(name) && !NOT_SECRET.test(name) && item !== null && typeof item !== 'object'
          ? '[redacted]'
          : redactSecrets(item),
      ]),
    );
  }
  return value;
}
