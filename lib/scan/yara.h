/* yara.h - YARA rules and scans over memscry's layers (libyara underneath).
 *
 * Rules are compiled once and scanned many times, from any number of
 * threads (libyara's YR_RULES is shareable; each scan makes its own
 * scanner). libyara does not match across the blocks of a block iterator,
 * so every scan here hands libyara one contiguous buffer per window: a
 * physically contiguous run of the dump is passed in place (zero copy);
 * virtual ranges are copied into a bounded buffer, in windows that overlap
 * so that a match straddling two pages that are not adjacent in physical
 * memory is still found.
 *
 * Thread-safety: a struct scry_yara_rules is immutable once built; scans
 * on it may run concurrently (each with its own vspace). The physical and
 * layer scans use one helper thread of their own (two windows at a time);
 * hit callbacks always run on the calling thread, in address order. */
#ifndef SCRY_SCAN_YARA_H
#define SCRY_SCAN_YARA_H

#include <stddef.h>
#include <stdint.h>

#include "formats/phys.h"
#include "lib/base/op.h"
#include "lib/vspace/vspace.h"

struct scry_yara_rules; /* wraps YR_RULES *; opaque to plugins */

/* Where rules come from: Volatility's yarascan options. Exactly one of source,
 * string, file, compiled_file is used, with Volatility's precedence
 * (string, then file, then compiled file). */
struct scry_yara_source {
    const char *source;        /* YARA source text as it is (the C API's
                                  scry_rules_compile); first if given     */
    const char *string;        /* --yara-string: wrapped as Volatility does */
    const char *file;          /* --yara-file: a path (or file:// URI)      */
    const char *compiled_file; /* --yara-compiled-file: yarac output        */
    int insensitive;           /* --insensitive: nocase                     */
    int wide;                  /* --wide: wide ascii                        */
};

/* Compiles (or loads) rules; src->string wins over file, file over
 * compiled_file. Errors: SCRY_ERR_INVALID_ARG when no source is given;
 * SCRY_ERR_BAD_OPTION for rules that do not compile, with libyara's first
 * error as "<file> line <n>: <message>" ("rules.yar line 3: syntax
 * error"; "--yara-string line 1: ..." for a string) or an empty string;
 * SCRY_ERR_IO for a rule file that cannot be opened ("cannot open YARA
 * rules <path>: <errno text>" or "cannot open compiled YARA rules
 * <path>"); SCRY_ERR_CORRUPT for a compiled file libyara rejects ("<path>:
 * not a compiled YARA rule file", "...: corrupt compiled YARA rules",
 * "...: compiled YARA rules of another libyara version"); SCRY_ERR_NOMEM.
 * An empty rule file is valid (no rules: scans find nothing). file and
 * compiled_file may be file:// URIs. Free with scry_yara_rules_free. */
scry_status scry_yara_rules_build(const struct scry_yara_source *src, struct scry_yara_rules **out);
void scry_yara_rules_free(struct scry_yara_rules *r);

/* 1 when no match of r can hold a NUL byte and a rule needs nothing but a
 * match (one plain text --yara-string: no quote, backslash or --wide), so
 * scans hand libyara only the NUL-free runs at least the string's length
 * (a string shorter than eight bytes: the stretches between 64-byte
 * blocks of zeros), as the blocks of one scan (same hits; on dev-1k a
 * third of the instructions: most memory is zeros or short runs between
 * them); 0 for any other rules, which are always scanned whole. */
int scry_yara_rules_nul_free(const struct scry_yara_rules *r);

/* The rule text a --yara-string makes (src->string, insensitive, wide),
 * as Volatility's process_yara_options builds it:
 * `rule r1 {strings: $a = "<s>"[ nocase][ wide ascii] condition: $a}`,
 * the quotes left out when s starts with '{' or '/'. (Volatility 2.11.0's
 * --insensitive adds nothing: it reads the flag under another name; here
 * it adds nocase.) *out is malloc'd. Errors: SCRY_ERR_INVALID_ARG (no
 * string), SCRY_ERR_BAD_OPTION (empty string), SCRY_ERR_NOMEM. */
scry_status scry_yara_rule_text(const struct scry_yara_source *src, char **out);

/* Number of rules in r (0 for an empty rule file). */
size_t scry_yara_rules_count(const struct scry_yara_rules *r);

/* One string instance of one matching rule. data/len: the matched bytes
 * (len may be less than the match's length when libyara truncates, as
 * Volatility's matched_data is); valid during the call only. */
struct scry_yara_hit {
    uint64_t addr;       /* address in the scanned space (as the scan defines) */
    const char *rule;    /* rule identifier                                   */
    const char *ns;      /* rule namespace ("default")                        */
    const char *string;  /* string identifier, "$a"                           */
    const uint8_t *data;
    size_t len;
};
/* Return non-zero to stop the scan (it then returns SCRY_OK). */
typedef int (*scry_yara_hit_fn)(void *user, const struct scry_yara_hit *h);

/* Scans one buffer; hits carry base + offset, in libyara's order (rule,
 * string, instance). Errors: SCRY_ERR_NOMEM, SCRY_ERR_LIMIT (libyara's
 * too-many-matches / timeouts), SCRY_ERR_CORRUPT (other libyara errors). */
scry_status scry_yara_scan_buffer(const struct scry_yara_rules *r, const uint8_t *buf, size_t len,
                                  uint64_t base, scry_yara_hit_fn fn, void *user);

/* A memo of window results by content, for scans that meet the same bytes
 * many times (every process maps the same programs; untouched reservations
 * read as zeros): a window whose bytes (XXH3-128), length and limit equal
 * one scanned before is not scanned again, its hits are replayed at the
 * new address. Exact for rules whose result depends on the scanned bytes
 * alone (no external variables, no time module). Bounded (a few hundred
 * windows with at most 8 short hits each are kept). Not thread-safe: one
 * per thread. Errors: SCRY_ERR_NOMEM. */
struct scry_yara_memo;
scry_status scry_yara_memo_new(struct scry_yara_memo **out);
void scry_yara_memo_free(struct scry_yara_memo *m);
/* Windows answered from the memo so far (tests, benchmarks). */
uint64_t scry_yara_memo_hits(const struct scry_yara_memo *m);

/* Scans the virtual range [start, end) of vs as one stream of bytes:
 * unmapped pages read as zeros (Volatility's pad=True), as is a page that
 * cannot be decoded; copied into windows of at most `window` bytes that
 * overlap by `overlap` bytes (a match starting in the overlap is reported
 * once, by the next window, so a match no longer than the overlap is found
 * exactly once wherever it lies, across pages that are not adjacent in
 * physical memory too). Only the mapped pages are read (the page tables
 * are walked once per window), so a sparse range costs its mapped bytes
 * plus libyara's pass over the zeros. Hits carry virtual addresses; in
 * window order, each window in libyara's order. memo may be NULL. Progress
 * ticks in bytes on op; a cancel ends the scan with SCRY_ERR_CANCELLED.
 * window 0 = SCRY_YARA_WINDOW. Errors: SCRY_ERR_INVALID_ARG (no rules, vs
 * or fn; overlap >= window), SCRY_ERR_NOMEM, the enumeration's
 * (SCRY_ERR_LIMIT, SCRY_ERR_CORRUPT for a page table that cannot be
 * decoded) and libyara's (as scry_yara_scan_buffer). */
#define SCRY_YARA_WINDOW ((size_t)16 << 20)
#define SCRY_YARA_OVERLAP ((size_t)4096)
scry_status scry_yara_scan_vrange(const struct scry_yara_rules *r, struct scry_vspace *vs,
                                  uint64_t start, uint64_t end, size_t window, size_t overlap,
                                  struct scry_yara_memo *memo, struct scry_op *op,
                                  scry_yara_hit_fn fn, void *user);

/* Scans the whole virtual layer vs exactly as Volatility's layer.scan feeds
 * its yarascan (see yara_layer.c): every page whose translation succeeds
 * and whose physical bytes are wholly in the dump; pages contiguous both
 * virtually and physically form blocks; each block is cut into chunks
 * starting every 16 MiB, each up to 16 MiB + 4 KiB, so a match in the
 * shared 4 KiB is reported twice and a match across two blocks is not
 * found - both as Volatility does. Hits carry masked virtual addresses, in
 * chunk order, then libyara's order. A chunk that cannot be read is
 * skipped (one WARNING on op). Errors: SCRY_ERR_INVALID_ARG, NOMEM,
 * CANCELLED, the enumeration's (SCRY_ERR_LIMIT, CORRUPT) and libyara's
 * (as scry_yara_scan_buffer). */
scry_status scry_yara_scan_layer(const struct scry_yara_rules *r, struct scry_vspace *vs,
                                 struct scry_op *op, scry_yara_hit_fn fn, void *user);

/* A plain --yara-string searched in physical memory ahead of the layer
 * scan (yara_prescan.c): started before OS detection so that it runs on
 * the second core while the symbol table loads; the layer scan then
 * answers Volatility's chunks from the list of physical matches when
 * that is exact (see yara_prescan.c), else scans as before.
 *
 * scry_yara_plain_string: 1 when s is such a string (non-empty, at most
 * 256 bytes, no quote or backslash, not a hex string or regex, not
 * overlapping itself); the caller checks nocase and wide.
 * scry_yara_prescan_start: starts the search on a thread of its own, or
 * returns NULL (not such a string, no memory, no thread): nothing to
 * free. p must stay open until scry_yara_prescan_free. */
struct scry_yara_prescan;
int scry_yara_plain_string(const char *s);
struct scry_yara_prescan *scry_yara_prescan_start(struct scry_phys *p, const char *string);
/* Waits for the search; 1 when its list may answer a scan. */
int scry_yara_prescan_wait(struct scry_yara_prescan *ps);
/* Stops the search if it still runs, waits for it, frees (NULL: nothing). */
void scry_yara_prescan_free(struct scry_yara_prescan *ps);
/* Chunks a layer scan answered from the list so far (tests, benchmarks). */
uint64_t scry_yara_prescan_answered(const struct scry_yara_prescan *ps);

/* scry_yara_scan_layer with a finished prescan (or NULL): its list answers
 * the chunks when the rules are the plain string it searched for. */
scry_status scry_yara_scan_layer_pre(const struct scry_yara_rules *r,
                                     struct scry_yara_prescan *pre, struct scry_vspace *vs,
                                     struct scry_op *op, scry_yara_hit_fn fn, void *user);

/* Scans the physical layer: every run of the dump, runs adjacent in
 * physical memory as one stream (a match across them is found), in
 * SCRY_YARA_WINDOW windows overlapping by SCRY_YARA_OVERLAP (each match
 * reported once), zero copy where a window is stored plainly in the file
 * (its pages dropped from the resident set afterwards), two windows at a
 * time; a page that cannot be decoded is searched as zeros. Hits carry
 * physical addresses, in address order. Progress ticks in bytes; a cancel
 * ends it with SCRY_ERR_CANCELLED. Errors: SCRY_ERR_INVALID_ARG,
 * SCRY_ERR_NOMEM, libyara's (as scry_yara_scan_buffer). */
scry_status scry_yara_scan_phys(const struct scry_yara_rules *r, struct scry_phys *phys,
                                struct scry_op *op, scry_yara_hit_fn fn, void *user);

#endif
