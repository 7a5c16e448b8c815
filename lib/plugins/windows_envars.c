/* windows_envars.c - windows.envars.Envars: each process's environment
 * block, as EPROCESS.environment_variables() reads it.
 *
 * The block is ProcessParameters->EnvironmentSize bytes (Length before
 * Vista) at ProcessParameters->Environment, read in one piece: any byte
 * that cannot be read and the process has no variables at all. It is
 * decoded as UTF-16LE with U+FFFD for bad units, split at NULs with the
 * last piece (what follows the final NUL, or an unterminated tail)
 * dropped, and each piece split at its first '='; a piece without '='
 * becomes (the piece less its last character, the whole piece), as
 * Python's find() returning -1 makes it. Pieces with an empty name or
 * value are dropped. The Block column is the address of the Environment
 * field, not of the block.
 *
 * --silent: Volatility 2.11.0 tests the option as "SILENT" before loading
 * the registry's variable names and as "silent" when filtering; the
 * configuration is case-sensitive, so the list stays empty and nothing is
 * suppressed, with or without registry hives. We do the same.
 *
 * Bound: a block larger than SCRY_WIN_ENV_MAX is read up to that size
 * (with a warning); Volatility would try to read it all. Every page is
 * translated before anything is allocated, so a hostile size costs no
 * memory unless that much is mapped. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/plugins/windows_common.h"
#include "lib/walk/windows_peb.h"

#define SCRY_WIN_ENV_MAX (16u << 20)

enum { OPT_PID, OPT_SILENT, NOPTS };

static const struct scry_option options[NOPTS] = {
    [OPT_PID] = {"pid", SCRY_OPT_INT_LIST, "Filter on specific process IDs"},
    [OPT_SILENT] = {"silent", SCRY_OPT_BOOL, "Suppress common and non-persistent variables"},
};

static const struct scry_column columns[] = {
    {"PID", SCRY_COL_INT},      {"Process", SCRY_COL_STR}, {"Block", SCRY_COL_STR},
    {"Variable", SCRY_COL_STR}, {"Value", SCRY_COL_STR},
};

struct ctx {
    const struct scry_windows *w;
    struct scry_plugin_ctx *pc;
    scry_status st;
};

/* The length of s less its last UTF-8 character. */
static size_t drop_last_char(const char *s, size_t n)
{
    if (!n)
        return 0;
    n--;
    while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return n;
}

static int row(void *user, const struct scry_win_proc *p)
{
    struct ctx *c = user;
    const struct scry_win_off *o = &c->w->off;
    struct scry_win_pspace ps;
    char name[64], block_hex[24];
    uint64_t params, env, size = 0;
    uint8_t *raw = NULL;
    char *text = NULL;
    int nlen = (int)scry_win_proc_name(c->w, p, name);
    scry_status st = scry_win_pspace_open(c->w, p, &ps);
    if (nlen < 0 || !scry_win_proc_ok(p, o->ep_pid, 8)) {
        scry_op_say(c->pc->op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                    "process at 0x%" PRIx64 " skipped: its PID or name cannot be read", p->va);
        return 0;
    }
    if (st == SCRY_ERR_NODATA)
        return 0;
    if (st != SCRY_OK)
        goto fail;
    /* get_peb(), then ProcessParameters.Environment and the size. */
    if (!scry_win_peb_valid(&ps) || scry_win_peb_params(&ps, &params) != SCRY_OK ||
        scry_win_pread_ptr(&ps, params + o->pp_env, &env) != SCRY_OK)
        return 0;
    if (o->pp_env_size != SCRY_WIN_NO_OFFSET) {
        if (scry_win_pread(&ps, params + o->pp_env_size, &size, 8) != SCRY_OK)
            return 0;
    } else if (o->pp_length != SCRY_WIN_NO_OFFSET) {
        uint32_t l;
        if (scry_win_pread(&ps, params + o->pp_length, &l, 4) != SCRY_OK)
            return 0;
        size = l;
    }
    if (size > SCRY_WIN_ENV_MAX) {
        scry_op_say(c->pc->op, SCRY_DIAG_WARNING, SCRY_ERR_LIMIT,
                    "pid %" PRIu64 ": EnvironmentSize claims %" PRIu64
                    " bytes; at most the first %u are read",
                    ps.pid, size, SCRY_WIN_ENV_MAX);
        size = SCRY_WIN_ENV_MAX;
    }
    /* Nothing is allocated for a block that cannot be read: every page
     * is translated first (a claimed size is not trusted). */
    for (uint64_t pg = env & ~0xfffull; size && pg < env + size; pg += 4096)
        if (!scry_win_pvalid(&ps, pg < env ? env : pg))
            return 0;
    size_t bytes = (size_t)size + 3 * ((size_t)size / 2) + 9;
    raw = malloc(size ? size : 1);
    text = malloc(3 * (size / 2) + 8);
    if (!raw || !text) {
        st = scry_err(SCRY_ERR_NOMEM, "out of memory");
        goto fail;
    }
    scry_result_hold(c->pc->out, bytes);
    st = scry_win_pread(&ps, env, raw, size);
    size_t tlen = st == SCRY_OK ? scry_utf16_replace(raw, size, 0, text) : 0;
    free(raw);
    raw = NULL;
    scry_result_release(c->pc->out, size);
    if (st != SCRY_OK) {
        free(text);
        scry_result_release(c->pc->out, bytes - size);
        if (st == SCRY_ERR_NODATA)
            return 0;
        text = NULL;
        goto fail;
    }
    snprintf(block_hex, sizeof block_hex, "0x%" PRIx64, params + o->pp_env);
    /* split("\0")[:-1]: every piece that a NUL ends. */
    for (size_t at = 0; at < tlen;) {
        const char *piece = text + at;
        const char *nul = memchr(piece, '\0', tlen - at);
        if (!nul)
            break; /* the unterminated tail is dropped */
        size_t plen = (size_t)(nul - piece);
        at += plen + 1;
        const char *eq = memchr(piece, '=', plen);
        const char *var = piece, *val = piece;
        size_t varlen, vallen;
        if (eq) {
            varlen = (size_t)(eq - piece);
            val = eq + 1;
            vallen = plen - varlen - 1;
        } else {
            varlen = drop_last_char(piece, plen);
            vallen = plen;
        }
        if (!varlen || !vallen)
            continue;
        struct scry_cell cells[5] = {
            scry_cell_int((int64_t)ps.pid), scry_cell_str(name, (size_t)nlen),
            scry_cell_str(block_hex, strlen(block_hex)), scry_cell_str(var, varlen),
            scry_cell_str(val, vallen),
        };
        if ((st = scry_result_add(c->pc->out, 0, cells)) != SCRY_OK) {
            scry_result_release(c->pc->out, bytes - size);
            goto fail;
        }
    }
    free(text);
    scry_result_release(c->pc->out, bytes - size);
    return 0;
fail:
    free(raw);
    free(text);
    c->st = st;
    return 1;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx c = {.w = scry_windows_of(pc->profile), .pc = pc};
    struct scry_vspace ks;
    scry_status st = scry_win_each_process(pc, &ks, OPT_PID, row, &c);
    return st != SCRY_OK ? st : c.st;
}

const struct scry_plugin scry_plugin_windows_envars = {
    .name = "windows.envars.Envars",
    .alias = "windows.envars",
    .description = "Display process environment variables",
    .options = options,
    .noptions = NOPTS,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "windows",
    .run = run,
};
