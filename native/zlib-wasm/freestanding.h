/* The libc functions zlib's C calls when built with Z_SOLO and HAVE_MEMCPY;
   zlib-deflate.c defines them (the module links no libc). Included before
   every source file by scripts/build-zlib-wasm.sh. */
void *memcpy(void *, const void *, unsigned long);
void *memset(void *, int, unsigned long);
int memcmp(const void *, const void *, unsigned long);
