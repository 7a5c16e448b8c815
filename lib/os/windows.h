/* windows.h - the Windows x64 OS profile: a detected kernel and its layout.
 *
 * Detection (windows_detect.c) finds the kernel DTB by the self-referencing
 * page-table test (windows_dtb.c), the kernel image by KDBG, the loader's
 * module string or its RSDS record (windows_kernel.c), and the ISF named by
 * the PDB's "ntkrnlmp.pdb|GUID|age". Offsets are resolved from the ISF once
 * (windows_profile.c) into plain integers grouped by what reads them; the
 * walkers (lib/walk/windows_*.c) and plugins never look a name up.
 *
 * Addresses: the profile keeps kernel addresses canonical (0xfffff805...);
 * Volatility prints most of them masked to 48 bits (scry_win_mask).
 *
 * Thread-safety: immutable once detection returns it, like every profile. */
#ifndef SCRY_OS_WINDOWS_H
#define SCRY_OS_WINDOWS_H

#include <stdint.h>

#include "lib/os/os.h"
#include "symbols/resolve.h"

struct scry_symtab;

#define SCRY_WIN_NO_OFFSET SCRY_NO_OFFSET

/* KUSER_SHARED_DATA's fixed kernel address on x64. */
#define SCRY_WIN_KUSER_SHARED_DATA 0xfffff78000000000ull

/* The process and loader layout every process plugin reads. Optional
 * members are SCRY_WIN_NO_OFFSET where this kernel lacks them. */
struct scry_win_off {
    uint64_t list_flink, list_blink;            /* _LIST_ENTRY */
    uint64_t ep_size;                           /* sizeof(_EPROCESS) */
    uint64_t ep_dtb;                            /* Pcb.DirectoryTableBase */
    uint64_t ep_pid, ep_ppid, ep_links, ep_create, ep_exit;
    uint64_t ep_name, ep_name_size;             /* ImageFileName, UCHAR[15] */
    uint64_t ep_peb, ep_thread_head, ep_active_threads;
    uint64_t ep_session, ep_object_table, ep_audit;
    uint64_t ep_wow64;                          /* Wow64Process or WoW64Process (opt) */
    uint64_t ep_vad_root;                       /* VadRoot */
    uint64_t session_id;                        /* _MM_SESSION_SPACE.SessionId (opt) */
    uint64_t handle_count;                      /* _HANDLE_TABLE.HandleCount (opt: < Win8) */
    uint64_t ustr_len, ustr_max, ustr_buf;      /* _UNICODE_STRING */
    uint64_t peb_ldr, peb_params, peb_image_base;
    uint64_t pp_image_path, pp_cmdline, pp_env, pp_env_size; /* env_size opt (XP) */
    uint64_t ldr_load_list, ldr_mem_list, ldr_init_list;     /* _PEB_LDR_DATA */
    /* _LDR_DATA_TABLE_ENTRY */
    uint64_t le_size, le_load_links, le_mem_links, le_init_links;
    uint64_t le_dll_base, le_image_size, le_full_name, le_base_name, le_load_time; /* time opt */
    /* _KLDR_DATA_TABLE_ENTRY (Win10+; else kle_* equal le_*): modules */
    uint64_t kle_links, kle_dll_base, kle_image_size, kle_full_name, kle_base_name;
    uint64_t audit_name;                        /* _OBJECT_NAME_INFORMATION.Name */
    /* -- cmdline / envars / dlllist / pstree (lib/walk/windows_peb.c) -- */
    uint64_t pp_length;                         /* _RTL_USER_PROCESS_PARAMETERS.Length (opt) */
    uint64_t kuser_nt_major, kuser_nt_minor;    /* _KUSER_SHARED_DATA.NtMajor/MinorVersion (opt) */
};

/* ---- VAD layout (windows.vadinfo, windows.malfind; lib/walk/windows_vad.c).
 * Resolved apart from the rest: a kernel whose ISF lacks it still runs the
 * process plugins (vad.ok is then 0 and vad.error says why). */

/* A bitfield (or a whole integer: pos 0, len = 8 * size) of a VAD type. */
struct scry_win_bits {
    uint64_t off;       /* SCRY_WIN_NO_OFFSET: absent */
    uint32_t size;      /* storage bytes: 1, 2, 4 or 8 */
    uint32_t pos, len;
};

/* _MMVAD_SHORT or _MMVAD, each member found through the member paths
 * MMVAD_SHORT's accessors try, in their order (Core.* on Win8.1+). */
struct scry_win_vad_type {
    uint64_t size;
    struct scry_win_bits start, end;             /* StartingVpn, EndingVpn */
    struct scry_win_bits start_high, end_high;   /* *VpnHigh (opt, Win8.1+) */
    struct scry_win_bits protection, commit, private_mem;
    struct scry_win_bits parent;                 /* u1.Parent / VadNode.ParentValue */
    int parent_is_ptr;                           /* a pointer: masked to 48 bits */
    uint64_t subsection;                         /* _MMVAD.Subsection (opt) */
};

struct scry_win_vad {
    int ok;
    const char *error;            /* static: why ok is 0 */
    int avl_table;                /* VadRoot is _MM_AVL_TABLE (Win7): the tree
                                     starts at BalancedRoot, embedded */
    uint64_t root;                /* EPROCESS offset of BalancedRoot or Root */
    uint64_t left, right;         /* child pointers in the node type */
    struct scry_win_vad_type shrt, lng;
    uint64_t sub_control_area;    /* _SUBSECTION.ControlArea */
    uint64_t ca_file_pointer;     /* _CONTROL_AREA.FilePointer */
    int file_fast_ref;            /* FilePointer is an _EX_FAST_REF (low 4 bits) */
    uint64_t fo_file_name;        /* _FILE_OBJECT.FileName */
};
/* ---- end VAD layout */

/* Kernel symbols (RVAs from the image base as the ISF states them);
 * SCRY_WIN_NO_OFFSET when absent. */
struct scry_win_syms {
    uint64_t ps_active_process_head, ps_loaded_module_list;
    uint64_t kd_debugger_data_block, kd_version_block, ke_number_processors;
    uint64_t mm_protect_to_value, ob_type_index_table, ob_header_cookie;
};

/* ---- group A: windows.info, windows.psscan, windows.modules, PE dumps.
 * Every member is optional (SCRY_WIN_NO_OFFSET when the ISF lacks it);
 * the plugin that needs one says so. */
#define SCRY_WIN_MAX_OPT_HEADERS 9
struct scry_win_off_a {
    /* _POOL_HEADER: size, PoolTag, BlockSize (a bitfield: the byte offset
     * of its storage unit, bit position, bit length). */
    uint64_t ph_size, ph_tag, ph_bs, ph_bs_size;
    uint32_t ph_bs_bit, ph_bs_len;
    /* _OBJECT_HEADER */
    uint64_t oh_body, oh_infomask, oh_pointer_count, oh_pointer_count_size;
    /* The _OBJECT_HEADER_*_INFO types the ISF has, in pool.py's order
     * (CREATOR, NAME, HANDLE, QUOTA, PROCESS, AUDIT, EXTENDED,
     * HANDLE_REVOCATION, PADDING): InfoMask bit i is the i-th present one. */
    unsigned nopt;
    uint64_t opt_size[SCRY_WIN_MAX_OPT_HEADERS];
    int opt_padding;                  /* index of PADDING_INFO, or -1 */
    /* _KUSER_SHARED_DATA, _KSYSTEM_TIME, _DBGKD_GET_VERSION64 */
    uint64_t ku_system_time, ku_root, ku_root_size, ku_product, ku_major, ku_minor;
    uint64_t kst_low, kst_high1;
    uint64_t kv_major, kv_minor, kv_machine;
    /* _NT_PRODUCT_TYPE values of NtProductWinNt, LanManNt, Server. */
    int64_t product[3];
    /* _ETHREAD.ThreadListEntry and .Tcb.Process (psscan --dump) */
    uint64_t et_list, et_process;
    uint64_t pcb_dtb_size;            /* sizeof Pcb.DirectoryTableBase */
};

struct scry_windows {
    struct scry_profile base;         /* first: every layer reads this part */
    struct scry_symcache *symbols;    /* where symtab came from             */
    const struct scry_symtab *symtab; /* a shared reference, released at free */
    char *isf_path;                   /* the ISF's location, for messages    */
    char *isf_uri;                    /* file://... as windows.info prints it */
    uint64_t kernel_base;             /* canonical VA of the image (MZ)      */
    char pdb_name[16];                /* "ntkrnlmp.pdb"                      */
    char guid[33];                    /* upper-case hex, as in the ISF's name */
    uint32_t age;
    const char *kernel_method;        /* how the kernel was found (info)    */
    /* Version predicates, decided as Volatility's fallbacks decide them
     * (symbols/windows/versions.py): an ISF without pe_version metadata. */
    int is_win10;                     /* symbol ObHeaderCookie exists        */
    int is_win8_or_later;             /* _HANDLE_TABLE has no HandleCount    */
    struct scry_win_vad vad;          /* VAD layout (its group above) */
    struct scry_win_off off;
    struct scry_win_syms sym;
    struct scry_win_off_a a;          /* info / psscan / modules (group A) */
};

extern const struct scry_os scry_os_windows;

/* The Windows part of a profile, or NULL when the profile is another OS's. */
static inline const struct scry_windows *scry_windows_of(const struct scry_profile *p)
{
    return p && p->os == &scry_os_windows ? (const struct scry_windows *)p : NULL;
}

/* Volatility's 48-bit address mask, for printed addresses. */
static inline uint64_t scry_win_mask(uint64_t va) { return va & 0xffffffffffffull; }

/* The canonical form of a 48-bit address (bit 47 sign-extended): what a
 * translation takes. Volatility masks pointers to 48 bits before reading. */
static inline uint64_t scry_win_canon(uint64_t va)
{
    va &= 0xffffffffffffull;
    return (va & 0x800000000000ull) ? va | 0xffff000000000000ull : va;
}

/* A kernel symbol's virtual address: base + RVA, or 0 when absent. */
static inline uint64_t scry_win_sym_va(const struct scry_windows *w, uint64_t rva)
{
    return rva == SCRY_WIN_NO_OFFSET ? 0 : w->kernel_base + rva;
}

/* A process's address space: the kernel's paging mode
 * (SCRY_PAGING_WIN_X86_64, Volatility's WindowsIntel32e: transition
 * entries valid at every level, no hook needed) over dtb, its low 12 bits
 * dropped. */
scry_status scry_win_process_space(const struct scry_windows *w, uint64_t dtb,
                                   struct scry_vspace *out);

/* Resolves w->off, w->sym and the version predicates from w->symtab.
 * Errors: SCRY_ERR_NOT_FOUND naming the missing type, field or symbol;
 * SCRY_ERR_CORRUPT for a field outside its struct. */
scry_status scry_windows_resolve(struct scry_windows *w);

/* Kernel discovery (windows_dtb.c, windows_kernel.c). */

/* The kernel DTB as Volatility's WindowsIntelStacker finds it. Errors:
 * SCRY_ERR_NOT_FOUND "no page-map table refers to itself ...". */
scry_status scry_win_find_dtb(struct scry_phys *phys, uint64_t *dtb);
/* True when the first pass of that scan hits (recent Windows). */
int scry_win_dtb_likely(struct scry_phys *phys);

struct scry_win_kernel {
    uint64_t base;        /* canonical VA of the MZ header */
    char pdb_name[16];
    char guid[33];
    uint32_t age;
    const char *method;   /* "kdbg", "module", "fixed-mapping", "rsds-scan" */
};

/* Finds the kernel image through vs (the kernel address space) as
 * Volatility's KernelPDBScanner does, in its order: a plain KDBG's KernBase,
 * the loader's "\SystemRoot\system32\nt" string, the fixed physical mapping
 * of old kernels, a virtual RSDS scan. hint_kdbg (0: none) is a KDBG VA the
 * dump states, tried first when it holds a plain KDBG. Errors:
 * SCRY_ERR_NOT_FOUND, SCRY_ERR_CANCELLED, SCRY_ERR_NOMEM. */
scry_status scry_win_find_kernel(struct scry_vspace *vs, struct scry_op *op, uint64_t hint_kdbg,
                                 struct scry_win_kernel *out);

#endif
