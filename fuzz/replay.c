/* replay.c - runs a libFuzzer harness without libFuzzer (zstd's
 * regression_driver.c idea): every file named on the command line, and every
 * regular file inside every directory named there (sorted, not recursive,
 * dot files skipped), is passed once to LLVMFuzzerTestOneInput. Linked with
 * each fuzz/fuzz_<name>.c it becomes fuzz_replay_<name>, registered as the
 * ctest test fuzz.replay.fuzz_<name> over fuzz/corpus/fuzz_<name>/, so seeds
 * and every past crash kept there stay tests, in any build and any compiler.
 *
 * A harness finding aborts or traps, which fails the test. The driver fails
 * too when an argument cannot be read or when nothing was replayed at all
 * (a missing or empty corpus must not pass silently). */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libFuzzer's default -max_len is far below this; a bigger file is a
 * mistake in the corpus, not an input. */
enum { REPLAY_MAX_BYTES = 64 * 1024 * 1024 };

static int replay_file(const char *path, size_t *count)
{
    FILE *fp = fopen(path, "rb");
    uint8_t *data = NULL;
    long end;
    size_t size, got;

    if (!fp) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (fseek(fp, 0, SEEK_END) != 0 || (end = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
        fprintf(stderr, "replay: %s: cannot size the file\n", path);
        fclose(fp);
        return -1;
    }
    if (end > REPLAY_MAX_BYTES) {
        fprintf(stderr, "replay: %s: %ld bytes, more than %d\n", path, end, REPLAY_MAX_BYTES);
        fclose(fp);
        return -1;
    }
    size = (size_t)end;
    /* An exact-size heap copy, as libFuzzer gives: ASan sees any overread.
     * malloc(0) may return NULL, so empty inputs get one spare byte. */
    data = malloc(size ? size : 1);
    if (!data) {
        fprintf(stderr, "replay: %s: out of memory\n", path);
        fclose(fp);
        return -1;
    }
    got = size ? fread(data, 1, size, fp) : 0;
    fclose(fp);
    if (got != size) {
        fprintf(stderr, "replay: %s: short read\n", path);
        free(data);
        return -1;
    }
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, size);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    (*count)++;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;

    if (!d) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **grown = realloc(names, (cap ? 2 * cap : 64) * sizeof *names);
            if (!grown) {
                rc = -1;
                break;
            }
            names = grown;
            cap = cap ? 2 * cap : 64;
        }
        if (!(names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2))) {
            rc = -1;
            break;
        }
        sprintf(names[n], "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (rc)
        fprintf(stderr, "replay: %s: out of memory\n", dir);
    if (n)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (!rc && stat(names[i], &st) == 0 && S_ISREG(st.st_mode) &&
            replay_file(names[i], count) != 0)
            rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    int rc = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            rc = 1;
        } else if (S_ISDIR(st.st_mode) ? replay_dir(argv[i], &count) != 0
                                       : replay_file(argv[i], &count) != 0) {
            rc = 1;
        }
    }
    if (!rc && count == 0) {
        fprintf(stderr, "replay: no input found\n");
        rc = 1;
    }
    fprintf(stderr, "replay: %zu input(s) replayed%s\n", count, rc ? ", with errors" : "");
    return rc;
}
