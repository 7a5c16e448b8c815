/* linux_ksym.h - which kernel symbol or module owns an address: the one
 * reverse lookup the hook-checking plugins share (check_syscall, check_idt,
 * tty_check, keyboard_notifiers, check_afinfo, ...).
 *
 * It reproduces Volatility's answers, not the kernel's kallsyms:
 *  - Symbols are the ISF's, every one, their addresses masked to the
 *    kernel's virtual-address width (Volatility's symbol_mask) and sorted
 *    by (address, name); a lookup is exact (the symbol starting at that
 *    address; the first name in byte order when several do), as
 *    get_symbols_by_absolute_location(addr) with size 0.
 *  - Owners are LinuxUtilities.generate_kernel_handler_info's list, in
 *    order: "__kernel__" for [_text, _etext] (shifted, masked), then each
 *    module on the `modules` list for [base, base + core size] (both ends
 *    inclusive), base being MOD_TEXT's / core_layout's / module_core's and
 *    the core size the sum of the non-init parts; the first range holding
 *    the address wins. lookup_module_address names a symbol only for
 *    "__kernel__" (a module's own kallsyms are not read, because Volatility
 *    does not print them); its defaults are "UNKNOWN" and "N/A".
 *
 * Every address given is masked first (Volatility's pointers are), so a
 * caller may pass a pointer's raw 64-bit value.
 *
 * Ownership: open allocates, close frees; names returned point into the
 * helper (module names) or into l->symtab (symbol names) and stay valid
 * until close (the profile outlives every run). Thread safety: open and
 * close are the caller's; after open the helper is immutable and every
 * lookup may run from any thread at once. */
#ifndef SCRY_WALK_LINUX_KSYM_H
#define SCRY_WALK_LINUX_KSYM_H

#include <stddef.h>
#include <stdint.h>

#include "lib/base/op.h"
#include "lib/os/linux.h"

struct scry_vspace;
struct scry_linux_ksym;

/* Volatility's constants.linux.KERNEL_NAME and lookup_module_address's
 * defaults. */
#define SCRY_KSYM_KERNEL "__kernel__"
#define SCRY_KSYM_UNKNOWN "UNKNOWN"
#define SCRY_KSYM_NA "N/A"

/* What open builds: the symbol table always; the owner ranges (kernel text
 * and the module list, walked through ks) with SCRY_KSYM_OWNERS. */
enum { SCRY_KSYM_OWNERS = 1 };

/* Builds the helper for l. With SCRY_KSYM_OWNERS the module list is walked
 * (its early ends and skipped modules are diagnostics on op, as lsmod's);
 * an ISF without module support gives the kernel range alone (an INFO).
 * Errors: SCRY_ERR_NOMEM; SCRY_ERR_CANCELLED; SCRY_ERR_CORRUPT when the
 * ISF's compiled table is damaged; with SCRY_KSYM_OWNERS, SCRY_ERR_NOT_FOUND
 * when the ISF lacks _text or _etext (Volatility: SymbolError) and the
 * module profile's error when its layout is unusable. *out is NULL on
 * error. */
scry_status scry_linux_ksym_open(const struct scry_linux *l, struct scry_vspace *ks,
                                 struct scry_op *op, unsigned flags,
                                 struct scry_linux_ksym **out);
void scry_linux_ksym_close(struct scry_linux_ksym *k);

/* The kernel symbol at absolute (KASLR-shifted) address addr, or NULL:
 * vmlinux.get_symbols_by_absolute_location(addr)[0] without its table
 * prefix. */
const char *scry_linux_ksym_symbol(const struct scry_linux_ksym *k, uint64_t addr);

/* The symbol whose ISF address (unshifted, masked) is exactly addr, or
 * NULL: symbol_space.get_symbols_by_location(addr), which check_afinfo
 * asks without the KASLR shift. */
const char *scry_linux_ksym_symbol_isf(const struct scry_linux_ksym *k, uint64_t addr);

/* LinuxUtilities.lookup_module_address: *module is "__kernel__", a module's
 * name or "UNKNOWN"; *symbol the kernel symbol at addr, else "N/A". Needs
 * SCRY_KSYM_OWNERS (without, every address is "UNKNOWN"). */
void scry_linux_ksym_lookup(const struct scry_linux_ksym *k, uint64_t addr, const char **module,
                            const char **symbol);

/* The symbols in (masked ISF address, name) order: how many, and the i-th
 * (name valid until close). */
size_t scry_linux_ksym_count(const struct scry_linux_ksym *k);
void scry_linux_ksym_get(const struct scry_linux_ksym *k, size_t i, const char **name,
                         uint64_t *isf_addr);
/* The index of the first symbol whose masked ISF address is > addr, or
 * count when there is none. */
size_t scry_linux_ksym_after(const struct scry_linux_ksym *k, uint64_t addr);

/* The address mask every address is reduced by. */
uint64_t scry_linux_ksym_mask(const struct scry_linux_ksym *k);

#endif
