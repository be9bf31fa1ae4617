/*
 * fexpod's deflate of one gzip block: zlib 1.3.1's deflate (vendored, unmodified,
 * in zlib-1.3.1/), compiled to WebAssembly by scripts/build-zlib-wasm.sh. Plain
 * integer C with no libc, no threads, no clock and no host imports: the module
 * makes the same bytes on every machine that runs it.
 *
 * Memory (the module's linear memory, above the stack and data):
 *
 *   __heap_base | input | dictionary | output | arena (zlib's allocations) ...
 *
 * zw_reserve() lays out the three I/O regions for one block (growing memory
 * when the block needs more, checked) and resets the arena; zw_deflate()
 * deflates that block with a FRESH deflate state (deflateInit2 ... deflateEnd),
 * whose allocations come zeroed from the arena. Nothing survives from one block
 * to the next, so a block's bytes never depend on the blocks before it (see
 * src/builder/layer/deflate-block.ts).
 *
 * Calling sequence (src/builder/layer/zlib-wasm.ts):
 *   in = zw_reserve(inLen, dictLen)     0: memory could not grow
 *   copy the block to in, the dictionary to zw_dict()
 *   n = zw_deflate(level, inLen, dictLen, last)    n >= 0: bytes at zw_out(); < 0: error
 */
#include "zlib.h"

extern unsigned char __heap_base;

#define ALIGN(n) (((n) + 15UL) & ~15UL)
#define PAGE 65536UL

static unsigned long in_at, dict_at, out_at, out_cap, arena_at, arena_top;

/* Makes [0, end) addressable; 0 when memory cannot grow that far. */
static int ensure(unsigned long end) {
  unsigned long have = __builtin_wasm_memory_size(0) * PAGE;
  if (end <= have) return 1;
  unsigned long pages = (end - have + PAGE - 1) / PAGE;
  return __builtin_wasm_memory_grow(0, pages) != (unsigned long)-1;
}

/* The worst case of one raw-deflated block ended by a sync flush: deflate's
   bound (stored blocks: 5 bytes per 16 KiB and more) plus the flush's empty
   stored block and the final block's bits, with room to spare. */
static unsigned long out_bound(unsigned long n) { return n + (n >> 5) + 1024; }

__attribute__((export_name("zw_reserve")))
unsigned long zw_reserve(unsigned long in_len, unsigned long dict_len) {
  in_at = ALIGN((unsigned long)&__heap_base);
  dict_at = ALIGN(in_at + in_len);
  out_at = ALIGN(dict_at + dict_len);
  out_cap = out_bound(in_len);
  arena_at = arena_top = ALIGN(out_at + out_cap);
  if (out_cap < in_len || arena_at < out_at) return 0; /* overflow */
  return ensure(arena_at) ? in_at : 0;
}

__attribute__((export_name("zw_dict"))) unsigned long zw_dict(void) { return dict_at; }
__attribute__((export_name("zw_out"))) unsigned long zw_out(void) { return out_at; }

/* zlib's allocator: bump allocation in the arena, zeroed; freed all at once by the next zw_reserve. */
static voidpf zw_alloc(voidpf opaque, uInt items, uInt size) {
  (void)opaque;
  unsigned long long n = (unsigned long long)items * size;
  if (n > 0x40000000ULL) return Z_NULL;
  unsigned long at = arena_top, end = ALIGN(at + (unsigned long)n);
  if (end < at || !ensure(end)) return Z_NULL;
  __builtin_memset((void *)at, 0, (unsigned long)n);
  arena_top = end;
  return (voidpf)at;
}

static void zw_free(voidpf opaque, voidpf p) { (void)opaque; (void)p; }

/*
 * Raw deflate (window 2^15, memLevel 8, default strategy) of the reserved
 * block, primed with the dictionary, ended by a sync flush, or for the last
 * block by the final block. Returns the bytes written at zw_out(), or an
 * error < 0: -100, -200, -300 (deflateInit2, deflateSetDictionary, deflate)
 * minus the magnitude of zlib's return code.
 */
__attribute__((export_name("zw_deflate")))
long zw_deflate(int level, unsigned long in_len, unsigned long dict_len, int last) {
  z_stream zs;
  __builtin_memset(&zs, 0, sizeof zs);
  zs.zalloc = zw_alloc;
  zs.zfree = zw_free;
  arena_top = arena_at;
  int r = deflateInit2(&zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  if (r != Z_OK) return -100 + r;
  if (dict_len > 0 && (r = deflateSetDictionary(&zs, (const Bytef *)dict_at, (uInt)dict_len)) != Z_OK) {
    deflateEnd(&zs);
    return -200 + r;
  }
  zs.next_in = (Bytef *)in_at;
  zs.avail_in = (uInt)in_len;
  zs.next_out = (Bytef *)out_at;
  zs.avail_out = (uInt)out_cap;
  r = deflate(&zs, last ? Z_FINISH : Z_SYNC_FLUSH);
  long written = (long)(out_cap - zs.avail_out);
  int ok = last ? r == Z_STREAM_END : r == Z_OK && zs.avail_in == 0 && zs.avail_out != 0;
  deflateEnd(&zs);
  return ok ? written : -300 + (r > 0 ? -r : r);
}

/* zlib's own version string ("1.3.1"), NUL-terminated. */
__attribute__((export_name("zw_version"))) const char *zw_version(void) { return zlibVersion(); }

/* What zlib's C needs from a libc (Z_SOLO, HAVE_MEMCPY: zmemcpy/zmemzero/zmemcmp). */
void *memcpy(void *d, const void *s, unsigned long n) { return __builtin_memcpy(d, s, n); }
void *memset(void *d, int c, unsigned long n) { return __builtin_memset(d, c, n); }
int memcmp(const void *a, const void *b, unsigned long n) {
  const unsigned char *x = a, *y = b;
  for (unsigned long i = 0; i < n; i++)
    if (x[i] != y[i]) return x[i] - y[i];
  return 0;
}
