/* TEMPORARY during parallel bring-up: weak stand-ins so partial trees link.
 * Every real definition overrides these. Deleted before the first commit. */
#include "phys.h"
#include "vspace.h"
#include "rows.h"
#include "render/render.h"
#include "plugin.h"
#include "../symbols/symtab.h"
#define W __attribute__((weak))
#define U return scry_err(SCRY_ERR_UNSUPPORTED, "stub %s", __func__)
W const struct scry_format *const scry_formats[] = {NULL};
W const struct scry_format scry_format_elf, scry_format_lime, scry_format_kdump, scry_format_kdump_flat, scry_format_raw;
W scry_status scry_phys_open_file(struct scry_file *f, struct scry_phys **o) { U; }
W scry_status scry_phys_open(const char *p, struct scry_phys **o) { U; }
W void scry_phys_close(struct scry_phys *p) {}
W scry_status scry_phys_read_linear(const struct scry_phys *p, const uint64_t *fo, uint64_t pa, void *b, size_t l, size_t *h) { U; }
W size_t scry_phys_find_run(const struct scry_phys *p, uint64_t pa) { return (size_t)-1; }
W scry_status scry_phys_sort_runs(struct scry_run **r, uint64_t **fo, size_t *n) { U; }
W scry_status scry_translate_x86(struct scry_phys *p, uint64_t d, uint64_t v, uint64_t *pa, uint64_t *s) { U; }
W scry_status scry_translate_pae(struct scry_phys *p, uint64_t d, uint64_t v, uint64_t *pa, uint64_t *s) { U; }
W scry_status scry_translate_x86_64(struct scry_phys *p, uint64_t d, uint64_t v, uint64_t *pa, uint64_t *s) { U; }
W scry_status scry_translate_la57(struct scry_phys *p, uint64_t d, uint64_t v, uint64_t *pa, uint64_t *s) { U; }
W scry_status scry_vspace_init(struct scry_vspace *vs, struct scry_phys *p, enum scry_paging m, uint64_t d) { U; }
W scry_status scry_vspace_translate(struct scry_vspace *vs, uint64_t va, uint64_t *pa) { U; }
W scry_status scry_vspace_read(struct scry_vspace *vs, uint64_t va, void *b, size_t l) { U; }
W scry_status scry_vspace_read_pad(struct scry_vspace *vs, uint64_t va, void *b, size_t l, size_t *m) { U; }
W scry_status scry_vspace_read_u64(struct scry_vspace *vs, uint64_t va, uint64_t *v) { U; }
W scry_status scry_vspace_read_u32(struct scry_vspace *vs, uint64_t va, uint32_t *v) { U; }
W scry_status scry_isf_load(const char *p, struct scry_symtab **o) { U; }
W scry_status scry_isf_parse(const void *j, size_t l, struct scry_symtab **o) { U; }
W void scry_isf_free(struct scry_symtab *s) {}
W scry_status scry_sym_type_size(const struct scry_symtab *s, const char *t, uint64_t *z) { U; }
W scry_status scry_sym_field(const struct scry_symtab *s, const char *t, const char *f, uint64_t *o, const struct scry_typeref **r) { U; }
W scry_status scry_sym_address(const struct scry_symtab *s, const char *n, uint64_t *a) { U; }
W scry_status scry_sym_constant_data(const struct scry_symtab *s, const char *n, const uint8_t **d, size_t *l) { U; }
W scry_status scry_sym_enum_value(const struct scry_symtab *s, const char *e, const char *c, int64_t *v) { U; }
W scry_status scry_sym_base_type(const struct scry_symtab *s, const char *n, uint64_t *z, int *sg) { U; }
W size_t scry_sym_count_user_types(const struct scry_symtab *s) { return 0; }
W size_t scry_sym_count_symbols(const struct scry_symtab *s) { return 0; }
W const char *scry_sym_format_version(const struct scry_symtab *s) { return ""; }
W scry_status scry_result_new(const struct scry_column *c, size_t n, struct scry_result **o) { U; }
W scry_status scry_result_add(struct scry_result *r, int l, const struct scry_cell *c) { U; }
W const char *scry_result_strdup(struct scry_result *r, const char *p, size_t l) { return ""; }
W size_t scry_utf8_replace(const uint8_t *in, size_t l, char *o) { o[0] = 0; return 0; }
W int scry_utf8_valid(const uint8_t *in, size_t l) { return 0; }
W size_t scry_utf8_count(const char *s, size_t l) { return l; }
W const struct scry_renderer *const scry_renderers[] = {NULL};
W const struct scry_renderer *scry_renderer_find(const char *n) { return NULL; }
W void scry_result_free(scry_result *r) {}
