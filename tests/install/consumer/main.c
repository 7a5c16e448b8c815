/* main.c - a program outside the memscry tree that uses the installed
 * library: it sees only <memscry/memscry.h> and what find_package(memscry)
 * or pkg-config hand it. Opens a dump, prints what it learnt. */
#include <memscry/memscry.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    scry_context *ctx = NULL;
    scry_dump *dump = NULL;
    uint64_t start = 0, length = 0;
    unsigned char head[8];
    size_t holes = 0;
    scry_status st;

    if (argc != 2) {
        fprintf(stderr, "usage: %s DUMP\n", argv[0]);
        return 2;
    }
    printf("version %s\n", scry_version());
    st = scry_context_new(&ctx);
    if (st == SCRY_OK)
        st = scry_dump_open(ctx, argv[1], &dump);
    if (st != SCRY_OK) {
        printf("error %d %s: %s\n", (int)st, scry_status_str(st), scry_last_error());
        scry_context_free(ctx);
        return 1;
    }
    printf("format %s\n", scry_dump_format(dump));
    if (scry_dump_run_count(dump) != 1 || scry_dump_run(dump, 0, &start, &length) != SCRY_OK ||
        scry_dump_read_phys(dump, length - 4, head, sizeof head, &holes) != SCRY_OK) {
        printf("error %s\n", scry_last_error());
        scry_dump_close(dump);
        scry_context_free(ctx);
        return 1;
    }
    printf("run 0x%llx+0x%llx\n", (unsigned long long)start, (unsigned long long)length);
    printf("tail %.4s holes %zu\n", (const char *)head, holes);
    scry_dump_close(dump);
    scry_context_free(ctx);
    return 0;
}
