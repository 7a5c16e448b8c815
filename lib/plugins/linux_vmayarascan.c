/* linux_vmayarascan.c - linux.vmayarascan.VmaYaraScan: YARA rules over
 * every VMA of every process, as Volatility 2.11.0's plugin INTENDS
 * (its own finds nothing: get_vma_maps yields (start, size) and the caller
 * reads size - start bytes, a negative length, i.e. nothing; and its row
 * reads task.UniqueProcessId, a Windows field).
 *
 * Intended behaviour, implemented here: each thread-group leader on
 * init_task.tasks, in list order (--pid filters), that has a process
 * address space; each of its VMAs in get_vma_iter() order; the VMA's bytes
 * [vm_start, vm_end) read through the process's page tables as one stream,
 * unmapped pages as zeros. The stream goes through libyara in 16 MiB
 * windows overlapping by 4 KiB, so a match straddling two pages that are
 * not adjacent in physical memory is found, and once. Rows: Offset =
 * vm_start + match offset, PID = tgid, Rule, Component, Value.
 *
 * Bound: a VMA larger than --max-size (default 1 GiB, the sanity bound of
 * Volatility's windows.vadyarascan) is not scanned; an INFO names it. */
#include <inttypes.h>
#include <stdlib.h>

#include "lib/plugins/yara_common.h"
#include "lib/plugins/linux_pm.h"
#include "lib/walk/linux_vma.h"

enum { OPT_PID = SCRY_YARA_NOPTS, NOPTS };

static const struct scry_option options[NOPTS] = {
    SCRY_YARA_OPTION_ENTRIES,
    [OPT_PID] = SCRY_YARA_PID_OPTION,
};

struct ctx {
    struct scry_linux_pm pm; /* first: the VMA walk's state */
    const struct scry_yara_rules *rules;
    struct scry_yara_memo *memo; /* windows met before (shared libraries, zeros) */
    uint64_t max_size;
};

static int on_hit(void *user, const struct scry_yara_hit *h)
{
    struct ctx *c = user;
    c->pm.st = scry_yara_add_row(c->pm.pc->out, h->addr, c->pm.t->tgid, h);
    return c->pm.st != SCRY_OK;
}

static int on_vma(void *user, const struct scry_linux_vma *v)
{
    struct ctx *c = user;
    if (v->end <= v->start)
        return 0;
    if (v->end - v->start > c->max_size) {
        scry_op_say(c->pm.pc->op, SCRY_DIAG_INFO, SCRY_ERR_LIMIT,
                    "vmayarascan: pid %" PRId32 ": VMA 0x%" PRIx64 "-0x%" PRIx64
                    " is larger than --max-size (%" PRIu64 " bytes) and was not scanned",
                    c->pm.t->tgid, v->start, v->end, c->max_size);
        return 0;
    }
    scry_status st = scry_yara_scan_vrange(c->rules, &c->pm.proc, v->start, v->end, SCRY_YARA_WINDOW,
                                           SCRY_YARA_OVERLAP, c->memo, c->pm.pc->op, on_hit, c);
    if (st == SCRY_OK)
        return c->pm.st != SCRY_OK;
    if (st == SCRY_ERR_NOMEM || st == SCRY_ERR_CANCELLED) {
        c->pm.st = st;
        return 1;
    }
    /* A VMA whose page tables are damaged: the rest of the process and the
     * other processes are still scanned. */
    scry_op_report(c->pm.pc->op, scry_diag_level_for(st), st,
                   "vmayarascan: pid %" PRId32 ": VMA 0x%" PRIx64 "-0x%" PRIx64 " not scanned",
                   c->pm.t->tgid, v->start, v->end);
    return 0;
}

static scry_status run(struct scry_plugin_ctx *pc)
{
    struct scry_yara_rules *owned;
    struct ctx *c = calloc(1, sizeof *c);
    if (!c)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    c->max_size = scry_yara_max_size(pc);
    scry_status st = scry_yara_plugin_rules(pc, &c->rules, &owned);
    if (st == SCRY_OK)
        st = scry_yara_memo_new(&c->memo);
    /* No process layer (a kernel thread): skipped, as Volatility does. */
    if (st == SCRY_OK)
        st = scry_linux_pm_run(&c->pm, pc, OPT_PID, SCRY_VMA_NEED_WALK, SCRY_PM_NEED_SPACE, on_vma,
                               c);
    scry_yara_memo_free(c->memo);
    scry_yara_rules_free(owned);
    free(c);
    return st;
}

const struct scry_plugin scry_plugin_linux_vmayarascan = {
    .name = "linux.vmayarascan.VmaYaraScan",
    .alias = "linux.vmayarascan",
    .description = "Scans all virtual memory areas for tasks using yara. memscry implements what "
                   "Volatility 2.11.0's plugin intends (its own reads no bytes and finds "
                   "nothing): each VMA read as one stream, unmapped pages as zeros, PID = tgid; "
                   "VMAs over --max-size are skipped.",
    .options = options,
    .noptions = NOPTS,
    .columns = scry_yara_pid_columns,
    .ncolumns = SCRY_YARA_PID_NCOLS,
    .os = "linux",
    .run = run,
};
