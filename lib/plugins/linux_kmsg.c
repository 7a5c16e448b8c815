/* linux.kmsg.Kmsg - the kernel log (printk ring buffer), one row per line
 * of each record's text, then " SUBSYSTEM=..." and " DEVICE=..." rows for
 * its device info, as Volatility prints them. */
#include <stdio.h>
#include <string.h>

#include "lib/plugins/plugin.h"
#include "lib/walk/linux_kmsg.h"

static const struct scry_column columns[] = {
    {"facility", SCRY_COL_STR}, {"level", SCRY_COL_STR}, {"timestamp", SCRY_COL_STR},
    {"caller", SCRY_COL_STR},   {"line", SCRY_COL_STR},
};

static const char *const levels[8] = {"emerg", "alert",  "crit", "err",
                                      "warn",  "notice", "info", "debug"};
static const char *const facilities[12] = {"kern", "user", "mail",   "daemon",   "auth", "syslog",
                                           "lpr",  "news", "uucp",   "cron",     "authpriv", "ftp"};

struct ctx {
    struct scry_result *out;
    scry_status st;
};

static int on_record(void *user, const struct scry_kmsg_record *r)
{
    struct ctx *c = user;
    struct scry_cell cells[5];
    char fac[8], ts[32], caller[32], extra[3 * 256 + 16];
    size_t pos = 0, next;
    if (r->facility < 12)
        cells[0] = scry_cell_str(facilities[r->facility], strlen(facilities[r->facility]));
    else
        cells[0] = scry_cell_str(fac, (size_t)snprintf(fac, sizeof fac, "%u", r->facility));
    cells[1] = scry_cell_str(levels[r->level & 7], strlen(levels[r->level & 7]));
    cells[2] = scry_cell_str(ts, scry_kmsg_time(r->ts_nsec, ts));
    if (r->has_caller)
        cells[3] = scry_cell_str(
            caller, (size_t)snprintf(caller, sizeof caller, "%s(%u)",
                                     r->caller_id & 0x80000000u ? "CPU" : "Task",
                                     r->caller_id & 0x7fffffffu));
    else
        cells[3] = scry_cell_absent(SCRY_CELL_NOT_AVAILABLE);
    while (pos < r->text_len && c->st == SCRY_OK) {
        size_t n = scry_kmsg_line(r->text + pos, r->text_len - pos, &next);
        cells[4] = scry_cell_str(r->text + pos, n);
        c->st = scry_result_add(c->out, 0, cells);
        pos += next;
    }
    if (r->subsystem_len && c->st == SCRY_OK) {
        cells[4] = scry_cell_str(extra, (size_t)snprintf(extra, sizeof extra, " SUBSYSTEM=%s",
                                                         r->subsystem));
        c->st = scry_result_add(c->out, 0, cells);
    }
    if (r->device_len && c->st == SCRY_OK) {
        cells[4] =
            scry_cell_str(extra, (size_t)snprintf(extra, sizeof extra, " DEVICE=%s", r->device));
        c->st = scry_result_add(c->out, 0, cells);
    }
    return c->st != SCRY_OK;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct ctx c = {.out = pc->out};
    scry_status st = scry_linux_kmsg(scry_linux_of(pc->profile), pc->op, on_record, &c);
    return st != SCRY_OK ? st : c.st;
}

const struct scry_plugin scry_plugin_linux_kmsg = {
    .name = "linux.kmsg.Kmsg",
    .alias = "linux.kmsg",
    .description = "Kernel log buffer reader",
    .options = NULL,
    .noptions = 0,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .os = "linux",
    .run = run,
};
