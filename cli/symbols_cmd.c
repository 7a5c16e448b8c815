/* symbols_cmd.c - memscry symbols from-btf --kernel FILE --symbols FILE -o OUT
 *
 * Builds an ISF from a kernel's BTF and its System.map or kallsyms
 * (scry_isf_from_btf), for kernels whose DWARF (the -dbg package) is not at
 * hand. Exit status: 0 written, 1 failed, 2 usage error. */
#include <stdio.h>
#include <string.h>

#include "cli/say.h"
#include "cli/symbols_cmd.h"
#include "memscry/memscry.h"

static void usage(FILE *f)
{
    fputs("usage: memscry symbols from-btf --kernel FILE --symbols FILE -o OUT\n"
          "\n"
          "Writes an ISF symbol table (Volatility's JSON) for a Linux kernel from the BTF\n"
          "types inside its image and the addresses of its symbol file.\n"
          "\n"
          "options:\n"
          "  --kernel FILE    vmlinux ELF or bzImage (/boot/vmlinuz) with a .BTF section\n"
          "  --symbols FILE   System.map or /proc/kallsyms (plain or .xz); a kallsyms\n"
          "                   KASLR shift is removed relative to _text\n"
          "  -o, --output OUT the ISF: .json.xz (xz), .json.gz (gzip) or .json\n"
          "  -h, --help       this help\n",
          f);
}

int symbols_main(int argc, char **argv)
{
    const char *kernel = NULL, *symbols = NULL, *out = NULL;
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
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
