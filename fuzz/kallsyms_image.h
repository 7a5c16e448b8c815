/* kallsyms_image.h - a small synthetic kernel image holding kallsyms tables
 * as the kernel's scripts/kallsyms.c lays them out, in physical memory, with
 * linux_banner and init_task where its symbols say: what the kallsyms unit
 * tests corrupt on purpose and what fuzz_kallsyms mutates.
 *
 * The image starts at physical 0 (phys_base = -(_text - the kernel map),
 * 2 MiB-aligned as on x86_64) and is laid out from _text:
 *   0x0000 _text, 0x1000 linux_banner, 0x2000 init_task ("swapper/0" at
 *   +0x100), 0x3000 the tables, then _end. The fill symbols' addresses
 *   follow init_task in steps of 8; their names ("sym_00042") use every
 *   digit, one takes a two-byte length.
 * Layout 0 is Linux 6.1 (offsets, relative_base, num_syms, names, markers,
 * [seqs_of_names], token_table, token_index), layout 1 Linux 6.4+
 * (num_syms, names, markers, token_table, token_index, offsets,
 * relative_base, seqs_of_names); every label 8-aligned. */
#ifndef SCRY_FUZZ_KALLSYMS_IMAGE_H
#define SCRY_FUZZ_KALLSYMS_IMAGE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KI_TEXT 0xffffffff8b000000ull /* _text: the kernel map + 0xb000000 */
#define KI_MAP 0xffffffff80000000ull

struct ki_params {
    unsigned nfill;  /* fill symbols (sym_NNNNN) */
    int layout;      /* 0: 6.1, 1: 6.4+ */
    int seqs;        /* bytes per seqs_of_names entry: 0 (none, layout 0 only), 3 or 4 */
    int abs_percpu;  /* two per-CPU symbols first, KALLSYMS_ABSOLUTE_PERCPU offsets */
};

struct ki_image {
    uint8_t *mem;
    size_t size;
    uint64_t phys_base;
    uint32_t nsyms;
    /* physical addresses of the tables */
    uint64_t num_pa, names_pa, markers_pa, seqs_pa, tt_pa, ti_pa, offsets_pa, rb_pa;
    size_t names_len, tt_len;
    char vmcoreinfo[1024];
    size_t vmcoreinfo_len;
};

struct ki_sym {
    char type;
    char name[160];
    uint64_t addr;
};

static size_t ki_align8(size_t x)
{
    return (x + 7) & ~(size_t)7;
}

static void ki_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

/* The symbols in address order. */
static unsigned ki_symbols(const struct ki_params *pr, struct ki_sym *s, uint64_t end)
{
    unsigned n = 0;
    if (pr->abs_percpu) {
        s[n++] = (struct ki_sym){'A', "__per_cpu_start", 0};
        s[n++] = (struct ki_sym){'A', "fixed_percpu_data", 0x1000};
    }
    s[n++] = (struct ki_sym){'T', "_text", KI_TEXT};
    s[n++] = (struct ki_sym){'D', "linux_banner", KI_TEXT + 0x1000};
    s[n++] = (struct ki_sym){'D', "init_task", KI_TEXT + 0x2000};
    for (unsigned i = 0; i < pr->nfill; i++) {
        struct ki_sym *f = &s[n++];
        f->type = i % 3 ? 't' : 'T';
        f->addr = KI_TEXT + 0x3000 + 8 * (uint64_t)i;
        if (i == 7) /* a name compressing to more than 127 bytes */
            snprintf(f->name, sizeof f->name, "long_%0140u", i);
        else
            snprintf(f->name, sizeof f->name, "sym_%05u", i);
    }
    s[n++] = (struct ki_sym){'B', "_end", end};
    return n;
}

/* Token codes: 0x80 stands for "sym_", every other byte used in a type or
 * a name for itself, the rest for "" (as a kernel leaves unused codes). */
static const char *ki_token(unsigned c)
{
    static char one[256][2];
    if (c == 0x80)
        return "sym_";
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
        one[c][0] = (char)c;
        one[c][1] = 0;
        return one[c];
    }
    return "";
}

/* Builds the image; 0 on success, -1 out of memory. */
static int ki_build(const struct ki_params *pr, struct ki_image *im)
{
    memset(im, 0, sizeof *im);
    unsigned cap = pr->nfill + 8;
    struct ki_sym *s = calloc(cap, sizeof *s);
    uint8_t *names = calloc(cap, 2 + 160);
    if (!s || !names) {
        free(s);
        free(names);
        return -1;
    }
    /* Names first (their size places everything after them). */
    unsigned n = ki_symbols(pr, s, 0);
    uint32_t *mk = calloc((n + 255) / 256, 4);
    if (!mk) {
        free(s);
        free(names);
        return -1;
    }
    size_t nl = 0;
    for (unsigned i = 0; i < n; i++) {
        if ((i & 255) == 0)
            mk[i >> 8] = (uint32_t)nl;
        uint8_t enc[170];
        size_t el = 0;
        enc[el++] = (uint8_t)s[i].type;
        const char *nm = s[i].name;
        if (strncmp(nm, "sym_", 4) == 0) {
            enc[el++] = 0x80;
            nm += 4;
        }
        for (; *nm; nm++)
            enc[el++] = (uint8_t)*nm;
        if (el <= 0x7f) {
            names[nl++] = (uint8_t)el;
        } else {
            names[nl++] = (uint8_t)((el & 0x7f) | 0x80);
            names[nl++] = (uint8_t)(el >> 7);
        }
        memcpy(names + nl, enc, el);
        nl += el;
    }
    size_t tt_len = 0;
    for (unsigned c = 0; c < 256; c++)
        tt_len += strlen(ki_token(c)) + 1;
    size_t nm_bytes = 4 * (size_t)((n + 255) / 256), off_bytes = 4 * (size_t)n,
           seq_bytes = (size_t)pr->seqs * n;
    /* Offsets from the tables' start. */
    size_t at = 0, o_off, o_rb, o_num, o_names, o_mk, o_seq = 0, o_tt, o_ti;
    if (pr->layout == 0) {
        o_off = at;
        at = ki_align8(at + off_bytes);
        o_rb = at;
        at += 8;
        o_num = at;
        at += 8;
        o_names = at;
        at = ki_align8(at + nl);
        o_mk = at;
        at = ki_align8(at + nm_bytes);
        if (pr->seqs) {
            o_seq = at;
            at = ki_align8(at + seq_bytes);
        }
        o_tt = at;
        at = ki_align8(at + tt_len);
        o_ti = at;
        at += 512;
    } else {
        o_num = at;
        at += 8;
        o_names = at;
        at = ki_align8(at + nl);
        o_mk = at;
        at = ki_align8(at + nm_bytes);
        o_tt = at;
        at = ki_align8(at + tt_len);
        o_ti = at;
        at += 512;
        o_off = at;
        at = ki_align8(at + off_bytes);
        o_rb = at;
        at += 8;
        o_seq = at;
        at = ki_align8(at + 4 * (size_t)n);
    }
    size_t tables = 0x3000, size = tables + at + 0x1000;
    im->mem = calloc(1, size);
    if (!im->mem) {
        free(s);
        free(names);
        free(mk);
        return -1;
    }
    im->size = size;
    im->phys_base = 0 - (KI_TEXT - KI_MAP);
    ki_symbols(pr, s, KI_TEXT + size - 0x800); /* now with _end */
    uint8_t *m = im->mem, *t = m + tables;
    memcpy(m, "\x0f\x01\xf8", 3); /* some code at _text */
    static const char banner[] =
        "Linux version 6.1.0-test (kallsyms_image.h) #1 SMP PREEMPT_DYNAMIC\n";
    memcpy(m + 0x1000, banner, sizeof banner);
    memcpy(m + 0x2100, "swapper/0", 10);
    /* relative_base: the lowest address of the relative symbols (_text). */
    uint64_t rb = KI_TEXT;
    for (unsigned i = 0; i < n; i++) {
        int64_t v;
        if (s[i].addr < KI_MAP)
            v = (int64_t)s[i].addr;
        else if (pr->abs_percpu)
            v = (int64_t)(rb - s[i].addr) - 1;
        else
            v = (int64_t)(s[i].addr - rb);
        ki_put32(t + o_off + 4 * (size_t)i, (uint32_t)v);
    }
    for (int i = 0; i < 8; i++)
        t[o_rb + (size_t)i] = (uint8_t)(rb >> 8 * i);
    ki_put32(t + o_num, n);
    memcpy(t + o_names, names, nl);
    for (unsigned k = 0; k < (n + 255) / 256; k++)
        ki_put32(t + o_mk + 4 * (size_t)k, mk[k]);
    /* seqs_of_names: a permutation; its values need not be right here. */
    for (unsigned i = 0; pr->seqs && i < n; i++)
        for (int b = 0; b < pr->seqs; b++)
            t[o_seq + (size_t)pr->seqs * i + (size_t)b] = (uint8_t)((n - 1 - i) >> 8 * b);
    size_t tp = 0;
    for (unsigned c = 0; c < 256; c++) {
        t[o_ti + 2 * c] = (uint8_t)tp;
        t[o_ti + 2 * c + 1] = (uint8_t)(tp >> 8);
        size_t l = strlen(ki_token(c)) + 1;
        memcpy(t + o_tt + tp, ki_token(c), l);
        tp += l;
    }
    im->nsyms = n;
    im->num_pa = tables + o_num;
    im->names_pa = tables + o_names;
    im->markers_pa = tables + o_mk;
    im->seqs_pa = pr->seqs || pr->layout ? tables + o_seq : 0;
    im->tt_pa = tables + o_tt;
    im->ti_pa = tables + o_ti;
    im->offsets_pa = tables + o_off;
    im->rb_pa = tables + o_rb;
    im->names_len = nl;
    im->tt_len = tt_len;
    uint64_t va = KI_TEXT; /* pa 0 */
    int w = snprintf(im->vmcoreinfo, sizeof im->vmcoreinfo,
                     "OSRELEASE=6.1.0-test\nSYMBOL(_stext)=%llx\n"
                     "SYMBOL(kallsyms_names)=%llx\nSYMBOL(kallsyms_num_syms)=%llx\n"
                     "SYMBOL(kallsyms_token_table)=%llx\nSYMBOL(kallsyms_token_index)=%llx\n"
                     "SYMBOL(kallsyms_offsets)=%llx\nSYMBOL(kallsyms_relative_base)=%llx\n"
                     "NUMBER(phys_base)=%lld\nKERNELOFFSET=a000000\n",
                     (unsigned long long)va, (unsigned long long)(va + im->names_pa),
                     (unsigned long long)(va + im->num_pa), (unsigned long long)(va + im->tt_pa),
                     (unsigned long long)(va + im->ti_pa),
                     (unsigned long long)(va + im->offsets_pa),
                     (unsigned long long)(va + im->rb_pa), (long long)im->phys_base);
    im->vmcoreinfo_len = (size_t)w;
    free(s);
    free(names);
    free(mk);
    return 0;
}

static void ki_free(struct ki_image *im)
{
    free(im->mem);
    memset(im, 0, sizeof *im);
}

#endif
