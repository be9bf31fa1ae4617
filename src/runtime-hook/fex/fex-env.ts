/**
 * The environment FEX needs inside a foreign container, read from FEX's own
 * source (FEX-Emu/FEX, FEX-2507.1 and FEX-2608):
 *
 * - A writable data directory. FEXServer takes `<DataDir>/Server/Server.lock`
 *   and creates the directories first (Source/Tools/FEXServer/ProcessPipe.cpp,
 *   InitializeServerPipe); without it the server exits and FEX stops with
 *   "FEXServerClient: Failure to setup client" (Source/Tools/FEXLoader).
 *   DataDir is `FEX_APP_DATA_LOCATION` taken verbatim — FEX appends `Server/`
 *   with no separator, so the value needs its trailing `/` — else
 *   `$XDG_DATA_HOME` or `$HOME` plus `/.fex-emu/` (2507) or
 *   `/.local/share/fex-emu/` (2604 and later, where an existing
 *   `$HOME/.fex-emu/` beats the variable) (Source/Common/Config.cpp,
 *   GetDataDirectory). `$HOME` is not writable in a `--read-only` container;
 *   `/tmp` is (Podman mounts a tmpfs there).
 * - A FEXServer of its own. The client first connects to the abstract socket
 *   `<euid>.FEXServer.Socket`, or `FEX_SERVERSOCKETPATH` when set, then to a
 *   file socket of that name in `$XDG_RUNTIME_DIR`/`$TMPDIR`/…/`/tmp`; only if
 *   both fail does it start FEXServer from its own directory
 *   (Source/Common/FEXServerClient.cpp, ConnectToAndStartServer), and it takes
 *   its RootFS from whatever server answered (SetupClient). Abstract sockets
 *   belong to the network namespace: a container sharing the host's network
 *   (`--network host`) or a pod's would reach the host's or another
 *   container's server and its RootFS. A socket name unique to the container
 *   keeps FEX's server inside the container it serves.
 *
 * Pure: values in, values out.
 */
import { createHash } from 'node:crypto';

/** Where FEX keeps FEXServer's lock files inside a container when nothing else says so. */
export const FEX_CONTAINER_DATA_DIR = '/tmp/.fex-emu/';

/**
 * The FEXServer socket name for one container: unique per container (its
 * rootfs mount path is), short enough for an abstract address (107 bytes).
 */
export function fexServerSocketName(rootPath: string): string {
  const id = createHash('sha256').update(rootPath).digest('hex').slice(0, 16);
  return `fexpod-${id}.FEXServer.Socket`;
}

/** FEX's environment for any foreign container (also what a CDI spec can carry). */
export function fexEnv(): Record<string, string> {
  return { FEX_APP_DATA_LOCATION: FEX_CONTAINER_DATA_DIR };
}

/** FEX's environment for one container whose rootfs is mounted at `rootPath`. */
export function fexContainerEnv(rootPath: string | undefined): Record<string, string> {
  return {
    ...fexEnv(),
    ...(rootPath !== undefined ? { FEX_SERVERSOCKETPATH: fexServerSocketName(rootPath) } : {}),
  };
}
