/*
 * memscry.h - the public C API of libmemscry (API v0).
 *
 * memscry reads memory dumps (raw, LiME, ELF core, kdump), finds the
 * operating system inside, walks kernel structures through symbol tables and
 * produces the rows Volatility 3 prints.
 *
 * Conventions (they hold for every function below unless its comment says
 * otherwise):
 *  - Every call returns a scry_status; SCRY_OK (0) is success. Results come
 *    back through out-parameters, which are left untouched on failure
 *    (read buffers excepted: their content is unspecified after a failure).
 *  - On failure, scry_last_error() returns a one-line message for the calling
 *    thread, built innermost-first ("cannot read task list: cannot translate
 *    0xffff...: page not present"). It stays valid until the next failing
 *    call on the same thread.
 *  - Strings are UTF-8 and NUL-terminated. Strings returned by the library
 *    are owned by the object they came from and live as long as it does.
 *  - Handles are opaque. A handle is freed by its matching _close or _free
 *    function; passing NULL to those is a no-op.
 *  - Thread-safety (each function states its own): a scry_context, a
 *    scry_dump and a scry_session may be used from several threads at once
 *    once they are set up (contexts: after their settings; sessions: any
 *    time - detection runs once, guarded, and the session is immutable after
 *    it). A scry_result and a scry_runctx belong to one thread at a time.
 *    Functions without a handle (plugin and renderer tables, status names,
 *    scry_safe_file_name) read constant data: any thread, any time.
 *  - Layers: a scry_context (settings, shared symbol tables and caches under
 *    one memory budget) opens dumps and sessions; a session finds the
 *    operating system; plugins run on a session with an optional scry_runctx
 *    (progress, cancellation, typed inputs) and give a scry_result.
 *  - The library never prints, never exits and keeps no global mutable
 *    state (the per-thread error message aside).
 */
#ifndef MEMSCRY_H
#define MEMSCRY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define SCRY_API __declspec(dllexport)
#elif defined(__GNUC__)
#define SCRY_API __attribute__((visibility("default")))
#else
#define SCRY_API
#endif

#define SCRY_VERSION_MAJOR 0
#define SCRY_VERSION_MINOR 1
#define SCRY_VERSION_PATCH 0
#define SCRY_VERSION_STRING "0.1.0"

/* Status codes. Stable numbers: bindings mirror them. */
typedef enum scry_status {
    SCRY_OK = 0,
    SCRY_ERR_INVALID_ARG = 1, /* a bad argument from the caller            */
    SCRY_ERR_NOMEM = 2,       /* out of memory                              */
    SCRY_ERR_IO = 3,          /* the operating system refused a file op     */
    SCRY_ERR_FORMAT = 4,      /* not a dump format memscry knows            */
    SCRY_ERR_CORRUPT = 5,     /* truncated or inconsistent input            */
    SCRY_ERR_NODATA = 6,      /* memory the dump does not hold / not mapped */
    SCRY_ERR_UNSUPPORTED = 7, /* a valid input memscry cannot handle yet    */
    SCRY_ERR_NOT_FOUND = 8,   /* no such symbol, type, plugin or ISF        */
    SCRY_ERR_NO_SYMBOLS = 9,  /* no symbol table matches the dump's kernel  */
    SCRY_ERR_BAD_OPTION = 10, /* a plugin option is unknown or malformed    */
    SCRY_ERR_LIMIT = 11,      /* a structure exceeded a safety bound        */
    SCRY_ERR_CANCELLED = 12   /* a callback asked to stop                   */
} scry_status;

/* How much a diagnostic matters. A result with any WARNING is partial:
 * something it should hold is missing or damaged (the CLI exits 3). INFO
 * notes what was not there and is normal in real dumps (a user page that
 * was swapped out, a page a kdump filtered). */
typedef enum scry_diag_level {
    SCRY_DIAG_INFO = 0,
    SCRY_DIAG_WARNING = 1
} scry_diag_level;

/* The calling thread's last error message; never NULL (may be ""). */
SCRY_API const char *scry_last_error(void);
/* A constant name for a status ("corrupt input", ...); "unknown status"
 * for a value outside the enum; never NULL. */
SCRY_API const char *scry_status_str(scry_status st);
/* The library version, "MAJOR.MINOR.PATCH"; a constant string. */
SCRY_API const char *scry_version(void);

/* --------------------------------------------------------------- context */

typedef struct scry_context scry_context;

/*
 * A library context: settings (symbol directories, memory budget, limits)
 * and what the dumps and sessions opened from it share - loaded symbol
 * tables (ten sessions of one kernel load its ISF once) and the file-page
 * and decoded-page caches, which all draw on one memory budget.
 * Errors: SCRY_ERR_NOMEM. Free with scry_context_free() after every dump and
 * session opened from it is closed.
 * Thread-safety: the setters (add_symbol_dir, set_cache_dir,
 * set_memory_budget, set_limit, set_symbols_from_dump) must be called
 * before the context is used from other threads; everything else may be
 * called from several threads at once.
 */
SCRY_API scry_status scry_context_new(scry_context **out);
SCRY_API void scry_context_free(scry_context *ctx);

/* Adds a directory of ISF symbol tables in Volatility's layout
 * (DIR/linux/NAME.json.xz, also .json and .json.gz), or one ISF file. A
 * directory that does not exist counts as empty. Searched in the order
 * added. Errors: SCRY_ERR_INVALID_ARG, SCRY_ERR_NOMEM. */
SCRY_API scry_status scry_context_add_symbol_dir(scry_context *ctx, const char *dir);

/* Where memscry keeps files between runs: compiled symbol tables (the
 * first load of an ISF writes its compiled form; later loads map it, see
 * docs/DESIGN.md "Compiled symbol tables") and the symbol-store index.
 * Default: $XDG_CACHE_HOME/memscry, else $HOME/.cache/memscry (none when
 * neither is set). NULL turns the cache off: every load parses its ISF.
 * The directory is created (0700) on first write; one that cannot be
 * written makes loads cold, never an error. Errors: SCRY_ERR_IO (dir exists
 * and is not a directory, naming it), SCRY_ERR_NOMEM. */
SCRY_API scry_status scry_context_set_cache_dir(scry_context *ctx, const char *dir);

/* Whether a Linux dump that no ISF of the symbol directories matches may
 * use a profile built from what the dump itself holds: the kernel's BTF
 * (CONFIG_DEBUG_INFO_BTF) for the types and its kallsyms for the symbols
 * (docs/DESIGN.md, "Linux with no symbol files"). Default: allowed (1).
 * An ISF whose banner matches is always preferred; one that matches but
 * cannot be used is an error naming it, never a reason to fall back. The
 * profile's compiled table is kept in the cache directory, keyed by the
 * dump file's identity, so a second session of the dump maps it. 0
 * forbids the fall-back: detection then needs a matching ISF (the CLI's
 * --no-symbols-from-dump). Affects sessions detected afterwards.
 * Thread-safety: as the other setters, before the context is shared.
 * Errors: SCRY_ERR_INVALID_ARG (NULL ctx). */
SCRY_API scry_status scry_context_set_symbols_from_dump(scry_context *ctx, int allow);

/* The bytes the caches of every dump of this context may hold together
 * (default 256 MiB; at least one page per cache is never guaranteed:
 * past the budget a cache recycles its own pages or reads uncached). Every
 * dump of the context shares the one budget, so set it before opening
 * dumps. Besides it, the context keeps the page buffers of closed dumps'
 * caches for its next dumps, up to a quarter of the budget and at most
 * 32 MiB (freed with the context). Errors: SCRY_ERR_INVALID_ARG. */
SCRY_API scry_status scry_context_set_memory_budget(scry_context *ctx, uint64_t bytes);

/* Safety limits, each with a default that no real system reaches. */
typedef enum scry_limit {
    SCRY_LIMIT_LIST_ENTRIES = 0, /* entries one kernel list walk yields (4 Mi)   */
    SCRY_LIMIT_DIAGNOSTICS = 1   /* diagnostics a result keeps (1000); the rest
                                  * are counted in one last diagnostic          */
} scry_limit;
/* Errors: SCRY_ERR_INVALID_ARG (unknown limit or 0). */
SCRY_API scry_status scry_context_set_limit(scry_context *ctx, scry_limit limit, uint64_t value);

/* Counters, by name: "isf_loads" (symbol tables loaded so far, parsed or
 * mapped), "isf_maps" (of those, mapped from the compiled cache),
 * "isf_cached" (tables held now), "cache_bytes" (cache memory held now
 * against the budget), "cache_budget", "cache_pooled" (page buffers of
 * closed dumps' caches kept for the next dumps: at most a quarter of the
 * budget and 32 MiB, outside it). Errors: SCRY_ERR_NOT_FOUND.
 * Thread-safety: any thread; the value is a snapshot. */
SCRY_API scry_status scry_context_stat(scry_context *ctx, const char *name, uint64_t *value);

/* ---------------------------------------------------------- result cache */

/*
 * Plugin results kept per dump, so that a run already made is answered
 * without reading the dump again. Off by default: tests and benchmarks
 * measure the work itself unless they ask for this.
 *
 * What a run is keyed on: the dump's identity (the path it was opened
 * from; the device, inode, size and mtime of the opened file; an XXH3 of
 * its first 64 KiB and of what its format header states, see
 * scry_dump_meta), the plugin, its options as parsed (two spellings of
 * one value are one key), the context's symbol directories and limits,
 * and the memscry version. The entry also names the symbol table the run
 * used (path, size, mtime, inode), checked again by every hit. A dump
 * that changes (touched, resized, rewritten) or a symbol table edited in
 * place is a miss, and its fresh result replaces the old entry. Not
 * noticed: a new ISF added beside the one a run used that detection would
 * prefer for the same kernel (clear the cache when changing tables that
 * way).
 *
 * Not cached: runs on a split kdump set, a block device or an in-memory
 * dump, runs with typed inputs (scry_runctx_set_input: compiled rules are
 * pointers, not values), runs that write files (--dump), plugins that read
 * no dump,
 * failed runs, and results holding an out-of-memory or cancellation
 * diagnostic. Results with other diagnostics are cached exactly as they
 * were: a hit returns the same rows, the same diagnostics and the same
 * partial flag as the run that made it.
 *
 * A hit returns a new scry_result owned by the caller, byte-identical in
 * every renderer to the fresh one (a copy: free it with
 * scry_result_free()). A hit skips OS detection: the session stays
 * undetected until a run needs it. The run's progress callback is called
 * once (0, 0) and may cancel, as for a run.
 *
 * Counters (scry_context_stat): "result_hits", "result_misses" (lookups
 * of cacheable runs, memory and files together), "result_bytes" and
 * "result_entries" (held in memory now).
 */

/* The in-memory cache: a least-recently-used set of results bounded to
 * max_bytes of their encoded form (0, the default, turns it off and drops
 * what it held). Errors: SCRY_ERR_INVALID_ARG, SCRY_ERR_NOMEM.
 * Thread-safety: a setter (see scry_context_new); once set, any number of
 * runs on any sessions of the context may hit and fill it at once. */
SCRY_API scry_status scry_context_set_result_cache(scry_context *ctx, uint64_t max_bytes);

/* The cache in files: one entry per dump path, plugin and options in dir
 * (created 0700 on first write), a versioned, checksummed file written
 * through a temporary name and renamed into place. A damaged, truncated
 * or foreign file is never trusted: it is a miss and is rewritten. A
 * directory that cannot be written makes runs uncached, never an error.
 * NULL (the default) turns it off. With both caches set, memory is asked
 * first and a file hit is kept in memory too. Errors: SCRY_ERR_INVALID_ARG
 * (empty path), SCRY_ERR_IO (dir exists and is not a directory),
 * SCRY_ERR_NOMEM. Thread-safety: as scry_context_set_result_cache. */
SCRY_API scry_status scry_context_set_result_cache_dir(scry_context *ctx, const char *dir);

/* ------------------------------------------------------------------ dumps */

typedef struct scry_dump scry_dump;

/*
 * Opens a memory dump. The format is detected by content, never by name:
 * ELF core, LiME, kdump compressed, makedumpfile flattened, else a raw image
 * (any file whose size is a non-zero multiple of 4096). Anything that is not
 * a regular file or a block device is refused before it is opened.
 * Errors: SCRY_ERR_IO (cannot open/map), SCRY_ERR_FORMAT (unknown format),
 * SCRY_ERR_CORRUPT (a header or table that does not fit the file).
 * Ownership: *out belongs to the caller; free it with scry_dump_close()
 * before the context. The dump's caches charge ctx's memory budget.
 * Thread-safety: a dump is immutable after open; any thread may read it.
 */
SCRY_API scry_status scry_dump_open(scry_context *ctx, const char *path, scry_dump **out);
/*
 * Opens a split kdump set (makedumpfile --split: one dump in n files) as one
 * dump; n == 1 is scry_dump_open. Errors: as scry_dump_open, and
 * SCRY_ERR_CORRUPT naming the file when the members do not form one set.
 */
SCRY_API scry_status scry_dump_open_set(scry_context *ctx, const char *const *paths, size_t n,
                                        scry_dump **out);
SCRY_API void scry_dump_close(scry_dump *dump);

/*
 * What the dump file states about itself, as key/value strings, in a
 * stable order: "format", "file_size", "phys_end", and where present
 * "vmcoreinfo" (the VMCOREINFO text), "cpu.N.cr3", "cpu.N.cr4" (QEMU CPU
 * notes), "release" and "machine" (kdump utsname); Windows crash dumps add
 * their header fields: "windows.dump_type", "windows.dtb",
 * "windows.pfn_database", "windows.ps_loaded_module_list",
 * "windows.ps_active_process_head", "windows.machine", "windows.cpus",
 * "windows.bugcheck", "windows.kdbg", "windows.system_time" (FILETIME) and,
 * when the file is cut short, "windows.missing_pages" (pages the header
 * promises that read as holes). Numbers are "0x..." hex. Strings
 * are owned by the dump. Past the end: SCRY_ERR_INVALID_ARG.
 */
SCRY_API size_t scry_dump_meta_count(const scry_dump *dump);
SCRY_API scry_status scry_dump_meta(const scry_dump *dump, size_t index, const char **key,
                                    const char **value);
/* One key's value. Errors: SCRY_ERR_NOT_FOUND. */
SCRY_API scry_status scry_dump_meta_get(const scry_dump *dump, const char *key, const char **value);

/* The detected format's name ("raw", "lime", "elf", "kdump", "kdump-flat", "windump");
 * "" for NULL. The string is constant. */
SCRY_API const char *scry_dump_format(const scry_dump *dump);

/*
 * Reads physical memory [pa, pa+len) into buf. Memory the dump does not hold
 * (outside every run, a page filtered out of a kdump) reads as zeros and is
 * counted in *holes (bytes; holes may be NULL). A page that is present but
 * cannot be decoded is SCRY_ERR_CORRUPT naming its PFN.
 * Thread-safety: may be called from several threads at once.
 */
SCRY_API scry_status scry_dump_read_phys(scry_dump *dump, uint64_t pa, void *buf, size_t len,
                                         size_t *holes);

/* The runs of physical memory the dump holds, sorted and disjoint. */
SCRY_API size_t scry_dump_run_count(const scry_dump *dump);
SCRY_API scry_status scry_dump_run(const scry_dump *dump, size_t index, uint64_t *start,
                                   uint64_t *length);

/*
 * A relative measure of how much work reading this dump costs, for
 * scheduling many dumps longest first (scry_batch_run does; so does the
 * PowerShell module's -Parallel): the bytes of physical memory it holds,
 * times 4 for kdump and kdump-flat (every page served is decompressed), 2
 * for AVML (snappy, cheaper), and 4 for raw images, which say nothing of
 * their OS (detecting a Windows one may scan all of it three times over).
 * An upper bound rather than a forecast: a dump estimated too high only
 * starts early. Not a time, and not comparable between versions;
 * reads nothing from the file. 0 for NULL.
 * Thread-safety: any thread, concurrently with reads of the same dump.
 */
SCRY_API uint64_t scry_dump_work_estimate(const scry_dump *dump);

/* --------------------------------------------------------- symbol tables */

typedef struct scry_symtab scry_symtab;

/*
 * Loads an ISF (Volatility's JSON symbol table) from .json, .json.gz or
 * .json.xz (detected by content). Errors: SCRY_ERR_IO, SCRY_ERR_CORRUPT
 * (malformed JSON or ISF). Free with scry_symtab_free().
 * Thread-safety: a loaded table is immutable; lookups from any thread.
 */
SCRY_API scry_status scry_symtab_load(const char *path, scry_symtab **out);
SCRY_API void scry_symtab_free(scry_symtab *symtab);

/* A symbol's address as the ISF states it (no KASLR shift).
 * Errors: SCRY_ERR_NOT_FOUND. */
SCRY_API scry_status scry_symtab_symbol_address(const scry_symtab *symtab, const char *name,
                                                uint64_t *address);
/* A user type's size in bytes and a field's offset within it (anonymous
 * members flattened). Errors: SCRY_ERR_NOT_FOUND. */
SCRY_API scry_status scry_symtab_type_size(const scry_symtab *symtab, const char *type,
                                           uint64_t *size);
SCRY_API scry_status scry_symtab_field_offset(const scry_symtab *symtab, const char *type,
                                              const char *field, uint64_t *offset);

/*
 * Builds an ISF for a Linux kernel without DWARF: types from the kernel's
 * BTF, addresses from its symbols. kernel is a vmlinux ELF or a bzImage
 * (/boot/vmlinuz: gzip, xz, lzma, zstd or lz4 payload) with a .BTF section;
 * symbols a System.map or /proc/kallsyms text, plain or .xz (a kallsyms
 * KASLR shift is removed relative to _text). out is written as xz, gzip or
 * plain JSON as its name ends (.xz, .gz, else), through a temporary file
 * renamed into place. Errors: SCRY_ERR_IO, SCRY_ERR_FORMAT,
 * SCRY_ERR_UNSUPPORTED (a compression memscry cannot read),
 * SCRY_ERR_CORRUPT (a damaged image, ELF or BTF: the message says where),
 * SCRY_ERR_NOT_FOUND (no .BTF, no linux_banner, or a symbol file of another
 * kernel), SCRY_ERR_LIMIT, SCRY_ERR_NOMEM.
 * Thread-safety: any thread; calls share nothing.
 */
SCRY_API scry_status scry_isf_from_btf(const char *kernel, const char *symbols, const char *out);

/*
 * Writes an ISF (Volatility 3's symbol table JSON) for the Linux kernel in
 * dump from what the dump itself holds: the types of the kernel's BTF
 * (CONFIG_DEBUG_INFO_BTF), found in physical memory, and the addresses of
 * its kallsyms (through VMCOREINFO where the dump has it, else found by
 * the tables' structure), moved back to link time; linux_banner's bytes
 * as its constant data. The same JSON scry_isf_from_btf writes from a
 * kernel image and its System.map, and the table a session uses when no
 * ISF matches (scry_context_set_symbols_from_dump). out is written as xz,
 * gzip or plain JSON as its name ends, through a temporary file renamed
 * into place. Errors (one line, "from the dump's BTF + kallsyms: ..."):
 * SCRY_ERR_NODATA or SCRY_ERR_NOT_FOUND (no kallsyms tables, no BTF, no
 * linux_banner), SCRY_ERR_CORRUPT (tables or BTF that fail validation: the
 * message says where), SCRY_ERR_LIMIT, SCRY_ERR_IO, SCRY_ERR_NOMEM.
 * Thread-safety: any thread; the dump may be used by other threads
 * meanwhile.
 */
SCRY_API scry_status scry_isf_from_dump(scry_dump *dump, const char *out);

/* --------------------------------------------------------------- session */

typedef struct scry_session scry_session;

/*
 * A session analyses one dump: it finds the operating system and keeps
 * what detection found (OS profile, symbol table, kernel address space).
 * It borrows ctx and dump, which must outlive it. Detection is lazy: it
 * runs on the first call that needs the kernel, once, whichever thread
 * asks first; the others wait for it.
 * Thread-safety: every session function may be called from several threads
 * at once on the same session.
 */
SCRY_API scry_status scry_session_open(scry_context *ctx, scry_dump *dump, scry_session **out);
SCRY_API void scry_session_close(scry_session *session);

/*
 * Finds the operating system: each known OS is tried in turn (Linux:
 * banner, matching ISF, KASLR shifts, DTB, paging mode). Idempotent; a
 * failure is remembered and reported again with its message.
 * Errors: SCRY_ERR_NOT_FOUND (no operating system found), SCRY_ERR_NO_SYMBOLS
 * (a kernel was found but no symbol table matches: names the banner and the
 * directories searched, or names an ISF whose banner matches but which lacks
 * a symbol, type or field the profile needs), SCRY_ERR_CORRUPT (the kernel's
 * own structures are damaged, or a matching ISF holds an impossible address
 * or a field outside its struct: names the ISF and what is wrong),
 * SCRY_ERR_LIMIT (a matching ISF nests anonymous members too deep).
 */
SCRY_API scry_status scry_session_detect(scry_session *session);

/*
 * After a successful detect: facts about the kernel as key/value strings.
 * Every OS gives "os" ("linux"), "description" (one line naming the OS and
 * its version), "isf" (the symbol table's path), "dtb", "paging_levels";
 * Linux adds "banner", "virtual_shift", "physical_shift", and
 * "symbols_from_dump" ("btf+kallsyms") when no ISF matched and the profile
 * came from the dump's own BTF + kallsyms ("isf" then names the dump with
 * "(its own BTF + kallsyms)"). Numbers are
 * "0x..." hex, except paging_levels (decimal). Strings are owned by the
 * session. Errors: what detection reports; SCRY_ERR_NOT_FOUND for an
 * unknown key; SCRY_ERR_INVALID_ARG past the end.
 */
SCRY_API scry_status scry_session_info(scry_session *session, const char *key, const char **value);
SCRY_API scry_status scry_session_info_count(scry_session *session, size_t *count);
SCRY_API scry_status scry_session_info_at(scry_session *session, size_t index, const char **key,
                                          const char **value);

/* Reads kernel virtual memory. Fails with SCRY_ERR_NODATA naming the
 * address when any page in the range is unmapped or not held by the dump;
 * buf's content is then unspecified (the pages before the failing one may
 * have been copied). Thread-safety: any thread (each call translates on its
 * own). */
SCRY_API scry_status scry_session_read_virt(scry_session *session, uint64_t va, void *buf,
                                            size_t len);

/* ------------------------------------------------------------------- runs */

typedef struct scry_runctx scry_runctx;

/*
 * A run context: what a plugin run takes beyond its argv options. Optional
 * (scry_plugin_run accepts NULL). Errors: SCRY_ERR_NOMEM. Free with
 * scry_runctx_free(). Thread-safety: one run at a time per scry_runctx.
 */
SCRY_API scry_status scry_runctx_new(scry_runctx **out);
SCRY_API void scry_runctx_free(scry_runctx *run);

/* Progress: units done of total (total 0 = unknown), called from the
 * running thread at a bounded rate (the first time, then at most every
 * 50 ms, and when done reaches total). Return non-zero to cancel: the run
 * then ends with SCRY_ERR_CANCELLED and no result. */
typedef int (*scry_progress_fn)(void *user, uint64_t done, uint64_t total);
SCRY_API scry_status scry_runctx_set_progress(scry_runctx *run, scry_progress_fn fn, void *user);

/* A typed input that argv cannot carry (compiled YARA rules, ...), by the
 * name a plugin declares for it. The pointer is borrowed for the run.
 * Errors: SCRY_ERR_INVALID_ARG, SCRY_ERR_NOMEM. */
SCRY_API scry_status scry_runctx_set_input(scry_runctx *run, const char *name, void *value);

/* Where plugins that write files (--dump) put them. Every name a plugin
 * derives from memory is made safe first: no '/', no "." or "..", no
 * control bytes, bounded length, so a file never lands outside dir.
 * Errors: SCRY_ERR_INVALID_ARG, SCRY_ERR_NOMEM. */
SCRY_API scry_status scry_runctx_set_output_dir(scry_runctx *run, const char *dir);

/* A file name from memory made safe to create inside a directory (see
 * above), written to out (cap bytes, cap >= 16). Errors: INVALID_ARG. */
SCRY_API scry_status scry_safe_file_name(const char *name, char *out, size_t cap);

/* --------------------------------------------------------------- plugins */

/* Column types; they decide formatting exactly as Volatility's do. */
typedef enum scry_coltype {
    SCRY_COL_INT = 0,      /* signed 64-bit, decimal                     */
    SCRY_COL_HEX = 1,      /* unsigned 64-bit, 0x... in text, number in JSON */
    SCRY_COL_STR = 2,      /* UTF-8 text                                 */
    SCRY_COL_BOOL = 3,     /* True/False                                 */
    SCRY_COL_BYTES = 4,    /* raw bytes, "00 41" in every renderer       */
    SCRY_COL_HEXBYTES = 5, /* hexdump text (Volatility HexBytes)          */
    SCRY_COL_DATETIME = 6, /* seconds since the epoch (UTC) + microseconds */
    SCRY_COL_DISASM = 7,   /* Volatility Disassembly, already rendered as text
                              ("\n0x1000:\tnop\t..."): as is in text, quoted in JSON */
    SCRY_COL_HEX128 = 8    /* a Hex that may exceed 64 bits (a Python int, e.g. a
                              corrupt Win7 VAD's end): rendered as HEX */
} scry_coltype;

/* Cell states: a value, or one of Volatility's absent values. */
typedef enum scry_cellstate {
    SCRY_CELL_VALUE = 0,
    SCRY_CELL_UNREADABLE = 1,     /* "-" in text, null in JSON  */
    SCRY_CELL_UNPARSABLE = 2,     /* "-" in text, null in JSON  */
    SCRY_CELL_NOT_APPLICABLE = 3, /* "N/A" in text, null in JSON */
    SCRY_CELL_NOT_AVAILABLE = 4   /* "-" in text, null in JSON  */
} scry_cellstate;

/* The plugin table: Volatility's full names ("linux.pslist.PsList"). Names
 * match exactly (no case folding, no prefixes). Past the end, the string
 * getters return NULL and scry_plugin_option_count returns 0. */
SCRY_API size_t scry_plugin_count(void);
/* name and alias ("linux.pslist") of plugin i, or NULL past the end. */
SCRY_API const char *scry_plugin_name(size_t index);
SCRY_API const char *scry_plugin_alias(size_t index);
SCRY_API const char *scry_plugin_description(size_t index);
/* The OS plugin i needs ("linux"), "*" for one that runs on any OS
 * memscry detects (yarascan.YaraScan: the kernel space of whichever OS;
 * its --physical needs no detection), "" for one that reads any dump
 * without detection (banners), NULL past the end. */
SCRY_API const char *scry_plugin_os(size_t index);
/* 1 when plugin i reads a memory dump (run it with scry_plugin_run), 0
 * when it runs on a library context alone (isfinfo.IsfInfo: run it with
 * scry_plugin_run_context) or past the end. */
SCRY_API int scry_plugin_needs_dump(size_t index);
/* Options of plugin `index`: how many, and option `opt`'s name (without the
 * leading "--"), help text and value kind (0 flag, 1 list of integers,
 * 2 integer, 3 string, 4 list of strings). Errors: SCRY_ERR_INVALID_ARG
 * past the end. */
SCRY_API size_t scry_plugin_option_count(size_t index);
SCRY_API scry_status scry_plugin_option(size_t index, size_t opt, const char **name,
                                        const char **help, int *kind);

typedef struct scry_result scry_result;

/*
 * Runs a plugin. name is the full name or the alias. argv holds the plugin's
 * options as the command line spells them ({"--pid", "1", "2"}), argc their
 * count: "--name value" or "--name=value", unique prefixes of option names,
 * integers as Python's int(x, 0) reads them (0x1f, 0o17, 0b101; "010" is
 * refused), lists as "--pid 1 2 3". run may be NULL.
 * On success *out holds every row and the run's diagnostics (see
 * scry_result_partial); free it with scry_result_free().
 * Errors: SCRY_ERR_NOT_FOUND (unknown plugin), SCRY_ERR_BAD_OPTION,
 * SCRY_ERR_UNSUPPORTED (the plugin needs another OS than the dump holds),
 * SCRY_ERR_CANCELLED, and whatever detection reports.
 * Thread-safety: any number of runs may share one session at once.
 */
SCRY_API scry_status scry_plugin_run(scry_session *session, const char *name, int argc,
                                     const char *const *argv, scry_runctx *run, scry_result **out);
/*
 * Runs a plugin that reads no dump (scry_plugin_needs_dump() == 0) on the
 * context alone: it sees the context's symbol directories and cache
 * directory. Arguments, results and errors as scry_plugin_run, and
 * SCRY_ERR_INVALID_ARG for a plugin that needs a dump. (scry_plugin_run
 * runs such a plugin too, with the session's context.)
 * Thread-safety: any number of runs may share one context at once.
 */
SCRY_API scry_status scry_plugin_run_context(scry_context *ctx, const char *name, int argc,
                                             const char *const *argv, scry_runctx *run,
                                             scry_result **out);
SCRY_API void scry_result_free(scry_result *result);

/* Shape of a result. Out of range (or a NULL result): column_name returns
 * NULL, column_type SCRY_COL_INT, row_depth -1, cell_state
 * SCRY_CELL_NOT_AVAILABLE; the counts of a NULL result are 0. */
SCRY_API size_t scry_result_column_count(const scry_result *result);
SCRY_API const char *scry_result_column_name(const scry_result *result, size_t col);
SCRY_API scry_coltype scry_result_column_type(const scry_result *result, size_t col);
SCRY_API size_t scry_result_row_count(const scry_result *result);
/* Tree depth of a row: 0 for a top-level row; rows are in depth-first order,
 * so a row's parent is the nearest earlier row one level up. */
SCRY_API int scry_result_row_depth(const scry_result *result, size_t row);
SCRY_API scry_cellstate scry_result_cell_state(const scry_result *result, size_t row, size_t col);
/* Typed cell accessors: cell_int for INT and BOOL columns, cell_uint for
 * HEX, cell_str for STR, BYTES, HEXBYTES and DISASM (length in bytes; STR is valid
 * UTF-8), cell_datetime for DATETIME (seconds since 1970-01-01 UTC and
 * microseconds); cell_uint also reads a HEX128 cell whose value fits 64
 * bits. They fail with SCRY_ERR_INVALID_ARG when the column has
 * another type, the cell is absent or out of range. Strings and bytes are
 * owned by the result. */
SCRY_API scry_status scry_result_cell_datetime(const scry_result *result, size_t row, size_t col,
                                               int64_t *seconds, uint32_t *microseconds);
SCRY_API scry_status scry_result_cell_int(const scry_result *result, size_t row, size_t col,
                                          int64_t *value);
SCRY_API scry_status scry_result_cell_uint(const scry_result *result, size_t row, size_t col,
                                           uint64_t *value);
SCRY_API scry_status scry_result_cell_str(const scry_result *result, size_t row, size_t col,
                                          const char **value, size_t *length);

/*
 * Diagnostics of the run that made the result: each early stop or skipped
 * entry with its level, status and message (the innermost cause last).
 * Partial (1) when any is a WARNING: rows are missing or damaged. Past the
 * end: SCRY_ERR_INVALID_ARG. Strings are owned by the result.
 */
SCRY_API int scry_result_partial(const scry_result *result);
SCRY_API size_t scry_result_diag_count(const scry_result *result);
SCRY_API scry_status scry_result_diag(const scry_result *result, size_t index,
                                      scry_diag_level *level, scry_status *status,
                                      const char **message);

/* ------------------------------------------------------- YARA and scans */

/* Compiled YARA rules (libyara underneath): compile once, scan many, from
 * any number of threads and sessions at once. Immutable once built. */
typedef struct scry_yara_rules scry_rules;

/* The run input name under which scan plugins (yarascan.YaraScan,
 * linux.vmayarascan.VmaYaraScan, windows.vadyarascan.VadYaraScan,
 * memscry.malscan.MalScan) take compiled rules instead of their
 * --yara-string / --yara-file / --yara-compiled-file options, so a batch
 * compiles once: scry_runctx_set_input(run, SCRY_INPUT_YARA_RULES, rules). */
#define SCRY_INPUT_YARA_RULES "yara.rules"

/*
 * Compiles YARA rule source text. Ownership: *out belongs to the caller;
 * free it with scry_rules_free() after every run that uses it. Errors:
 * SCRY_ERR_BAD_OPTION for source that does not compile (the message gives
 * the line: "YARA rules line 3: undefined string \"$y\""), SCRY_ERR_INVALID_ARG,
 * SCRY_ERR_NOMEM. Thread-safety: any thread.
 */
SCRY_API scry_status scry_rules_compile(const char *source, scry_rules **out);
/* Loads rules from a file: YARA source, or rules compiled by yarac (told
 * apart by their header). Errors: as scry_rules_compile (the message names
 * the file), SCRY_ERR_IO (unreadable), SCRY_ERR_CORRUPT (a compiled file
 * libyara rejects). */
SCRY_API scry_status scry_rules_load(const char *path, scry_rules **out);
SCRY_API void scry_rules_free(scry_rules *rules);

typedef enum scry_scan_mode {
    /* Executable regions and anonymous writable ones (heap, stack,
     * anonymous maps) of every user process, plus the memory of every
     * loaded kernel module. */
    SCRY_SCAN_QUICK = 0,
    /* Every mapped page of every process, plus all of physical memory. */
    SCRY_SCAN_FULL = 1
} scry_scan_mode;

/*
 * memscry.malscan.MalScan with rules given as an object: scans the
 * session's dump in `mode` and returns one row per hit (columns Space,
 * PID, Process, Region, Start, End, Protection, Offset, Physical, Rule,
 * Component, Value: where the hit is, in which process and region, at
 * which virtual and physical address, and what matched). run is optional:
 * its progress callback receives bytes scanned of the total to scan (and
 * may cancel), its other inputs are kept. Ownership, errors and
 * thread-safety as scry_plugin_run; rules is borrowed for the call.
 */
SCRY_API scry_status scry_malscan(scry_session *session, const scry_rules *rules,
                                  scry_scan_mode mode, scry_runctx *run, scry_result **out);

/* A sink for rendered text. Return 0 to go on, non-zero to stop
 * (the render then fails with SCRY_ERR_IO). */
typedef int (*scry_write_fn)(void *user, const char *data, size_t length);

/*
 * Renders a result as Volatility does: renderer is "quick", "pretty",
 * "json", "jsonl", "csv" or "none". The bytes are what Volatility writes to
 * stdout after its banner line (the banner itself is the caller's choice).
 * Errors: SCRY_ERR_NOT_FOUND (unknown renderer), SCRY_ERR_IO (sink stopped).
 */
SCRY_API scry_status scry_result_render(const scry_result *result, const char *renderer,
                                        scry_write_fn write, void *user);

/* Whether `renderer` exists, and whether Volatility treats it as structured
 * output (csv, json, jsonl: its banner line goes to stderr, not stdout).
 * Errors: SCRY_ERR_NOT_FOUND (unknown renderer), SCRY_ERR_INVALID_ARG (NULL).
 * Thread-safety: reads a constant table. */
SCRY_API scry_status scry_renderer_info(const char *renderer, int *structured);

/* ------------------------------------------------------------ batch runs */

/*
 * A batch: one or more plugins (each with its options) over many dumps,
 * on a number of threads. Each worker opens a dump and a session, runs the
 * plugins in order, closes them, and hands its records over; the caller's
 * callback receives them one at a time, in dump order and, within a dump,
 * in this order: one SCRY_BATCH_DUMP record, one SCRY_BATCH_RESULT record
 * per plugin (in the order they were added), one SCRY_BATCH_DUMP_END
 * record; whatever the thread count. A dump that cannot be opened gives its
 * DUMP record (status and message set) and its DUMP_END, no RESULT record:
 * one error record per bad dump, never the end of the batch. A plugin that
 * fails on a dump (detection, another OS, options) gives a RESULT record
 * with its status and message and no result.
 * Memory: a worker's results wait for their turn in a window of 8 dumps per
 * thread; a worker that is that far ahead waits. A dump's rendered text is
 * freed as soon as its records' callbacks returned, the rest of its
 * results by the worker that made them (before it opens its next dump).
 * Page caches charge the context's memory budget.
 * Thread-safety: a batch is configured and run from one thread at a time;
 * several batches may run at once on one context. Callbacks are never
 * called concurrently; they are called from the caller's thread (the one
 * in scry_batch_run, which with more than one worker thread only delivers).
 */
typedef struct scry_batch scry_batch;

/* A new batch over ctx (borrowed; must outlive the batch): one thread, no
 * plugin. Errors: SCRY_ERR_INVALID_ARG, SCRY_ERR_NOMEM. Free with
 * scry_batch_free(). */
SCRY_API scry_status scry_batch_new(scry_context *ctx, scry_batch **out);
SCRY_API void scry_batch_free(scry_batch *batch);

/* Adds a plugin run: name (full name or alias) and its options as
 * scry_plugin_run takes them (copied). Errors: SCRY_ERR_NOT_FOUND (unknown
 * plugin), SCRY_ERR_BAD_OPTION (options the plugin refuses: checked here,
 * once, not per dump), SCRY_ERR_INVALID_ARG (a plugin that reads no dump),
 * SCRY_ERR_NOMEM. */
SCRY_API scry_status scry_batch_add_plugin(scry_batch *batch, const char *name, int argc,
                                           const char *const *argv);
/* Plugins added so far, and plugin i's full name (NULL past the end). */
SCRY_API size_t scry_batch_plugin_count(const scry_batch *batch);
SCRY_API const char *scry_batch_plugin_name(const scry_batch *batch, size_t index);

/* Worker threads (1 to 1024; never more than the dumps). Errors:
 * SCRY_ERR_INVALID_ARG. */
SCRY_API scry_status scry_batch_set_threads(scry_batch *batch, unsigned threads);

/* Progress in dumps: (0, n) once before any dump is opened, then (k, n)
 * after the records of the k-th dump were delivered; never concurrently.
 * A non-zero return cancels, as a non-zero return of the record callback
 * does. Errors: SCRY_ERR_INVALID_ARG. */
SCRY_API scry_status scry_batch_set_progress(scry_batch *batch, scry_progress_fn fn, void *user);

/* Makes each worker render its results' rows as lines before handing
 * them over (the callback, called one record at a time, only writes them):
 * "jsonl": {"depth": D, "dump": PATH, "plugin": NAME, "row": {...}}
 * per row, the row as scry_result_render_row's "json"; "csv": PATH (a csv
 * field), D, then the row as scry_result_render_row's "csv"; NULL: none
 * (the default). A result that cannot be rendered is a RESULT record with
 * SCRY_ERR_NOMEM. Errors: SCRY_ERR_NOT_FOUND (another format),
 * SCRY_ERR_INVALID_ARG. */
SCRY_API scry_status scry_batch_set_render(scry_batch *batch, const char *format);

/* Whether RESULT records carry their rows: keep non-zero (the default), or
 * 0 for a caller that only writes the rendered text. With 0 and a render
 * format set, each worker frees a result's rows as soon as it has rendered
 * them: the record's result keeps its columns, diagnostics and partial
 * state, with scry_result_row_count 0. Results wait for their turn (dump
 * order), and their rows were a third of what a corpus batch held at
 * -j 2. Without a render format, rows are always kept.
 * Errors: SCRY_ERR_INVALID_ARG. */
SCRY_API scry_status scry_batch_set_keep_rows(scry_batch *batch, int keep);

typedef enum scry_batch_kind {
    SCRY_BATCH_DUMP = 0,     /* a dump: opened (status OK) or not */
    SCRY_BATCH_RESULT = 1,   /* one plugin's run on it */
    SCRY_BATCH_DUMP_END = 2  /* the dump's last record */
} scry_batch_kind;

/* One record. Every pointer is valid during the callback only. */
typedef struct scry_batch_record {
    scry_batch_kind kind;
    size_t dump_index;        /* position in scry_batch_run's paths */
    const char *dump_path;
    size_t plugin_index;      /* RESULT: position among the added plugins */
    const char *plugin;       /* RESULT: the plugin's full name; else NULL */
    scry_status status;       /* DUMP: the open; RESULT: the run */
    const char *message;      /* the error's text when status != SCRY_OK */
    const scry_result *result; /* RESULT with status OK: rows and diagnostics
                                  (no row after scry_batch_set_keep_rows(b, 0)) */
    /* DUMP, when opened (NULL / 0 otherwise, each also when unknown): */
    uint64_t size;            /* the file's size in bytes */
    const char *format;       /* scry_dump_format() */
    const char *os;           /* "linux", "windows": only when a plugin of
                                 the batch needed OS detection and it worked */
    const char *kernel;       /* Linux: the banner; Windows: the description */
    const char *hash;         /* "xxh3:" + 16 hex digits: XXH3_64bits over the
                                 file's first min(size, 1 MiB) bytes followed
                                 by its size as a little-endian uint64 */
    /* RESULT with status OK, when the batch renders (scry_batch_set_render):
     * every row as a line, NUL-terminated; "" for no row. */
    const char *text;
    size_t text_len;
} scry_batch_record;

/* Receives each record; non-zero cancels the batch. */
typedef int (*scry_batch_fn)(void *user, const scry_batch_record *record);

/*
 * Runs the batch over paths[0..n). Returns when every dump was delivered,
 * or when a callback asked to stop: no record is delivered after that,
 * runs under way are cancelled through their progress, every dump is
 * closed and every result freed before it returns.
 * Errors: SCRY_ERR_CANCELLED (a callback returned non-zero),
 * SCRY_ERR_INVALID_ARG (no plugin, NULL argument), SCRY_ERR_NOMEM, and a
 * thread that cannot be started (SCRY_ERR_LIMIT). Errors about a dump or a
 * plugin run are records, not the batch's status.
 */
SCRY_API scry_status scry_batch_run(scry_batch *batch, const char *const *paths, size_t n,
                                    scry_batch_fn fn, void *user);

/*
 * Gives back the resident pages of the dump's mapped file (raw, LiME, ELF,
 * and the compressed data of kdump and AVML): they leave the process's
 * resident set and fault back in from the file on the next read. For many
 * dumps kept open between runs; the page caches of compressed formats are
 * bounded by the context's memory budget instead. Nothing is lost: any
 * read after it, from any thread, even one under way, gives the same bytes.
 * Thread-safety: any thread, at any time while the dump is open.
 */
SCRY_API void scry_dump_release_pages(scry_dump *dump);

/*
 * One row of a result alone: format "json" writes its object as the jsonl
 * renderer writes a node (keys sorted, Volatility's value rules) without
 * its "__children" key; "csv" writes its cells as the csv renderer does,
 * comma-separated, without TreeDepth and without a line end.
 * Errors: SCRY_ERR_INVALID_ARG (row out of range, NULL), SCRY_ERR_NOT_FOUND
 * (another format), SCRY_ERR_IO (the sink stopped), SCRY_ERR_NOMEM.
 * Thread-safety: reads the result only.
 */
SCRY_API scry_status scry_result_render_row(const scry_result *result, size_t row,
                                            const char *format, scry_write_fn write, void *user);

/*
 * SQLite export of a batch's records (the real SQLite library): one table
 * per plugin of the batch, named as its alias with '.' as '_'
 * ("linux_pslist"), columns dump_id, row_index, TreeDepth then the
 * plugin's columns named as Volatility names them, typed INTEGER (INT,
 * BOOL 0/1, HEX as the 64-bit pattern read as signed: printf('0x%x', col)
 * gives Volatility's text), TEXT (STR, DISASM, DATETIME as the json
 * renderer writes it, a HEX128 beyond 64 bits as quick writes it), BLOB (BYTES,
 * HEXBYTES' raw bytes); an absent cell is NULL. Table dumps(id, path,
 * size, format, os, kernel, hash) and table errors(dump_id, plugin, level
 * 'error' or 'warning', status, message): a dump that cannot be opened
 * (plugin NULL), a plugin run that fails, each warning of a partial result.
 * Tables are created at open for every plugin of the batch. Records are
 * written in one transaction per dump, committed at its DUMP_END, so an
 * interrupted batch keeps every dump finished before.
 * dump_id is the caller's (a shard passes each dump's index in the whole
 * list, so shards' databases merge without clashes).
 * Errors (open): SCRY_ERR_IO (SQLite cannot create it, or the path exists:
 * never overwritten), SCRY_ERR_INVALID_ARG, SCRY_ERR_NOMEM. (record): SCRY_ERR_IO
 * with SQLite's message. close commits nothing unfinished and returns the
 * first error met. Thread-safety: one thread at a time per export.
 */
typedef struct scry_sqlite_export scry_sqlite_export;
SCRY_API scry_status scry_sqlite_export_open(const char *path, const scry_batch *batch,
                                             scry_sqlite_export **out);
SCRY_API scry_status scry_sqlite_export_record(scry_sqlite_export *x,
                                               const scry_batch_record *record, int64_t dump_id);
SCRY_API scry_status scry_sqlite_export_close(scry_sqlite_export *x);

#ifdef __cplusplus
}
#endif
#endif /* MEMSCRY_H */
