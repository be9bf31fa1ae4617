/**
 * Deterministic JSON for everything fexpod hashes (OCI configs, manifests and
 * indexes, artifact manifests, SBOMs, FEX indexes, rebuild records) and RFC
 * 3339 times from SOURCE_DATE_EPOCH.
 */

/**
 * JSON with object keys sorted by code unit and no whitespace: the same value
 * always gives the same bytes, whatever order the code built it in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** RFC 3339 UTC ("2024-01-02T03:04:05Z") from epoch seconds, independent of TZ. */
export function rfc3339(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

