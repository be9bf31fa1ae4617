/**
 * The CLI edge of `fexpod build … --push REF` (build-command.ts calls this
 * with the build's result): registry flags, progress, the push itself.
 */
import type { CliContext } from '../common/command.js';
import { DEFAULT_CHUNK_SIZE } from '../registry/blob-upload.js';
import { parseReference } from '../registry/reference.js';
import { pushBuildOutputs, type BuiltOutputs } from './build-push.js';
import type { PublishResult } from './publish.js';
import { commandLogger, connect, progressMode, registrySettings, type RegistryFlagValues } from './registry-flags.js';
import { transferProgress } from './transfer-progress.js';

export { printPushResult } from './push-command.js';

export async function pushBuilt(ctx: CliContext, refText: string, flags: RegistryFlagValues, result: Omit<BuiltOutputs, 'profile'>, profile: string): Promise<PublishResult[]> {
  const ref = parseReference(refText);
  const log = commandLogger(ctx, flags);
  const client = await connect(ctx, ref, registrySettings('build --push', flags, ctx.cwd), log);
  const progress = transferProgress(ctx.stderr, progressMode(ctx, flags), `pushing ${refText}:`, Date.now);
  try {
    const r = await pushBuildOutputs(client, ref, { ...result, profile }, {
      jobs: 4,
      chunkSize: DEFAULT_CHUNK_SIZE,
      progress,
      now: Date.now,
      sleep: (ms) => new Promise((res) => setTimeout(res, ms)),
      random: Math.random,
    });
    progress.finish();
    return r;
  } finally {
    client.close();
  }
}
