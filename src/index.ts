/** fexpod's public library surface. Named exports only. */
export { Arch, ARCH_NAMES, UnknownArchError } from './common/arch.js';
export type { ArchName, ElfIdentity } from './common/arch.js';
export { FexpodError, ConfigError, UsageError, withContext, inContext } from './common/errors.js';
export type { Command, CliContext } from './common/command.js';
export type { Logger } from './common/log.js';
