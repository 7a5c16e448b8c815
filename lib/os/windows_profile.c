/* windows_profile.c - the process and loader layout, resolved once from
 * the ISF, and the version predicates Volatility derives from it. */
#include <stdlib.h>

#include "lib/os/windows.h"
#include "symbols/symtab.h"

static scry_status resolve_fields(struct scry_windows *w)
{
    struct scry_win_off *o = &w->off;
    uint64_t wow_a, wow_b;
    const struct scry_field_spec f[] = {
        SCRY_FIELD("_LIST_ENTRY", "Flink", &o->list_flink),
        SCRY_FIELD("_LIST_ENTRY", "Blink", &o->list_blink),
        SCRY_FIELD("_EPROCESS", "Pcb.DirectoryTableBase", &o->ep_dtb),
        SCRY_FIELD_OPT("_EPROCESS", "Pcb.UserDirectoryTableBase", &o->ep_user_dtb),
        SCRY_FIELD("_EPROCESS", "UniqueProcessId", &o->ep_pid),
        SCRY_FIELD("_EPROCESS", "InheritedFromUniqueProcessId", &o->ep_ppid),
        SCRY_FIELD("_EPROCESS", "ActiveProcessLinks", &o->ep_links),
        SCRY_FIELD("_EPROCESS", "CreateTime", &o->ep_create),
        SCRY_FIELD("_EPROCESS", "ExitTime", &o->ep_exit),
        {"_EPROCESS", "ImageFileName", &o->ep_name, &o->ep_name_size, 0},
        SCRY_FIELD("_EPROCESS", "Peb", &o->ep_peb),
        SCRY_FIELD("_EPROCESS", "ThreadListHead", &o->ep_thread_head),
        SCRY_FIELD("_EPROCESS", "ActiveThreads", &o->ep_active_threads),
        SCRY_FIELD("_EPROCESS", "Session", &o->ep_session),
        SCRY_FIELD("_EPROCESS", "ObjectTable", &o->ep_object_table),
        SCRY_FIELD("_EPROCESS", "SeAuditProcessCreationInfo.ImageFileName", &o->ep_audit),
        SCRY_FIELD_OPT("_EPROCESS", "Wow64Process", &wow_a),
        SCRY_FIELD_OPT("_EPROCESS", "WoW64Process", &wow_b),
        SCRY_FIELD("_EPROCESS", "VadRoot", &o->ep_vad_root),
        SCRY_FIELD_OPT("_MM_SESSION_SPACE", "SessionId", &o->session_id),
        SCRY_FIELD_OPT("_HANDLE_TABLE", "HandleCount", &o->handle_count),
        SCRY_FIELD("_UNICODE_STRING", "Length", &o->ustr_len),
        SCRY_FIELD("_UNICODE_STRING", "MaximumLength", &o->ustr_max),
        SCRY_FIELD("_UNICODE_STRING", "Buffer", &o->ustr_buf),
        SCRY_FIELD("_PEB", "Ldr", &o->peb_ldr),
        SCRY_FIELD("_PEB", "ProcessParameters", &o->peb_params),
        SCRY_FIELD("_PEB", "ImageBaseAddress", &o->peb_image_base),
        SCRY_FIELD("_RTL_USER_PROCESS_PARAMETERS", "ImagePathName", &o->pp_image_path),
        SCRY_FIELD("_RTL_USER_PROCESS_PARAMETERS", "CommandLine", &o->pp_cmdline),
        SCRY_FIELD("_RTL_USER_PROCESS_PARAMETERS", "Environment", &o->pp_env),
        SCRY_FIELD_OPT("_RTL_USER_PROCESS_PARAMETERS", "EnvironmentSize", &o->pp_env_size),
        SCRY_FIELD("_PEB_LDR_DATA", "InLoadOrderModuleList", &o->ldr_load_list),
        SCRY_FIELD("_PEB_LDR_DATA", "InMemoryOrderModuleList", &o->ldr_mem_list),
        SCRY_FIELD("_PEB_LDR_DATA", "InInitializationOrderModuleList", &o->ldr_init_list),
        SCRY_FIELD("_LDR_DATA_TABLE_ENTRY", "InLoadOrderLinks", &o->le_load_links),
        SCRY_FIELD("_LDR_DATA_TABLE_ENTRY", "InMemoryOrderLinks", &o->le_mem_links),
        SCRY_FIELD("_LDR_DATA_TABLE_ENTRY", "InInitializationOrderLinks", &o->le_init_links),
        SCRY_FIELD("_LDR_DATA_TABLE_ENTRY", "DllBase", &o->le_dll_base),
        SCRY_FIELD("_LDR_DATA_TABLE_ENTRY", "SizeOfImage", &o->le_image_size),
        SCRY_FIELD("_LDR_DATA_TABLE_ENTRY", "FullDllName", &o->le_full_name),
        SCRY_FIELD("_LDR_DATA_TABLE_ENTRY", "BaseDllName", &o->le_base_name),
        SCRY_FIELD_OPT("_LDR_DATA_TABLE_ENTRY", "LoadTime", &o->le_load_time),
        SCRY_FIELD_OPT("_KLDR_DATA_TABLE_ENTRY", "InLoadOrderLinks", &o->kle_links),
        SCRY_FIELD_OPT("_KLDR_DATA_TABLE_ENTRY", "DllBase", &o->kle_dll_base),
        SCRY_FIELD_OPT("_KLDR_DATA_TABLE_ENTRY", "SizeOfImage", &o->kle_image_size),
        SCRY_FIELD_OPT("_KLDR_DATA_TABLE_ENTRY", "FullDllName", &o->kle_full_name),
        SCRY_FIELD_OPT("_KLDR_DATA_TABLE_ENTRY", "BaseDllName", &o->kle_base_name),
        SCRY_FIELD("_OBJECT_NAME_INFORMATION", "Name", &o->audit_name),
        /* -- cmdline / envars / dlllist / pstree (lib/walk/windows_peb.c) -- */
        SCRY_FIELD_OPT("_RTL_USER_PROCESS_PARAMETERS", "Length", &o->pp_length),
        SCRY_FIELD_OPT("_KUSER_SHARED_DATA", "NtMajorVersion", &o->kuser_nt_major),
        SCRY_FIELD_OPT("_KUSER_SHARED_DATA", "NtMinorVersion", &o->kuser_nt_minor),
    };
    scry_status st = scry_resolve_fields(w->symtab, f, sizeof f / sizeof f[0]);
    if (st != SCRY_OK)
        return st;
    o->ep_wow64 = wow_a != SCRY_WIN_NO_OFFSET ? wow_a : wow_b;
    /* modules.py walks _KLDR_DATA_TABLE_ENTRY where the ISF has it (Win10+)
     * and _LDR_DATA_TABLE_ENTRY before. */
    if (o->kle_links == SCRY_WIN_NO_OFFSET || o->kle_dll_base == SCRY_WIN_NO_OFFSET ||
        o->kle_image_size == SCRY_WIN_NO_OFFSET || o->kle_full_name == SCRY_WIN_NO_OFFSET ||
        o->kle_base_name == SCRY_WIN_NO_OFFSET) {
        o->kle_links = o->le_load_links;
        o->kle_dll_base = o->le_dll_base;
        o->kle_image_size = o->le_image_size;
        o->kle_full_name = o->le_full_name;
        o->kle_base_name = o->le_base_name;
    }
    if ((st = scry_sym_type_size(w->symtab, "_EPROCESS", &o->ep_size)) != SCRY_OK ||
        (st = scry_sym_type_size(w->symtab, "_LDR_DATA_TABLE_ENTRY", &o->le_size)) != SCRY_OK)
        return st;
    /* Walkers copy an EPROCESS whole; a hostile ISF must not make that
     * unbounded (real ones are 0x4f8..0xb80 bytes). */
    if (o->ep_size < 0x100 || o->ep_size > 0x10000)
        return scry_err(SCRY_ERR_CORRUPT, "_EPROCESS: implausible size %llu",
                        (unsigned long long)o->ep_size);
    return SCRY_OK;
}

static scry_status resolve_symbols(struct scry_windows *w)
{
    struct scry_win_syms *s = &w->sym;
    const struct scry_symbol_spec v[] = {
        SCRY_SYMBOL("PsActiveProcessHead", &s->ps_active_process_head),
        SCRY_SYMBOL("PsLoadedModuleList", &s->ps_loaded_module_list),
        SCRY_SYMBOL_OPT("KdDebuggerDataBlock", &s->kd_debugger_data_block),
        SCRY_SYMBOL_OPT("KdVersionBlock", &s->kd_version_block),
        SCRY_SYMBOL_OPT("KeNumberProcessors", &s->ke_number_processors),
        SCRY_SYMBOL_OPT("MmProtectToValue", &s->mm_protect_to_value),
        SCRY_SYMBOL_OPT("ObTypeIndexTable", &s->ob_type_index_table),
        SCRY_SYMBOL_OPT("ObHeaderCookie", &s->ob_header_cookie),
    };
    return scry_resolve_symbols(w->symtab, v, sizeof v / sizeof v[0]);
}

scry_status scry_windows_resolve(struct scry_windows *w)
{
    scry_status st = resolve_fields(w);
    if (st == SCRY_OK)
        st = resolve_symbols(w);
    if (st != SCRY_OK)
        return scry_err_ctx(st, "%s: Windows profile", w->isf_path);
    /* versions.py's fallbacks for an ISF without pe_version metadata. */
    w->is_win10 = w->sym.ob_header_cookie != SCRY_WIN_NO_OFFSET;
    w->is_win8_or_later = w->off.handle_count == SCRY_WIN_NO_OFFSET;
    return SCRY_OK;
}

scry_status scry_win_pte_hook(void *user, struct scry_phys *phys, uint64_t va, uint64_t entry,
                              unsigned level, uint64_t *pa, uint64_t *page_size)
{
    (void)user;
    (void)phys;
    (void)level;
    if ((entry & (1ull << 11)) && !(entry & (1ull << 10))) {
        *pa = (entry & 0x000ffffffffff000ull) | (va & 0xfff);
        *page_size = 4096;
        return SCRY_OK;
    }
    return SCRY_ERR_NODATA;
}

scry_status scry_win_process_space(const struct scry_windows *w, uint64_t dtb,
                                   struct scry_vspace *out)
{
    scry_status st = scry_vspace_init(out, w->base.phys, w->base.mode, dtb & ~0xfffull);
    if (st == SCRY_OK)
        scry_vspace_set_hook(out, scry_win_pte_hook, NULL);
    return st;
}
