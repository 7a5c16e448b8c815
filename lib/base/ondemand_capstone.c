/* ondemand_capstone.c - libcapstone's wrappers (see ondemand_capstone.h). Without the
 * library every call fails as capstone's own would on a bad handle;
 * scry_disasm_open checks it first, so that the error names the cause. */
#define SCRY_ONDEMAND_IMPL
#include "lib/base/ondemand_capstone.h"

struct scry_ondemand scry_od_capstone = SCRY_ONDEMAND_INIT(SCRY_SONAME_CAPSTONE);

cs_err scry_od_cs_open(cs_arch arch, cs_mode mode, csh *handle)
{
    SCRY_ONDEMAND_FN(scry_od_capstone, cs_open, f);
    return f ? f(arch, mode, handle) : CS_ERR_MEM;
}

cs_err scry_od_cs_close(csh *handle)
{
    SCRY_ONDEMAND_FN(scry_od_capstone, cs_close, f);
    return f ? f(handle) : CS_ERR_CSH;
}

size_t scry_od_cs_disasm(csh handle, const uint8_t *code, size_t code_size, uint64_t address,
                         size_t count, cs_insn **insn)
{
    SCRY_ONDEMAND_FN(scry_od_capstone, cs_disasm, f);
    return f ? f(handle, code, code_size, address, count, insn) : 0;
}

void scry_od_cs_free(cs_insn *insn, size_t count)
{
    SCRY_ONDEMAND_FN(scry_od_capstone, cs_free, f);
    if (f)
        f(insn, count);
}
