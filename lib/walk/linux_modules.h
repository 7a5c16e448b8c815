/* linux_modules.h - the loaded kernel modules: the `modules` list as
 * Volatility's lsmod walks it (list_head.to_list over module.list), each
 * module with its name, its Size (init + core, summed over the fields the
 * ISF has: see struct scry_linux_modules) and its memory parts. */
#ifndef SCRY_WALK_LINUX_MODULES_H
#define SCRY_WALK_LINUX_MODULES_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/op.h"
#include "lib/os/linux.h"

/* module.name is 56 bytes (MODULE_NAME_LEN - 8) in every kernel; a hostile
 * ISF may state more, and only this much is read. */
#define SCRY_LINUX_MODULE_NAME_READ 256

struct scry_linux_module {
    uint64_t addr;   /* struct module's virtual address (unmasked) */
    /* array_to_string(module.name): UTF-8 with replacement, cut at the
     * first NUL */
    char name[SCRY_LINUX_MODULE_NAME_READ * 3 + 1];
    size_t name_len;
    uint64_t size;   /* lsmod's Size: the sum of the size fields */
    /* The memory parts (mem[i] / init and core layouts): base 0 when the
     * ISF has no base pointer for that part (or it is unset, as an init
     * part is once the module has loaded). */
    struct {
        const char *what; /* "MOD_TEXT", "core_layout", ... */
        uint64_t base, size;
    } parts[SCRY_LINUX_MOD_SIZES];
    size_t nparts;
};

/* Return non-zero to stop the walk. */
typedef int (*scry_linux_module_fn)(void *user, const struct scry_linux_module *m);

/* Calls fn for each module on the `modules` list through ks, in list
 * order. The list ends at the head (normal) or early, each early end a
 * WARNING on op: an unreadable head or link, a NULL link, a link seen
 * before, more than op->max_entries entries. A module whose fields cannot
 * be read is skipped with a diagnostic (INFO when not in the dump). Errors:
 * SCRY_ERR_NOMEM, SCRY_ERR_CANCELLED; the profile's module status when it
 * is not SCRY_OK (SCRY_ERR_NOT_FOUND: the kernel has no module list). */
scry_status scry_linux_walk_modules(const struct scry_linux *l, struct scry_vspace *ks,
                                    struct scry_op *op, scry_linux_module_fn fn, void *user);

#endif
