/* disasm.c - display_disassembly through capstone. */
#include "lib/plugins/disasm.h"

#include <inttypes.h>
#include <string.h>

scry_status scry_disasm_open(struct scry_disasm *d)
{
    scry_status st;
    memset(d, 0, sizeof *d);
    if ((st = scry_ondemand_check(&scry_od_capstone, "disassembly")) != SCRY_OK)
        return st;
    if (cs_open(CS_ARCH_X86, CS_MODE_32, &d->cs32) != CS_ERR_OK)
        return scry_err(SCRY_ERR_UNSUPPORTED, "capstone cannot open x86-32");
    d->open32 = 1;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &d->cs64) != CS_ERR_OK)
        return scry_err(SCRY_ERR_UNSUPPORTED, "capstone cannot open x86-64");
    d->open64 = 1;
    return SCRY_OK;
}

void scry_disasm_close(struct scry_disasm *d)
{
    if (d->open32)
        cs_close(&d->cs32);
    if (d->open64)
        cs_close(&d->cs64);
    d->open32 = d->open64 = 0;
    scry_sbuf_free(&d->text);
}

scry_status scry_disasm_x86(struct scry_disasm *d, int bits32, const uint8_t *data, size_t len,
                            uint64_t address)
{
    cs_insn *insn = NULL;
    size_t n = cs_disasm(bits32 ? d->cs32 : d->cs64, data, len, address, 0, &insn);
    scry_sbuf_reset(&d->text);
    scry_sbuf_add(&d->text, "", 0);
    for (size_t i = 0; i < n; i++)
        scry_sbuf_printf(&d->text, "\n0x%" PRIx64 ":\t%s\t%s", insn[i].address,
                         insn[i].mnemonic, insn[i].op_str);
    if (n)
        cs_free(insn, n);
    if (d->text.oom)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    return SCRY_OK;
}
