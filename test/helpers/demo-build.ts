/**
 * Builds images/demo.toml through build.ts with the real install, profile and
 * output steps, but a STAND-IN for resolution and fetching (issue 4's lock and
 * verified fetch): the demo repository's RPMs in a fixed dependency order.
 * Used until/unless a test wants the whole CLI; says so in every test name.
 *
 *   node dist/test/helpers/demo-build.js OUTDIR [FORMATS]   prints the BuildResult as JSON
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/common/log.js';
import { build, type BuildDeps, type BuildResult } from '../../src/builder/build.js';
import { processRunner } from '../../src/builder/command-runner.js';
import { parseDefinition } from '../../src/builder/definition.js';
import { installRpmFiles } from '../../src/builder/install.js';
import { memoryContentStore } from '../../src/builder/content-store.js';
import type { OutputKind } from '../../src/builder/outputs.js';
import { repoRoot } from './integration.js';
import { makeDemoRepo } from './demo-repo.js';

/** Install order a resolver would give (setup before anything that names users). */
const ORDER = ['setup', 'filesystem', 'basesystem', 'demo-filesystem', 'demo-busybox'];

export function demoDefinitionFile(): string {
  return join(repoRoot(), 'images', 'demo.toml');
}

export function standinDeps(repoDir: string): BuildDeps {
  const rpms = readdirSync(join(repoDir, 'Packages')).filter((f) => f.endsWith('.rpm'));
  const nameOf = (f: string) => f.replace(/\.rpm$/, '').split('-').slice(0, -2).join('-');
  const ordered = ORDER.map((n) => rpms.find((f) => nameOf(f) === n)).filter((f): f is string => f !== undefined);
  return {
    runner: processRunner,
    privileged: process.getuid?.() === 0,
    pageSize: 4096,
    env: process.env,
    log: silentLogger,
    toolVersion: 'test',
    loadDefinition: async (file) => parseDefinition(file, readFileSync(file, 'utf8')),
    resolve: async () => ({ packages: [] }),
    fetch: async () => ordered.map((f) => join(repoDir, 'Packages', f)),
    install: async (files, _def, epoch) => {
      const { tree, packages } = await installRpmFiles(files, { docs: false, langs: 'all', sourceDateEpoch: epoch, preferColor: 2 }, memoryContentStore());
      return { entries: [...tree.values()], packages };
    },
  };
}

export async function buildDemoStandin(outDir: string, formats?: readonly OutputKind[], repoDir?: string): Promise<BuildResult> {
  const repo = repoDir ?? makeDemoRepo(mkdtempSync(join(tmpdir(), 'fexpod-demo-repo-'))).dir;
  return build({ definitionFile: demoDefinitionFile(), outDir, ...(formats ? { formats } : {}) }, standinDeps(repo));
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const out = process.argv[2];
  if (!out) throw new Error('usage: demo-build.js OUTDIR [FORMATS] [REPODIR]');
  const formats = process.argv[3] ? (process.argv[3].split(',') as OutputKind[]) : undefined;
  const r = await buildDemoStandin(out, formats, process.argv[4]);
  process.stdout.write(JSON.stringify(r) + '\n');
}
