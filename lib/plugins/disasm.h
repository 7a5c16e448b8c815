/* disasm.h - the Disasm column of the malfind plugins: capstone 4's
 * x86 disassembly as Volatility's display_disassembly renders it. */
#ifndef SCRY_PLUGINS_DISASM_H
#define SCRY_PLUGINS_DISASM_H

#include "lib/base/ondemand_capstone.h"
#include <stddef.h>
#include <stdint.h>

#include "lib/base/error.h"
#include "lib/render/text_cell.h"

struct scry_disasm {
    csh cs32, cs64;
    int open32, open64;
    struct scry_sbuf text; /* the last scry_disasm_x86's text */
};

/* Opens capstone for x86-32 and x86-64. Errors: SCRY_ERR_UNSUPPORTED when
 * capstone cannot. Close with scry_disasm_close (also after a failure). */
scry_status scry_disasm_open(struct scry_disasm *d);
void scry_disasm_close(struct scry_disasm *d);

/* "\n0x<address>:\t<mnemonic>\t<op_str>" per instruction of data (at
 * address) until the first that does not decode, into d->text. Errors:
 * SCRY_ERR_NOMEM. */
scry_status scry_disasm_x86(struct scry_disasm *d, int bits32, const uint8_t *data, size_t len,
                            uint64_t address);

#endif
