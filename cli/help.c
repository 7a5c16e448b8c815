/* help.c - argparse's help layout for memscry's plugins. */
#include "cli/help.h"

#include <ctype.h>
#include <string.h>

#include "memscry/memscry.h"

enum { WIDTH = 78, HELP_MAX = 24 }; /* argparse: 80 columns less 2, help at <= 24 */

/* Writes text wrapped at WIDTH, each line indented to column `indent`;
 * the cursor is at column `col`: the text starts beside it when that
 * leaves two spaces, else on the next line (argparse's rule). */
static void wrap(FILE *f, const char *text, size_t col, size_t indent)
{
    const char *p = text;
    int first = 1;
    if (col && col + 2 > indent) {
        fputc('\n', f);
        col = 0;
    }
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t n = strcspn(p, " ");
        if (!first && col + 1 + n > WIDTH) {
            fputc('\n', f);
            col = 0;
            first = 1;
        }
        if (first) {
            fprintf(f, "%*s", (int)(indent - col), "");
            col = indent;
        } else {
            fputc(' ', f);
            col++;
        }
        fwrite(p, 1, n, f);
        col += n;
        p += n;
        first = 0;
    }
    fputc('\n', f);
}

void help_plugins(FILE *f)
{
    char text[2048];
    fprintf(f, "Plugins:\n  For plugin specific options, run 'memscry <plugin> --help'\n\n");
    for (size_t i = 0; i < scry_plugin_count(); i++) {
        const char *name = scry_plugin_name(i);
        snprintf(text, sizeof text, "%s (alias %s)", scry_plugin_description(i),
                 scry_plugin_alias(i));
        fprintf(f, "    %s", name);
        wrap(f, text, 4 + strlen(name), HELP_MAX);
    }
}

/* "--pid [PID ...]": the option as argparse shows it, metavar from its
 * name upper-cased ('-' as '_'). */
static size_t invocation(size_t plugin, size_t opt, char *out, size_t cap)
{
    const char *name;
    int kind;
    char meta[128];
    size_t k = 0;
    scry_plugin_option(plugin, opt, &name, NULL, &kind);
    for (; name[k] && k + 1 < sizeof meta; k++)
        meta[k] = name[k] == '-' ? '_' : (char)toupper((unsigned char)name[k]);
    meta[k] = 0;
    switch (kind) {
    case 1: /* a list of integers */
    case 4: /* a list of texts */
        return (size_t)snprintf(out, cap, "--%s [%s ...]", name, meta);
    case 2: /* an integer */
    case 3: /* a text */
        return (size_t)snprintf(out, cap, "--%s %s", name, meta);
    default: /* a flag */
        return (size_t)snprintf(out, cap, "--%s", name);
    }
}

void help_plugin(FILE *f, size_t plugin)
{
    const char *name = scry_plugin_name(plugin);
    size_t nopt = scry_plugin_option_count(plugin), longest = strlen("-h, --help"), col, indent;
    char inv[256], prefix[300];
    for (size_t j = 0; j < nopt; j++) {
        size_t n = invocation(plugin, j, inv, sizeof inv);
        longest = n > longest ? n : longest;
    }
    /* usage: its parts wrapped under the first one after the plugin name. */
    col = (size_t)snprintf(prefix, sizeof prefix, "usage: memscry %s%s",
                           scry_plugin_needs_dump(plugin) ? "[-f DUMP] " : "", name);
    fputs(prefix, f);
    indent = col + 1;
    for (size_t j = 0; j <= nopt; j++) {
        char part[260];
        size_t m;
        if (j)
            invocation(plugin, j - 1, inv, sizeof inv);
        m = (size_t)snprintf(part, sizeof part, "[%s]", j ? inv : "-h");
        if (col + 1 + m > WIDTH && col > indent) {
            fprintf(f, "\n%*s", (int)indent - 1, "");
            col = indent - 1;
        }
        fprintf(f, " %s", part);
        col += 1 + m;
    }
    fputs("\n\n", f);
    wrap(f, scry_plugin_description(plugin), 0, 0);
    fprintf(f, "\noptions:\n");
    size_t help_col = longest + 4 < HELP_MAX ? longest + 4 : HELP_MAX;
    fprintf(f, "  -h, --help");
    wrap(f, "show this help message and exit", 2 + strlen("-h, --help"), help_col);
    for (size_t j = 0; j < nopt; j++) {
        const char *help;
        size_t n = invocation(plugin, j, inv, sizeof inv);
        scry_plugin_option(plugin, j, NULL, &help, NULL);
        fprintf(f, "  %s", inv);
        wrap(f, help, 2 + n, help_col);
    }
    fprintf(f, "\nalias: %s\n", scry_plugin_alias(plugin));
}
