/* symbols_cmd.c - memscry symbols from-btf --kernel FILE --symbols FILE -o OUT
 *                 memscry symbols from-dump -f DUMP -o OUT
 *
 * Builds an ISF from a kernel's BTF and its System.map or kallsyms
 * (scry_isf_from_btf), or from the BTF and kallsyms inside a dump
 * (scry_isf_from_dump), for kernels whose DWARF (the -dbg package) is not
 * at hand. Exit status: 0 written, 1 failed, 2 usage error. */
#include <stdio.h>
#include <string.h>

#include "cli/say.h"
#include "cli/symbols_cmd.h"
#include "memscry/memscry.h"

static void usage(FILE *f)
{
    fputs("usage: memscry symbols from-btf --kernel FILE --symbols FILE -o OUT\n"
          "       memscry symbols from-dump -f DUMP [-f DUMP]... -o OUT\n"
          "\n"
          "Writes an ISF symbol table (Volatility's JSON) for a Linux kernel from the BTF\n"
          "types inside its image and the addresses of its symbol file.\n"
          "\n"
          "options:\n"
          "  --kernel FILE    vmlinux ELF or bzImage (/boot/vmlinuz) with a .BTF section\n"
          "  --symbols FILE   System.map or /proc/kallsyms (plain or .xz); a kallsyms\n"
          "                   KASLR shift is removed relative to _text\n"
          "  -f, --file DUMP  from-dump: the memory dump (repeated for a split kdump set);\n"
          "                   the BTF and kallsyms of the kernel in it are used\n"
          "  -o, --output OUT the ISF: .json.xz (xz), .json.gz (gzip) or .json\n"
          "  -h, --help       this help\n",
          f);
}

enum { MAX_FILES = 64 };

/* memscry symbols from-dump -f DUMP... -o OUT */
static int from_dump(int argc, char **argv)
{
    const char *files[MAX_FILES], *out = NULL;
    size_t nfiles = 0;
    scry_context *ctx = NULL;
    scry_dump *dump = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        int is_file = !strcmp(a, "-f") || !strcmp(a, "--file");
        if (!is_file && strcmp(a, "-o") && strcmp(a, "--output")) {
            say("unknown option: %s", a);
            return 2;
        }
        if (i + 1 >= argc) {
            say("%s needs a file", a);
            return 2;
        }
        if (!is_file)
            out = argv[++i];
        else if (nfiles < MAX_FILES)
            files[nfiles++] = argv[++i];
        else {
            say("more than %d dump files", MAX_FILES);
            return 2;
        }
    }
    if (!nfiles || !out) {
        say("%s is required", !nfiles ? "-f" : "-o");
        usage(stderr);
        return 2;
    }
    scry_status st = scry_context_new(&ctx);
    if (st == SCRY_OK && (st = scry_dump_open_set(ctx, files, nfiles, &dump)) == SCRY_OK)
        st = scry_isf_from_dump(dump, out);
    if (st != SCRY_OK)
        say("%s: %s", files[0], scry_last_error());
    scry_dump_close(dump);
    scry_context_free(ctx);
    return st == SCRY_OK ? 0 : 1;
}

int symbols_main(int argc, char **argv)
{
    const char *kernel = NULL, *symbols = NULL, *out = NULL;
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "from-dump"))
        return from_dump(argc, argv);
    if (strcmp(argv[1], "from-btf") != 0) {
        say("unknown symbols command: %s", argv[1]);
        usage(stderr);
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], **val;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--kernel"))
            val = &kernel;
        else if (!strcmp(a, "--symbols"))
            val = &symbols;
        else if (!strcmp(a, "-o") || !strcmp(a, "--output"))
            val = &out;
        else {
            say("unknown option: %s", a);
            return 2;
        }
        if (i + 1 >= argc) {
            say("%s needs a file", a);
            return 2;
        }
        *val = argv[++i];
    }
    if (!kernel || !symbols || !out) {
        say("%s is required", !kernel ? "--kernel" : !symbols ? "--symbols" : "-o");
        usage(stderr);
        return 2;
    }
    if (scry_isf_from_btf(kernel, symbols, out) != SCRY_OK) {
        say("%s", scry_last_error());
        return 1;
    }
    return 0;
}
