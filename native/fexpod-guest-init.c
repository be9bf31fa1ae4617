/*
 * fexpod-guest-init: the first step of a foreign container that runs in a
 * microVM (crun's krun handler) on a host whose page size is not 4 KiB.
 *
 *   fexpod-guest-init [--register LINE]... [--interpreter PATH] -- PROGRAM [ARG]...
 *
 * Inside the krun guest there is no binfmt_misc registration (the host's is
 * another kernel's), so an x86 PROGRAM would fail with ENOEXEC. This step:
 *
 *  1. registers each LINE (FEX-x86_64 and FEX-x86, interpreter FEX in the
 *     staged prefix the hook bind-mounts, flags POCF) in the guest's
 *     binfmt_misc, mounting it first if needed, then
 *  2. execs PROGRAM with its own argv[0] (execvp, like libkrun's init), so
 *     every later exec in the container goes through FEX as on a 4 KiB host.
 *
 * It registers only where that cannot touch the host: inside a krun guest
 * (crun writes /.krun_config.json into the container's root) or inside a user
 * namespace of its own (kernel >= 6.7 gives it a private binfmt_misc). Where it
 * cannot register, it runs `PATH-of-interpreter PROGRAM-resolved ARG...`: FEX
 * then keeps every child under itself through its execve handling
 * (FEX-Emu/FEX Source/Tools/LinuxEmulation/LinuxSyscalls/Syscalls.cpp), but
 * each child's argv[0] becomes its path.
 *
 * Native, dependency-free C because it runs in a foreign container where the
 * only native userland is the prefix it is staged into (with the prefix's
 * loader, like FEX). Written for fexpod; MIT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define BINFMT_DIR "/proc/sys/fs/binfmt_misc"
#define KRUN_CONFIG "/.krun_config.json"
#define MAX_LINES 8

static void say(const char *fmt, const char *a, const char *b) {
  fprintf(stderr, "fexpod-guest-init: ");
  fprintf(stderr, fmt, a, b);
  fputc('\n', stderr);
}

/* "0 0 4294967295" is the initial user namespace: the host's binfmt_misc. */
static int own_user_namespace(void) {
  char buf[128] = {0};
  int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  unsigned long inside, outside, count;
  if (sscanf(buf, "%lu %lu %lu", &inside, &outside, &count) != 3) return 0;
  return !(inside == 0 && outside == 0 && count == 4294967295UL);
}

/* The entry name of a registration line ":name:type:…" (any delimiter). */
static int entry_name(const char *line, char *out, size_t size) {
  if (line[0] == '\0') return -1;
  const char *start = line + 1;
  const char *end = strchr(start, line[0]);
  if (!end || end == start || (size_t)(end - start) >= size) return -1;
  memcpy(out, start, (size_t)(end - start));
  out[end - start] = '\0';
  return strchr(out, '/') ? -1 : 0;
}

/*
 * Returns NULL on success, else what went wrong. In a user namespace of our
 * own, binfmt_misc is always mounted afresh: a mount inherited from the parent
 * namespace is the parent's instance; mounting here gives this namespace's own
 * (the same one again if it is already mounted).
 */
static const char *register_all(char **lines, int n, int fresh_mount) {
  static char why[256];
  struct stat st;
  if (fresh_mount || stat(BINFMT_DIR "/register", &st) != 0) {
    if (mount("binfmt_misc", BINFMT_DIR, "binfmt_misc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) {
      snprintf(why, sizeof why, "mounting binfmt_misc: %s", strerror(errno));
      return why;
    }
  }
  for (int i = 0; i < n; i++) {
    char name[128], path[256];
    if (entry_name(lines[i], name, sizeof name) != 0) return "a registration line has no entry name";
    snprintf(path, sizeof path, BINFMT_DIR "/%s", name);
    if (stat(path, &st) == 0) continue; /* registered already (an earlier container in this VM) */
    int fd = open(BINFMT_DIR "/register", O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      snprintf(why, sizeof why, "opening %s: %s", BINFMT_DIR "/register", strerror(errno));
      return why;
    }
    size_t len = strlen(lines[i]);
    ssize_t w = write(fd, lines[i], len);
    int err = errno;
    close(fd);
    if (w != (ssize_t)len && !(w < 0 && err == EEXIST)) {
      snprintf(why, sizeof why, "registering %.100s: %s", name, w < 0 ? strerror(err) : "short write");
      return why;
    }
  }
  return NULL;
}

/* PROGRAM as execvp would find it: itself when it has a '/', else the first executable file on PATH. */
static const char *resolve_program(const char *prog, char *buf, size_t size) {
  if (strchr(prog, '/')) return prog;
  const char *path = getenv("PATH");
  if (!path) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  while (*path) {
    const char *colon = strchr(path, ':');
    size_t dirlen = colon ? (size_t)(colon - path) : strlen(path);
    if (dirlen > 0 && dirlen + strlen(prog) + 2 <= size) {
      struct stat st;
      memcpy(buf, path, dirlen);
      buf[dirlen] = '/';
      strcpy(buf + dirlen + 1, prog);
      if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0) return buf;
    }
    if (!colon) break;
    path = colon + 1;
  }
  return NULL;
}

static int usage(void) {
  fprintf(stderr, "usage: fexpod-guest-init [--register LINE]... [--interpreter PATH] -- PROGRAM [ARG]...\n");
  return 125;
}

int main(int argc, char **argv) {
  char *lines[MAX_LINES];
  int nlines = 0;
  const char *interpreter = NULL;
  int i = 1;
  for (; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) {
      i++;
      break;
    }
    if (strcmp(argv[i], "--register") == 0 && i + 1 < argc && nlines < MAX_LINES) lines[nlines++] = argv[++i];
    else if (strcmp(argv[i], "--interpreter") == 0 && i + 1 < argc) interpreter = argv[++i];
    else return usage();
  }
  if (i >= argc) return usage();
  char **program = &argv[i];

  const char *problem = "nothing to register";
  if (nlines > 0) {
    int userns = own_user_namespace();
    if (userns || access(KRUN_CONFIG, F_OK) == 0) problem = register_all(lines, nlines, userns);
    else problem = "not in a krun microVM nor in a user namespace of its own, so binfmt_misc is the host's";
  }
  if (problem == NULL) {
    execvp(program[0], program);
    int err = errno;
    say("cannot execute %s: %s", program[0], strerror(err));
    return err == ENOENT ? 127 : 126;
  }
  if (!interpreter) {
    say("cannot register the emulator (%s) and no --interpreter was given for %s", problem, program[0]);
    return 126;
  }
  char buf[4096];
  const char *resolved = resolve_program(program[0], buf, sizeof buf);
  if (!resolved) {
    say("%s: not found on PATH%s", program[0], "");
    return 127;
  }
  say("binfmt_misc: %s; running the program through %s (argv[0] becomes its path)", problem, interpreter);
  program[0] = (char *)resolved;
  program[-1] = (char *)interpreter; /* argv[i-1] is the "--" we parsed: reuse its slot */
  execv(interpreter, &program[-1]);
  int err = errno;
  say("cannot execute %s: %s", interpreter, strerror(err));
  return err == ENOENT ? 127 : 126;
}
