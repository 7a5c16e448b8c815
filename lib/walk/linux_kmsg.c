/* linux_kmsg.c - the lockless printk ring buffer. */
#include "lib/walk/linux_kmsg.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/utf8.h"
#include "lib/vspace/vspace.h"
#include "symbols/symtab.h"

struct offs {
    uint64_t prb;
    uint64_t rb_desc_ring, rb_text_ring;
    uint64_t dr_count_bits, dr_descs, dr_infos, dr_head, dr_tail;
    uint64_t tr_size_bits, tr_data;
    uint64_t d_state, d_lpos, lpos_begin, lpos_next, d_size;
    uint64_t i_ts, i_text_len, i_facility, i_level, i_caller, i_dev, i_size;
    uint64_t dev_sub, dev_sub_size, dev_dev, dev_dev_size;
    uint64_t counter;
};

static scry_status resolve(const struct scry_linux *l, struct offs *o)
{
    struct scry_field_spec f[] = {
        SCRY_FIELD("printk_ringbuffer", "desc_ring", &o->rb_desc_ring),
        SCRY_FIELD("printk_ringbuffer", "text_data_ring", &o->rb_text_ring),
        SCRY_FIELD("prb_desc_ring", "count_bits", &o->dr_count_bits),
        SCRY_FIELD("prb_desc_ring", "descs", &o->dr_descs),
        SCRY_FIELD("prb_desc_ring", "infos", &o->dr_infos),
        SCRY_FIELD("prb_desc_ring", "head_id", &o->dr_head),
        SCRY_FIELD("prb_desc_ring", "tail_id", &o->dr_tail),
        SCRY_FIELD("prb_data_ring", "size_bits", &o->tr_size_bits),
        SCRY_FIELD("prb_data_ring", "data", &o->tr_data),
        SCRY_FIELD("prb_desc", "state_var", &o->d_state),
        SCRY_FIELD("prb_desc", "text_blk_lpos", &o->d_lpos),
        SCRY_FIELD("prb_data_blk_lpos", "begin", &o->lpos_begin),
        SCRY_FIELD("prb_data_blk_lpos", "next", &o->lpos_next),
        SCRY_FIELD("printk_info", "ts_nsec", &o->i_ts),
        SCRY_FIELD("printk_info", "text_len", &o->i_text_len),
        SCRY_FIELD("printk_info", "facility", &o->i_facility),
        SCRY_FIELD("printk_info", "level", &o->i_level),
        SCRY_FIELD_OPT("printk_info", "caller_id", &o->i_caller),
        SCRY_FIELD("printk_info", "dev_info", &o->i_dev),
        {"dev_printk_info", "subsystem", &o->dev_sub, &o->dev_sub_size, 0},
        {"dev_printk_info", "device", &o->dev_dev, &o->dev_dev_size, 0},
        SCRY_FIELD("atomic64_t", "counter", &o->counter),
    };
    struct scry_symbol_spec s[] = {SCRY_SYMBOL_OPT("prb", &o->prb)};
    scry_status st = scry_resolve_symbols(l->symtab, s, 1);
    if (st != SCRY_OK)
        return scry_err_ctx(st, "%s", l->isf_path);
    if (o->prb == SCRY_NO_OFFSET)
        return scry_err(SCRY_ERR_UNSUPPORTED,
                        "%s has no symbol prb: only the printk ring buffer of kernels >= 5.10 "
                        "is supported",
                        l->isf_path);
    if ((st = scry_resolve_fields(l->symtab, f, sizeof f / sizeof f[0])) != SCRY_OK)
        return scry_err_ctx(st, "%s", l->isf_path);
    if ((st = scry_sym_type_size(l->symtab, "prb_desc", &o->d_size)) != SCRY_OK ||
        (st = scry_sym_type_size(l->symtab, "printk_info", &o->i_size)) != SCRY_OK)
        return scry_err_ctx(st, "%s", l->isf_path);
    if (o->i_size > 4096 || o->d_size > 4096 || o->dev_sub_size > 256 || o->dev_dev_size > 256 ||
        o->i_dev + o->dev_dev + o->dev_dev_size > o->i_size ||
        o->i_dev + o->dev_sub + o->dev_sub_size > o->i_size)
        return scry_err(SCRY_ERR_CORRUPT, "%s: printk_info or prb_desc has an odd size",
                        l->isf_path);
    return SCRY_OK;
}

static uint64_t le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

size_t scry_kmsg_time(uint64_t nsec, char out[32])
{
    /* Python's int / int is the correctly rounded quotient: a long double
     * (64-bit mantissa) quotient rounded to double is it, but for ties. */
    double q = (double)((long double)nsec / 1000000000.0L);
    return (size_t)snprintf(out, 32, "%" PRIu64 ".%06" PRIu64, (uint64_t)q,
                            nsec % 1000000000u / 1000u);
}

size_t scry_kmsg_line(const char *s, size_t len, size_t *next)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len; i++) {
        size_t brk = 0;
        if (u[i] == '\n' || u[i] == '\v' || u[i] == '\f' || (u[i] >= 0x1c && u[i] <= 0x1e))
            brk = 1;
        else if (u[i] == '\r')
            brk = i + 1 < len && u[i + 1] == '\n' ? 2 : 1;
        else if (u[i] == 0xc2 && i + 1 < len && u[i + 1] == 0x85)
            brk = 2; /* U+0085 */
        else if (u[i] == 0xe2 && i + 2 < len && u[i + 1] == 0x80 &&
                 (u[i + 2] == 0xa8 || u[i + 2] == 0xa9))
            brk = 3; /* U+2028, U+2029 */
        if (brk) {
            *next = i + brk;
            return i;
        }
    }
    *next = len;
    return len;
}

/* The dev_info string at buf[0..n): cut at NUL, decoded. */
static size_t dev_str(const uint8_t *buf, size_t n, char *out)
{
    return scry_utf8_replace(buf, strnlen((const char *)buf, n), out);
}

scry_status scry_linux_kmsg(const struct scry_linux *l, struct scry_op *op, scry_kmsg_fn fn,
                            void *user)
{
    struct offs o;
    struct scry_vspace vs;
    uint8_t ring[256], desc[4096], info[4096];
    static const unsigned ps = 8; /* the id word: unsigned long on x86-64 */
    uint64_t rb, count_bits, descs, infos, head, tail, size_bits, data;
    scry_status st;
    if ((st = resolve(l, &o)) != SCRY_OK)
        return st;
    if ((st = scry_profile_kernel(&l->base, &vs)) != SCRY_OK)
        return st;
    if (vs.va_bits <= 32) /* the ring's words are unsigned longs: read as 8 bytes here */
        return scry_err(SCRY_ERR_UNSUPPORTED,
                        "the printk ring buffer of 32-bit kernels is not supported");
    st = scry_vspace_read_u64(&vs, o.prb + l->virt_shift, &rb);
    uint64_t need = o.rb_text_ring + o.tr_data + 8;
    if (o.rb_desc_ring + o.dr_tail + o.counter + 8 > need)
        need = o.rb_desc_ring + o.dr_tail + o.counter + 8;
    if (o.rb_desc_ring + o.dr_head + o.counter + 8 > need)
        need = o.rb_desc_ring + o.dr_head + o.counter + 8;
    if (need > sizeof ring)
        return scry_err(SCRY_ERR_CORRUPT, "%s: printk_ringbuffer is too large", l->isf_path);
    if (st == SCRY_OK)
        st = scry_vspace_read(&vs, rb, ring, (size_t)need);
    if (st != SCRY_OK) {
        scry_op_report(op, SCRY_DIAG_WARNING, st, "the printk ring buffer cannot be read");
        return SCRY_OK;
    }
    const uint8_t *dr = ring + o.rb_desc_ring, *tr = ring + o.rb_text_ring;
    count_bits = le(dr + o.dr_count_bits, 4);
    descs = le(dr + o.dr_descs, 8);
    infos = le(dr + o.dr_infos, 8);
    head = le(dr + o.dr_head + o.counter, 8);
    tail = le(dr + o.dr_tail + o.counter, 8);
    size_bits = le(tr + o.tr_size_bits, 4);
    data = le(tr + o.tr_data, 8);
    const uint64_t id_mask = ~(3ull << 62);
    if (count_bits > 62) {
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "the printk ring buffer has 2^%" PRIu64 " descriptors; not read", count_bits);
        return SCRY_OK;
    }
    uint64_t count = 1ull << count_bits, tmask = size_bits >= 64 ? UINT64_MAX
                                                               : (1ull << size_bits) - 1;
    /* Volatility reads tail, then each next id until it meets head (head
     * itself not read; tail == head goes round all 2^62 ids), ids wrapping
     * at 2^62; a real ring never holds more than its count. */
    uint64_t todo = ((head - ((tail + 1) & id_mask)) & id_mask) + 1, bound = count;
    if (SCRY_KMSG_MAX_RECORDS < bound)
        bound = SCRY_KMSG_MAX_RECORDS;
    if ((head & ~id_mask) || todo > bound) {
        scry_op_say(op, SCRY_DIAG_WARNING, SCRY_ERR_CORRUPT,
                    "the printk ring buffer's tail 0x%" PRIx64 " and head 0x%" PRIx64
                    " are more than %" PRIu64 " records apart; the first %" PRIu64 " read",
                    tail, head, bound, bound);
        todo = bound;
    }
    struct bufs {
        uint8_t text[65535];
        char dec[3 * 65535 + 1], sub[3 * 256 + 1], dev[3 * 256 + 1];
    } *b = malloc(sizeof *b);
    if (!b)
        return scry_err(SCRY_ERR_NOMEM, "out of memory");
    uint8_t *text = b->text;
    char *dec = b->dec, *sub = b->sub, *dev = b->dev;
    uint64_t cur = tail;
    st = SCRY_OK;
    for (uint64_t k = 0; k < todo; k++, cur = (cur + 1) & id_mask) {
        uint64_t idx = cur & (count - 1);
        if (scry_op_tick(op, k, todo)) {
            st = scry_op_cancelled();
            break;
        }
        scry_status rst = scry_vspace_read(&vs, descs + idx * o.d_size, desc, (size_t)o.d_size);
        if (rst == SCRY_OK)
            rst = scry_vspace_read(&vs, infos + idx * o.i_size, info, (size_t)o.i_size);
        if (rst != SCRY_OK) {
            scry_op_report(op, SCRY_DIAG_WARNING, rst,
                           "printk record %" PRIu64 " cannot be read; skipped", cur);
            continue;
        }
        uint64_t state = le(desc + o.d_state + o.counter, 8) >> 62;
        if (state != 1 && state != 2)
            continue;
        struct scry_kmsg_record r = {0};
        r.facility = info[o.i_facility];
        r.level = (uint8_t)(info[o.i_level] >> 5 & 7);
        r.ts_nsec = le(info + o.i_ts, 8);
        r.has_caller = o.i_caller != SCRY_NO_OFFSET;
        if (r.has_caller)
            r.caller_id = (uint32_t)le(info + o.i_caller, 4);
        uint64_t begin = le(desc + o.d_lpos + o.lpos_begin, 8) & tmask;
        uint64_t end = le(desc + o.d_lpos + o.lpos_next, 8) & tmask;
        r.text = dec;
        if (!(begin & 1)) {
            if (begin > end)
                begin = 0;
            uint64_t len = le(info + o.i_text_len, 2);
            if (end - begin < len)
                len = end - begin;
            uint64_t at = data + begin + ps;
            if (at < data || (len && scry_vspace_read(&vs, at, text, (size_t)len) != SCRY_OK)) {
                scry_op_report(op, SCRY_DIAG_WARNING, SCRY_ERR_NODATA,
                               "printk record %" PRIu64 ": its text at 0x%" PRIx64
                               " cannot be read; skipped",
                               cur, at);
                continue;
            }
            r.text_len = scry_utf8_replace(text, (size_t)len, dec);
        }
        r.subsystem = sub;
        r.subsystem_len = dev_str(info + o.i_dev + o.dev_sub, (size_t)o.dev_sub_size, sub);
        r.device = dev;
        r.device_len = dev_str(info + o.i_dev + o.dev_dev, (size_t)o.dev_dev_size, dev);
        if (fn(user, &r))
            break;
    }
    free(b);
    return st;
}
