/** Repository metadata that cannot be used: malformed XML, missing fields, bad checksums. */
import { FexpodError } from '../../common/errors.js';

export class MetadataError extends FexpodError {
  constructor(message: string, options: { cause?: unknown; fix?: string } = {}) {
    super(message, {
      ...options,
      fix: options.fix ?? 'the repository metadata is broken or was changed in transit: try another mirror or regenerate it with createrepo_c',
    });
  }
}

/** Position-tagged XML error text from saxes ("file:3:14: unexpected end"). */
export function xmlErrorText(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.replace(/^undefined:/, 'line ');
}
