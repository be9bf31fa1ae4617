/** fexpod's public library surface. Named exports only. */
export { Arch, ARCH_NAMES, UnknownArchError } from './common/arch.js';
export type { ArchName, ElfIdentity } from './common/arch.js';
export { FexpodError, ConfigError, UsageError, withContext, inContext } from './common/errors.js';
export type { Command, CliContext } from './common/command.js';
export type { Logger } from './common/log.js';
// Host: ELF, emulator catalogue and choice, relocatable prefixes, host facts, non-4k dispatch.
export { parseElf, isStatic, ElfParseError } from './common/elf.js';
export type { ElfFile, DynamicInfo } from './common/elf.js';
export { discoverEmulators, CATALOGUE, DEFAULT_PRECEDENCE } from './emulator/emulator-catalogue.js';
export type { EmulatorId, FoundEmulator, Purpose } from './emulator/emulator-catalogue.js';
export { chooseEmulator } from './emulator/emulator-choice.js';
export type { Choice, ChoiceHost } from './emulator/emulator-choice.js';
export { stagePrefix } from './emulator/prefix/emulator-prefix.js';
export type { StagedEmulator, StageOptions } from './emulator/prefix/emulator-prefix.js';
export { nodePrefixDeps } from './emulator/prefix/prefix-deps.js';
export { gatherHostFacts, choiceHost } from './emulator/host/host-facts.js';
export type { HostFacts } from './emulator/host/host-facts.js';
export { nodeHostDeps } from './emulator/host/host-deps.js';
export { muvmBlocker, krunBlocker, needsMicroVm, parseBinfmtInvocation } from './emulator/microvm/muvm.js';
export { hostRoutes } from './emulator/routes.js';
export type { HostRoutes, RouteOutcome } from './emulator/routes.js';
// Builder, part 1: definitions → repository metadata → libsolv → lock → fetch + verify.
export { parseDefinition, loadDefinition, applyRepoOverrides, parseRepoOverride, definitionSchema, PROFILES, OUTPUT_FORMATS } from './builder/definition.js';
export type { ImageDefinition, RepoDefinition, Profile, OutputFormat } from './builder/definition.js';
export { lockDefinition, checkLocked } from './builder/lock/lock-definition.js';
export { parseLock, serializeLock, LOCK_SCHEMA_VERSION, VanishedPackagesError } from './builder/lock/lock.js';
export type { Lock, LockedPackage } from './builder/lock/lock.js';
export { fetchLocked } from './builder/fetch/package-fetch.js';
export { BlobCache, defaultCacheDir } from './builder/fetch/cache.js';
export { nodeHttpClient, redactUrl } from './builder/fetch/http.js';
export { pythonSolverRunner, ResolveError } from './builder/lock/solver.js';
export { verifyRpmFile, PackageVerifyError } from './builder/rpm/verify.js';
export { parseRpmHeaders, RpmTag, RpmSigTag, RpmTagType } from './builder/rpm/rpm-header.js';
export type { RpmPackageHeaders, RpmHeader } from './builder/rpm/rpm-header.js';
export { decompressor, detectCompression, compressionFromName } from './common/decompress.js';
// Builder, part 2: the build as a list of steps over a build context (docs/build.md, docs/architecture.md).
export { build } from './builder/build.js';
export type { BuildResult } from './builder/build.js';
export { buildContext, defaultLockPath } from './builder/build-context.js';
export type { BuildContext, BuildDeps, BuildOptions, BuildRequest, PackageRepos, PackagesContext } from './builder/build-context.js';
export { nodeBuildDeps, nodePackageRepos } from './builder/build-deps.js';
export { writeOutputs } from './builder/steps/outputs.js';
export { planOutputs, defaultOutputNames, OUTPUT_KINDS } from './builder/outputs/output-plan.js';
export type { OutputKind, OutputsRequest, OutputsResult } from './builder/outputs/output-plan.js';
