/* Preloaded into one run of `ddb-catalog` by scripts/hot-code.py (LD_PRELOAD): records which
 * pages of the executable's code the run touched, without root.
 *
 * Before the executable's first instruction, the constructor turns readahead off for its code
 * mapping (MADV_RANDOM: a fault then reads only its own page), unmaps that code (MADV_DONTNEED)
 * and drops the file's pages from the page cache (POSIX_FADV_DONTNEED). Linux's fault-around
 * maps only pages already cached, so from then on the pages present in the mapping are exactly
 * those the run executed or read. At exit, the present pages (/proc/self/pagemap, whose present
 * bit an unprivileged process may read) are written to $HOT_CODE_PAGES, one address per line. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAX_MAPPINGS 16

static struct {
    uintptr_t start, end;
} code[MAX_MAPPINGS];
static int mappings;
static char out_path[PATH_MAX];

static void fail(const char *what) {
    fprintf(stderr, "hot-code-probe: %s\n", what);
    _exit(97);
}

static void find_code(const char *exe) {
    FILE *maps = fopen("/proc/self/maps", "r");
    if (!maps) fail("cannot read /proc/self/maps");
    char line[PATH_MAX + 128];
    while (fgets(line, sizeof line, maps) && mappings < MAX_MAPPINGS) {
        unsigned long start, end;
        char perms[8], path[PATH_MAX];
        path[0] = 0;
        if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %4095s", &start, &end, perms, path) < 3) continue;
        if (strchr(perms, 'x') && strcmp(path, exe) == 0) {
            code[mappings].start = start;
            code[mappings].end = end;
            mappings++;
        }
    }
    fclose(maps);
    if (!mappings) fail("no code mapping of the executable");
}

static void record(void) {
    FILE *out = fopen(out_path, "w");
    int pagemap = open("/proc/self/pagemap", O_RDONLY);
    if (!out || pagemap < 0) fail("cannot open the output or /proc/self/pagemap");
    long page = sysconf(_SC_PAGESIZE);
    for (int m = 0; m < mappings; m++) {
        for (uintptr_t address = code[m].start; address < code[m].end; address += page) {
            uint64_t entry = 0;
            if (pread(pagemap, &entry, sizeof entry, (off_t)(address / page * sizeof entry)) !=
                sizeof entry)
                fail("short read of /proc/self/pagemap");
            if (entry >> 63 & 1) fprintf(out, "%lx\n", (unsigned long)address);
        }
    }
    close(pagemap);
    if (fclose(out) != 0) fail("cannot write the output");
}

__attribute__((constructor)) static void probe(void) {
    const char *out = getenv("HOT_CODE_PAGES");
    if (!out || strlen(out) >= sizeof out_path) fail("HOT_CODE_PAGES is not set");
    strcpy(out_path, out);
    /* Only the measured process: its children (none today) must not overwrite the record. */
    unsetenv("LD_PRELOAD");
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) fail("cannot read /proc/self/exe");
    exe[n] = 0;
    find_code(exe);
    for (int m = 0; m < mappings; m++) {
        void *start = (void *)code[m].start;
        size_t length = code[m].end - code[m].start;
        if (madvise(start, length, MADV_RANDOM) || madvise(start, length, MADV_DONTNEED))
            fail("madvise of the code mapping failed");
    }
    int fd = open(exe, O_RDONLY);
    if (fd < 0 || fdatasync(fd) || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED))
        fail("cannot drop the executable from the page cache");
    close(fd);
    if (atexit(record)) fail("atexit failed");
}
