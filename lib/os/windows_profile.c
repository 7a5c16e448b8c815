/* windows_profile.c - the process and loader layout, resolved once from
 * the ISF, and the version predicates Volatility derives from it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/os/windows.h"
#include "symbols/symtab.h"

static scry_status resolve_vad(struct scry_windows *w); /* VAD layout, at the end */

static scry_status resolve_fields(struct scry_windows *w)
{
    struct scry_win_off *o = &w->off;
    uint64_t wow_a, wow_b;
    const struct scry_field_spec f[] = {
        SCRY_FIELD("_LIST_ENTRY", "Flink", &o->list_flink),
        SCRY_FIELD("_LIST_ENTRY", "Blink", &o->list_blink),
        SCRY_FIELD("_EPROCESS", "Pcb.DirectoryTableBase", &o->ep_dtb),
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

/* ---- group A: windows.info, psscan, modules. All optional: a kernel
 * without them still runs every other plugin. */
static void opt_field(const struct scry_symtab *st, const char *type, const char *field,
                      uint64_t *off, struct scry_typeref *ref)
{
    struct scry_typeref r;
    if (scry_sym_field(st, type, field, off, ref ? ref : &r) != SCRY_OK) {
        *off = SCRY_WIN_NO_OFFSET;
        if (ref)
            ref->kind = 0;
    }
}

static uint64_t ref_size(const struct scry_symtab *st, const struct scry_typeref *r)
{
    uint64_t size = 0;
    int sign;
    if (r->kind == SCRY_T_BASE && r->name)
        scry_sym_base_type(st, r->name, &size, &sign);
    else if (r->kind == SCRY_T_POINTER)
        size = 8;
    else if ((r->kind == SCRY_T_ENUM || r->kind == SCRY_T_STRUCT) && r->name)
        scry_sym_type_size(st, r->name, &size);
    return size;
}

static scry_status resolve_group_a(struct scry_windows *w)
{
    const struct scry_symtab *st = w->symtab;
    struct scry_win_off_a *a = &w->a;
    struct scry_typeref r;
    uint64_t tsize;
    scry_err_clear();
    if (scry_sym_type_size(st, "_POOL_HEADER", &a->ph_size) != SCRY_OK)
        a->ph_size = SCRY_WIN_NO_OFFSET;
    opt_field(st, "_POOL_HEADER", "PoolTag", &a->ph_tag, NULL);
    opt_field(st, "_POOL_HEADER", "BlockSize", &a->ph_bs, &r);
    a->ph_bs_bit = 0;
    a->ph_bs_len = 0;
    a->ph_bs_size = 0;
    if (a->ph_bs != SCRY_WIN_NO_OFFSET) {
        if (r.kind == SCRY_T_BITFIELD) {
            struct scry_typeref sub;
            a->ph_bs_bit = r.bit_position;
            a->ph_bs_len = r.bit_length;
            if (scry_sym_typeref(st, r.sub, &sub) == SCRY_OK)
                a->ph_bs_size = ref_size(st, &sub);
        } else {
            a->ph_bs_size = ref_size(st, &r);
            a->ph_bs_len = (uint32_t)(a->ph_bs_size * 8);
        }
        /* Read as one little-endian unit of at most 8 bytes. */
        if (!a->ph_bs_size || a->ph_bs_size > 8 || a->ph_bs_bit + a->ph_bs_len > 64 ||
            a->ph_bs_size > a->ph_size || a->ph_bs > a->ph_size - a->ph_bs_size)
            a->ph_bs = SCRY_WIN_NO_OFFSET;
    }
    if (a->ph_size == SCRY_WIN_NO_OFFSET || a->ph_size > 64 || a->ph_tag == SCRY_WIN_NO_OFFSET ||
        a->ph_tag > a->ph_size - 4 || a->ph_bs == SCRY_WIN_NO_OFFSET)
        a->ph_size = SCRY_WIN_NO_OFFSET;
    opt_field(st, "_OBJECT_HEADER", "Body", &a->oh_body, NULL);
    opt_field(st, "_OBJECT_HEADER", "InfoMask", &a->oh_infomask, NULL);
    opt_field(st, "_OBJECT_HEADER", "PointerCount", &a->oh_pointer_count, &r);
    a->oh_pointer_count_size = a->oh_pointer_count != SCRY_WIN_NO_OFFSET ? ref_size(st, &r) : 0;
    if (a->oh_pointer_count_size == 0 || a->oh_pointer_count_size > 8 || a->oh_body > 0x1000 ||
        a->oh_infomask > 0x1000 || a->oh_pointer_count > 0x1000)
        a->oh_body = SCRY_WIN_NO_OFFSET;
    static const char *const opt[SCRY_WIN_MAX_OPT_HEADERS] = {
        "_OBJECT_HEADER_CREATOR_INFO", "_OBJECT_HEADER_NAME_INFO",
        "_OBJECT_HEADER_HANDLE_INFO", "_OBJECT_HEADER_QUOTA_INFO",
        "_OBJECT_HEADER_PROCESS_INFO", "_OBJECT_HEADER_AUDIT_INFO",
        "_OBJECT_HEADER_EXTENDED_INFO", "_OBJECT_HEADER_HANDLE_REVOCATION_INFO",
        "_OBJECT_HEADER_PADDING_INFO"};
    a->nopt = 0;
    a->opt_padding = -1;
    for (unsigned i = 0; i < SCRY_WIN_MAX_OPT_HEADERS; i++) {
        if (scry_sym_type_size(st, opt[i], &tsize) != SCRY_OK)
            continue;
        if (tsize > 0x1000)
            tsize = 0x1000; /* a hostile ISF: keep the top-down window small */
        if (i == SCRY_WIN_MAX_OPT_HEADERS - 1)
            a->opt_padding = (int)a->nopt;
        a->opt_size[a->nopt++] = tsize;
    }
    opt_field(st, "_KUSER_SHARED_DATA", "SystemTime", &a->ku_system_time, NULL);
    opt_field(st, "_KUSER_SHARED_DATA", "NtSystemRoot", &a->ku_root, &r);
    a->ku_root_size = a->ku_root != SCRY_WIN_NO_OFFSET && r.kind == SCRY_T_ARRAY ? r.count : 0;
    opt_field(st, "_KUSER_SHARED_DATA", "NtProductType", &a->ku_product, NULL);
    opt_field(st, "_KUSER_SHARED_DATA", "NtMajorVersion", &a->ku_major, NULL);
    opt_field(st, "_KUSER_SHARED_DATA", "NtMinorVersion", &a->ku_minor, NULL);
    opt_field(st, "_KSYSTEM_TIME", "LowPart", &a->kst_low, NULL);
    opt_field(st, "_KSYSTEM_TIME", "High1Time", &a->kst_high1, NULL);
    opt_field(st, "_DBGKD_GET_VERSION64", "MajorVersion", &a->kv_major, NULL);
    opt_field(st, "_DBGKD_GET_VERSION64", "MinorVersion", &a->kv_minor, NULL);
    opt_field(st, "_DBGKD_GET_VERSION64", "MachineType", &a->kv_machine, NULL);
    static const char *const products[3] = {"NtProductWinNt", "NtProductLanManNt",
                                            "NtProductServer"};
    for (int i = 0; i < 3; i++)
        if (scry_sym_enum_value(st, "_NT_PRODUCT_TYPE", products[i], &a->product[i]) != SCRY_OK)
            a->product[i] = INT64_MIN;
    opt_field(st, "_ETHREAD", "ThreadListEntry", &a->et_list, NULL);
    opt_field(st, "_ETHREAD", "Tcb.Process", &a->et_process, NULL);
    if (a->et_process == SCRY_WIN_NO_OFFSET) {
        uint64_t tcb, proc;
        opt_field(st, "_ETHREAD", "Tcb", &tcb, NULL);
        opt_field(st, "_KTHREAD", "Process", &proc, NULL);
        if (tcb != SCRY_WIN_NO_OFFSET && proc != SCRY_WIN_NO_OFFSET)
            a->et_process = tcb + proc;
    }
    a->pcb_dtb_size = 8;
    scry_err_clear();
    return SCRY_OK;
}

scry_status scry_windows_resolve(struct scry_windows *w)
{
    scry_status st = resolve_fields(w);
    if (st == SCRY_OK)
        st = resolve_symbols(w);
    if (st == SCRY_OK)
        st = resolve_group_a(w);
    if (st != SCRY_OK)
        return scry_err_ctx(st, "%s: Windows profile", w->isf_path);
    /* versions.py's fallbacks for an ISF without pe_version metadata. */
    w->is_win10 = w->sym.ob_header_cookie != SCRY_WIN_NO_OFFSET;
    w->is_win8_or_later = w->off.handle_count == SCRY_WIN_NO_OFFSET;
    /* The VAD layout is optional: only vadinfo and malfind need it. */
    if (resolve_vad(w) == SCRY_OK) {
        w->vad.ok = 1;
    } else {
        w->vad.ok = 0;
        w->vad.error = "this kernel's ISF has no VAD layout memscry can read";
        scry_err_clear();
    }
    return SCRY_OK;
}

scry_status scry_win_process_space(const struct scry_windows *w, uint64_t dtb,
                                   struct scry_vspace *out)
{
    return scry_vspace_init(out, w->base.phys, w->base.mode, dtb & ~0xfffull);
}

/* ---- VAD layout (struct scry_win_vad; lib/walk/windows_vad.c) ---------- */

/* A dotted member path of type as an integer or bitfield: its offset,
 * storage size and bits. SCRY_ERR_NOT_FOUND when a step is missing (the
 * caller tries the next path, as MMVAD_SHORT's accessors do), CORRUPT when
 * it does not fit the type. *ptr (may be NULL) tells a pointer. */
static scry_status vad_member(const struct scry_symtab *st, const char *type, const char *path,
                              struct scry_win_bits *b, int *ptr)
{
    char name[64], tname[128];
    uint64_t total = 0, off, tsize, size;
    int sgn;
    struct scry_typeref ref;
    scry_status rc;
    snprintf(tname, sizeof tname, "%s", type);
    for (const char *p = path;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n >= sizeof name)
            return SCRY_ERR_NOT_FOUND;
        memcpy(name, p, n);
        name[n] = '\0';
        if ((rc = scry_sym_field(st, tname, name, &off, &ref)) != SCRY_OK)
            return rc;
        if (off > 0x100000)
            return scry_err(SCRY_ERR_CORRUPT, "%s.%s: offset 0x%llx", type, path,
                            (unsigned long long)off);
        total += off;
        if (!dot)
            break;
        if (ref.kind != SCRY_T_STRUCT && ref.kind != SCRY_T_UNION && ref.kind != SCRY_T_CLASS)
            return SCRY_ERR_NOT_FOUND;
        snprintf(tname, sizeof tname, "%s", ref.name);
        p = dot + 1;
    }
    b->pos = 0;
    if (ptr)
        *ptr = ref.kind == SCRY_T_POINTER;
    if (ref.kind == SCRY_T_BITFIELD) {
        struct scry_typeref sub;
        if ((rc = scry_sym_typeref(st, ref.sub, &sub)) != SCRY_OK || sub.kind != SCRY_T_BASE ||
            (rc = scry_sym_base_type(st, sub.name, &size, &sgn)) != SCRY_OK)
            return scry_err(SCRY_ERR_CORRUPT, "%s.%s: bitfield without an integer", type, path);
        b->pos = ref.bit_position;
        b->len = ref.bit_length;
    } else if (ref.kind == SCRY_T_POINTER) {
        if ((rc = scry_sym_base_type(st, "pointer", &size, &sgn)) != SCRY_OK)
            return rc;
        b->len = (uint32_t)(8 * size);
    } else if (ref.kind == SCRY_T_BASE) {
        if ((rc = scry_sym_base_type(st, ref.name, &size, &sgn)) != SCRY_OK)
            return rc;
        b->len = (uint32_t)(8 * size);
    } else {
        return scry_err(SCRY_ERR_CORRUPT, "%s.%s: not an integer", type, path);
    }
    if ((rc = scry_sym_type_size(st, type, &tsize)) != SCRY_OK)
        return rc;
    if ((size != 1 && size != 2 && size != 4 && size != 8) || total > tsize ||
        size > tsize - total || b->len == 0 || b->pos > 64 || b->len > 64 ||
        b->pos + b->len > 8 * size)
        return scry_err(SCRY_ERR_CORRUPT, "%s.%s: does not fit the type", type, path);
    b->off = total;
    b->size = (uint32_t)size;
    return SCRY_OK;
}

/* The first of paths (NULL-terminated) the type has; b->off is
 * SCRY_WIN_NO_OFFSET when none. */
static scry_status vad_first(const struct scry_symtab *st, const char *type,
                             const char *const *paths, struct scry_win_bits *b, int *ptr)
{
    b->off = SCRY_WIN_NO_OFFSET;
    for (size_t i = 0; paths[i]; i++) {
        scry_status rc = vad_member(st, type, paths[i], b, ptr);
        if (rc != SCRY_ERR_NOT_FOUND)
            return rc;
        b->off = SCRY_WIN_NO_OFFSET;
    }
    return SCRY_OK;
}

static scry_status vad_type(const struct scry_symtab *st, const char *type,
                            struct scry_win_vad_type *t)
{
    static const char *const start[] = {"StartingVpn", "Core.StartingVpn", NULL};
    static const char *const start_core[] = {"Core.StartingVpnHigh", NULL};
    static const char *const start_own[] = {"StartingVpnHigh", NULL};
    static const char *const end[] = {"EndingVpn", "Core.EndingVpn", NULL};
    static const char *const end_core[] = {"Core.EndingVpnHigh", NULL};
    static const char *const end_own[] = {"EndingVpnHigh", NULL};
    static const char *const prot[] = {"u.VadFlags.Protection", "Core.u.VadFlags.Protection", NULL};
    static const char *const commit[] = {"u1.VadFlags1.CommitCharge", "u.VadFlags.CommitCharge",
                                         "Core.u1.VadFlags1.CommitCharge", NULL};
    static const char *const priv[] = {"u1.VadFlags1.PrivateMemory", "u.VadFlags.PrivateMemory",
                                       "Core.u1.VadFlags1.PrivateMemory",
                                       "Core.u.VadFlags.PrivateMemory", NULL};
    static const char *const parent[] = {"Parent", "u1.Parent", "VadNode.u1.Parent",
                                         "VadNode.ParentValue", "Core.VadNode.u1.Parent",
                                         "Core.VadNode.ParentValue", NULL};
    static const char *const sub[] = {"Subsection", NULL};
    struct scry_win_bits own, subsection;
    scry_status rc;
    if ((rc = scry_sym_type_size(st, type, &t->size)) != SCRY_OK)
        return rc;
    if (t->size > 0x1000)
        return scry_err(SCRY_ERR_CORRUPT, "%s: implausible size", type);
    if ((rc = vad_first(st, type, start, &t->start, NULL)) != SCRY_OK ||
        (rc = vad_first(st, type, end, &t->end, NULL)) != SCRY_OK ||
        (rc = vad_first(st, type, prot, &t->protection, NULL)) != SCRY_OK ||
        (rc = vad_first(st, type, commit, &t->commit, NULL)) != SCRY_OK ||
        (rc = vad_first(st, type, priv, &t->private_mem, NULL)) != SCRY_OK ||
        (rc = vad_first(st, type, parent, &t->parent, &t->parent_is_ptr)) != SCRY_OK ||
        (rc = vad_first(st, type, sub, &subsection, NULL)) != SCRY_OK)
        return rc;
    /* get_start: StartingVpnHigh only beside the type's own StartingVpn,
     * else Core's. */
    int own_start = vad_member(st, type, "StartingVpn", &own, NULL) == SCRY_OK;
    int own_end = vad_member(st, type, "EndingVpn", &own, NULL) == SCRY_OK;
    if ((rc = vad_first(st, type, own_start ? start_own : start_core, &t->start_high, NULL)) ||
        (rc = vad_first(st, type, own_end ? end_own : end_core, &t->end_high, NULL)))
        return rc;
    t->subsection = subsection.off;
    if (subsection.off != SCRY_WIN_NO_OFFSET && subsection.size != 8)
        t->subsection = SCRY_WIN_NO_OFFSET;
    if (t->start.off == SCRY_WIN_NO_OFFSET || t->end.off == SCRY_WIN_NO_OFFSET ||
        t->protection.off == SCRY_WIN_NO_OFFSET || t->commit.off == SCRY_WIN_NO_OFFSET ||
        t->private_mem.off == SCRY_WIN_NO_OFFSET || t->parent.off == SCRY_WIN_NO_OFFSET)
        return scry_err(SCRY_ERR_NOT_FOUND, "%s: no VPN, flag or parent member", type);
    return SCRY_OK;
}

static scry_status resolve_vad(struct scry_windows *w)
{
    const struct scry_symtab *st = w->symtab;
    struct scry_win_vad *v = &w->vad;
    struct scry_typeref ref;
    uint64_t off, ps;
    int sgn;
    scry_status rc;
    const char *node;
    if ((rc = scry_sym_base_type(st, "pointer", &ps, &sgn)) != SCRY_OK || ps != 8)
        return scry_err(SCRY_ERR_NOT_FOUND, "no 64-bit pointer type");
    /* get_vad_root: _MM_AVL_TABLE.BalancedRoot (Win7), else
     * _RTL_AVL_TREE.Root (Win8.1+). XP's bare pointer is not handled. */
    if ((rc = scry_sym_field(st, "_EPROCESS", "VadRoot", &off, &ref)) != SCRY_OK)
        return rc;
    if (ref.kind != SCRY_T_STRUCT || !ref.name)
        return scry_err(SCRY_ERR_NOT_FOUND, "_EPROCESS.VadRoot is not a structure");
    char vtype[128];
    snprintf(vtype, sizeof vtype, "%s", ref.name);
    uint64_t inner;
    if (scry_sym_field(st, vtype, "BalancedRoot", &inner, &ref) == SCRY_OK) {
        v->avl_table = 1;
        if (ref.kind != SCRY_T_STRUCT || !ref.name)
            return scry_err(SCRY_ERR_NOT_FOUND, "%s.BalancedRoot is not a structure", vtype);
        node = ref.name;
    } else if (scry_sym_field(st, vtype, "Root", &inner, &ref) == SCRY_OK) {
        struct scry_typeref sub;
        if (ref.kind != SCRY_T_POINTER || scry_sym_typeref(st, ref.sub, &sub) != SCRY_OK ||
            sub.kind != SCRY_T_STRUCT || !sub.name)
            return scry_err(SCRY_ERR_NOT_FOUND, "%s.Root is not a node pointer", vtype);
        node = sub.name;
    } else {
        return scry_err(SCRY_ERR_NOT_FOUND, "%s has neither BalancedRoot nor Root", vtype);
    }
    if (inner > 0x1000 || off > w->off.ep_size || inner + 8 > w->off.ep_size - off)
        return scry_err(SCRY_ERR_CORRUPT, "_EPROCESS.VadRoot outside the structure");
    v->root = off + inner;
    char ntype[128];
    snprintf(ntype, sizeof ntype, "%s", node);
    static const char *const left[] = {"LeftChild", "Left", NULL};
    static const char *const right[] = {"RightChild", "Right", NULL};
    struct scry_win_bits l, r;
    if ((rc = vad_first(st, ntype, left, &l, NULL)) != SCRY_OK ||
        (rc = vad_first(st, ntype, right, &r, NULL)) != SCRY_OK)
        return rc;
    if (l.off == SCRY_WIN_NO_OFFSET || r.off == SCRY_WIN_NO_OFFSET || l.size != 8 || r.size != 8)
        return scry_err(SCRY_ERR_NOT_FOUND, "%s: no child pointers", ntype);
    v->left = l.off;
    v->right = r.off;
    if ((rc = vad_type(st, "_MMVAD_SHORT", &v->shrt)) != SCRY_OK ||
        (rc = vad_type(st, "_MMVAD", &v->lng)) != SCRY_OK)
        return rc;
    /* get_file_name: Subsection.ControlArea.FilePointer -> _FILE_OBJECT. */
    v->sub_control_area = v->ca_file_pointer = v->fo_file_name = SCRY_WIN_NO_OFFSET;
    if (scry_sym_field(st, "_SUBSECTION", "ControlArea", &off, &ref) == SCRY_OK &&
        ref.kind == SCRY_T_POINTER && off < 0x1000)
        v->sub_control_area = off;
    if (scry_sym_field(st, "_CONTROL_AREA", "FilePointer", &off, &ref) == SCRY_OK && off < 0x1000) {
        v->ca_file_pointer = off;
        v->file_fast_ref = ref.kind != SCRY_T_POINTER;
        if (v->file_fast_ref) {
            uint64_t obj;
            struct scry_typeref oref;
            if (ref.kind != SCRY_T_STRUCT || !ref.name ||
                scry_sym_field(st, ref.name, "Object", &obj, &oref) != SCRY_OK || obj != 0)
                v->ca_file_pointer = SCRY_WIN_NO_OFFSET;
        }
    }
    if (scry_sym_field(st, "_FILE_OBJECT", "FileName", &off, &ref) == SCRY_OK && off < 0x1000)
        v->fo_file_name = off;
    return SCRY_OK;
}
/* ---- end VAD layout */
