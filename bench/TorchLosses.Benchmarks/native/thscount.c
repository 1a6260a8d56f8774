/*
 * thscount: counts the calls a process makes into TorchSharp's native library (libLibTorchSharp.so, whose
 * exported functions are named THS*). Loaded with LD_PRELOAD, it interposes dlsym: .NET resolves every
 * P/Invoke target with dlsym, so for a name starting with "THS" it hands back a small trampoline of its own
 * that increments a counter for that name and jumps to the real function; every other name gets the real
 * address. The trampoline touches only r11 (a scratch register in the System V x86-64 calling convention,
 * never an argument), so the arguments and the stack reach the real function as the caller left them.
 *
 * Read from the benchmark (TorchLosses.Benchmarks.CallCounts) through the exported thscount_* functions.
 * Compiled by the benchmark at run time: cc -shared -fPIC -O2 -o thscount.so thscount.c -ldl
 *
 * Limits: x86-64 only (elsewhere no trampolines are made and thscount_active() returns 0); a lookup through
 * RTLD_NEXT made by another library is answered as if from this library (the first definition after it),
 * which only matters to another interposer of the same name.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define MAX_SYMBOLS 8192
#define NAME_LENGTH 96
#define TRAMPOLINE_BYTES 32

typedef void *(*dlsym_fn)(void *, const char *);

static dlsym_fn real_dlsym;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile uint64_t counts[MAX_SYMBOLS];
static char names[MAX_SYMBOLS][NAME_LENGTH];
static void *targets[MAX_SYMBOLS];
static void *stubs[MAX_SYMBOLS];
static int used;
static unsigned char *pool;
static size_t pool_left;
static int failed; /* 1: no executable memory, 2: table full, 3: name too long */

static dlsym_fn resolve_real(void)
{
    if (!real_dlsym) real_dlsym = (dlsym_fn)dlvsym(RTLD_NEXT, "dlsym", "GLIBC_2.34");
    if (!real_dlsym) real_dlsym = (dlsym_fn)dlvsym(RTLD_NEXT, "dlsym", "GLIBC_2.2.5");
    return real_dlsym;
}

#if defined(__x86_64__)
/* movabs r11, &counts[slot]; lock inc qword [r11]; movabs r11, target; jmp r11 */
static void *make_trampoline(int slot, void *target)
{
    if (pool_left < TRAMPOLINE_BYTES)
    {
        size_t size = 1 << 16;
        void *memory = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (memory == MAP_FAILED) { failed = 1; return NULL; }
        pool = memory;
        pool_left = size;
    }
    unsigned char *code = pool;
    uint64_t counter = (uint64_t)(uintptr_t)&counts[slot], address = (uint64_t)(uintptr_t)target;
    code[0] = 0x49; code[1] = 0xBB; memcpy(code + 2, &counter, 8);
    code[10] = 0xF0; code[11] = 0x49; code[12] = 0xFF; code[13] = 0x03;
    code[14] = 0x49; code[15] = 0xBB; memcpy(code + 16, &address, 8);
    code[24] = 0x41; code[25] = 0xFF; code[26] = 0xE3;
    memset(code + 27, 0xCC, TRAMPOLINE_BYTES - 27);
    __builtin___clear_cache((char *)code, (char *)code + TRAMPOLINE_BYTES);
    pool += TRAMPOLINE_BYTES;
    pool_left -= TRAMPOLINE_BYTES;
    return code;
}
#else
static void *make_trampoline(int slot, void *target) { (void)slot; (void)target; return NULL; }
#endif

static void *counted(const char *name, void *target)
{
    void *result = target;
    pthread_mutex_lock(&lock);
    for (int k = 0; k < used; k++)
        if (targets[k] == target && strcmp(names[k], name) == 0) { result = stubs[k]; goto done; }
    if (used == MAX_SYMBOLS) { failed = 2; goto done; }
    if (strlen(name) >= NAME_LENGTH) { failed = 3; goto done; }
    void *stub = make_trampoline(used, target);
    if (!stub) goto done;
    strcpy(names[used], name);
    targets[used] = target;
    stubs[used] = stub;
    __atomic_store_n(&used, used + 1, __ATOMIC_RELEASE);
    result = stub;
done:
    pthread_mutex_unlock(&lock);
    return result;
}

void *dlsym(void *handle, const char *name)
{
    dlsym_fn real = resolve_real();
    if (!real) return NULL;
    void *target = real(handle, name);
    if (!target || strncmp(name, "THS", 3) != 0) return target;
    return counted(name, target);
}

/* 1 when trampolines are made (x86-64 and nothing failed so far), else 0. */
int thscount_active(void)
{
#if defined(__x86_64__)
    return failed == 0;
#else
    return 0;
#endif
}

/* Why counting stopped: 0 none, 1 no executable memory, 2 table full, 3 a name too long. */
int thscount_failure(void) { return failed; }

/* The number of counted names so far. */
int thscount_symbols(void) { return __atomic_load_n(&used, __ATOMIC_ACQUIRE); }

/* The name of counter k (0 <= k < thscount_symbols()). */
const char *thscount_name(int k) { return k >= 0 && k < thscount_symbols() ? names[k] : NULL; }

/* Copies up to capacity counters into out; returns how many it copied. */
int thscount_snapshot(uint64_t *out, int capacity)
{
    int n = thscount_symbols();
    if (n > capacity) n = capacity;
    for (int k = 0; k < n; k++) out[k] = __atomic_load_n(&counts[k], __ATOMIC_RELAXED);
    return n;
}
