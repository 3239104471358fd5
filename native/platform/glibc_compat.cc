// Old-glibc compatibility for the redistributable build (CMake option NATIVE_MLP_PORTABLE, used for
// prebuilds/). Only compiled into that build, only for Linux/glibc.
//
// Why: a shared object linked on this machine's glibc (2.36) asks for the newest version of every
// libc symbol it calls (pthread_create@GLIBC_2.34, log@GLIBC_2.29, ...) and so refuses to load on an
// older distribution. The prebuilds promise glibc 2.28. The statically linked libstdc++ and libgcc
// (see CMakeLists.txt) call some of these symbols from their own objects, so a header with .symver
// lines is not enough: the linker is told to --wrap every such symbol (the list is in
// CMakeLists.txt), and each __wrap_X below calls X at the oldest version the architecture has,
// which is the same function in today's glibc (2.34 only moved libpthread into libc; 2.29's log
// and pow only dropped the SVID error wrapper). Three symbols have no old version at all; they get a local
// (hidden) definition here, which the linker prefers to libc's:
//   _dl_find_object (2.35)        libgcc's unwinder finds a frame's .eh_frame_hdr with it
//   arc4random (2.36)             libstdc++'s std::random_device (linked in, never used here)
//   __libc_single_threaded (2.32) libstdc++'s "skip the atomics" hint; 0 = always use atomics
// scripts/check-prebuilds.mjs fails the build if any symbol newer than GLIBC_2.28 is left.
#include <cstdint>  // first, so that __GLIBC__ is defined for the test below

#if defined(__linux__) && defined(__GLIBC__)

#include <link.h>  // also <dlfcn.h>: struct dl_find_object on glibc >= 2.35
#include <pthread.h>
#include <sys/random.h>

#include <cerrno>
#include <cstring>

#if defined(__x86_64__)
#define NMLP_GLIBC_BASE "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define NMLP_GLIBC_BASE "GLIBC_2.17"
#else
#error "glibc_compat.cc: unknown base glibc version for this architecture"
#endif

#define NMLP_HIDDEN __attribute__((visibility("hidden")))
// Declares nmlp_old_NAME, bound to NAME at the architecture's base glibc version.
#define NMLP_OLD(ret, name, params) \
  ret nmlp_old_##name params;       \
  __asm__(".symver nmlp_old_" #name ", " #name "@" NMLP_GLIBC_BASE);

extern "C" {

NMLP_OLD(int, pthread_create, (pthread_t*, const pthread_attr_t*, void* (*)(void*), void*))
NMLP_OLD(int, pthread_join, (pthread_t, void**))
NMLP_OLD(int, pthread_detach, (pthread_t))
NMLP_OLD(int, pthread_once, (pthread_once_t*, void (*)(void)))
NMLP_OLD(int, pthread_key_create, (pthread_key_t*, void (*)(void*)))
NMLP_OLD(int, __pthread_key_create, (pthread_key_t*, void (*)(void*)))
NMLP_OLD(int, pthread_key_delete, (pthread_key_t))
NMLP_OLD(void*, pthread_getspecific, (pthread_key_t))
NMLP_OLD(int, pthread_setspecific, (pthread_key_t, const void*))
NMLP_OLD(int, pthread_mutex_trylock, (pthread_mutex_t*))
NMLP_OLD(double, log, (double))
NMLP_OLD(double, pow, (double, double))

NMLP_HIDDEN int __wrap_pthread_create(pthread_t* t, const pthread_attr_t* attr, void* (*fn)(void*),
                                      void* arg) {
  return nmlp_old_pthread_create(t, attr, fn, arg);
}
NMLP_HIDDEN int __wrap_pthread_join(pthread_t t, void** ret) { return nmlp_old_pthread_join(t, ret); }
NMLP_HIDDEN int __wrap_pthread_detach(pthread_t t) { return nmlp_old_pthread_detach(t); }
NMLP_HIDDEN int __wrap_pthread_once(pthread_once_t* once, void (*fn)(void)) {
  return nmlp_old_pthread_once(once, fn);
}
NMLP_HIDDEN int __wrap_pthread_key_create(pthread_key_t* key, void (*dtor)(void*)) {
  return nmlp_old_pthread_key_create(key, dtor);
}
NMLP_HIDDEN int __wrap___pthread_key_create(pthread_key_t* key, void (*dtor)(void*)) {
  return nmlp_old___pthread_key_create(key, dtor);
}
NMLP_HIDDEN int __wrap_pthread_key_delete(pthread_key_t key) { return nmlp_old_pthread_key_delete(key); }
NMLP_HIDDEN void* __wrap_pthread_getspecific(pthread_key_t key) { return nmlp_old_pthread_getspecific(key); }
NMLP_HIDDEN int __wrap_pthread_setspecific(pthread_key_t key, const void* value) {
  return nmlp_old_pthread_setspecific(key, value);
}
NMLP_HIDDEN int __wrap_pthread_mutex_trylock(pthread_mutex_t* m) { return nmlp_old_pthread_mutex_trylock(m); }
NMLP_HIDDEN double __wrap_log(double x) { return nmlp_old_log(x); }
NMLP_HIDDEN double __wrap_pow(double x, double y) { return nmlp_old_pow(x, y); }

NMLP_HIDDEN char __libc_single_threaded = 0;

NMLP_HIDDEN std::uint32_t arc4random(void) {
  std::uint32_t v = 0;
  unsigned char* p = reinterpret_cast<unsigned char*>(&v);
  std::size_t got = 0;
  while (got < sizeof v) {
    const ssize_t n = getrandom(p + got, sizeof v - got, 0);  // GLIBC_2.25
    if (n > 0) got += static_cast<std::size_t>(n);
    else if (n < 0 && errno != EINTR) break;  // no entropy source: v keeps what it has
  }
  return v;
}

// glibc's struct dl_find_object (2.35); libgcc reads dlfo_eh_frame, the address of the object's
// PT_GNU_EH_FRAME segment. Declared here with the same layout when the headers are older.
#if defined(DLFO_STRUCT_HAS_EH_DBASE)
using nmlp_dl_find_object = struct dl_find_object;
#else
struct nmlp_dl_find_object {
  unsigned long long dlfo_flags;
  void* dlfo_map_start;
  void* dlfo_map_end;
  struct link_map* dlfo_link_map;
  void* dlfo_eh_frame;
  unsigned long long reserved[7];
};
#endif

struct FindData {
  std::uintptr_t pc;
  nmlp_dl_find_object* out;
  bool found;
};

static int find_callback(struct dl_phdr_info* info, std::size_t, void* arg) {
  FindData* d = static_cast<FindData*>(arg);
  const ElfW(Phdr)* eh = nullptr;
  bool inside = false;
  std::uintptr_t lo = UINTPTR_MAX, hi = 0;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_LOAD) {
      const std::uintptr_t start = info->dlpi_addr + ph.p_vaddr;
      const std::uintptr_t end = start + ph.p_memsz;
      if (start < lo) lo = start;
      if (end > hi) hi = end;
      if (d->pc >= start && d->pc < end) inside = true;
    } else if (ph.p_type == PT_GNU_EH_FRAME) {
      eh = &ph;
    }
  }
  if (!inside) return 0;  // keep looking
  std::memset(d->out, 0, sizeof *d->out);
  d->out->dlfo_map_start = reinterpret_cast<void*>(lo);
  d->out->dlfo_map_end = reinterpret_cast<void*>(hi);
  d->out->dlfo_eh_frame = eh ? reinterpret_cast<void*>(info->dlpi_addr + eh->p_vaddr) : nullptr;
  d->found = true;
  return 1;  // stop
}

// Same contract as glibc's: 0 and *result filled when pc lies in a loaded object, else -1.
NMLP_HIDDEN int _dl_find_object(void* pc, nmlp_dl_find_object* result) {
  FindData d{reinterpret_cast<std::uintptr_t>(pc), result, false};
  dl_iterate_phdr(find_callback, &d);  // GLIBC_2.2.5
  return d.found ? 0 : -1;
}

}  // extern "C"

#endif
