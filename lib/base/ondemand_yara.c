/* ondemand_yara.c - libyara's wrappers (see ondemand_yara.h). Without the library every call
 * fails with ERROR_INTERNAL_FATAL_ERROR; scry_yara_init checks it first,
 * so that the error names the cause. */
#define SCRY_ONDEMAND_IMPL
#include "lib/base/ondemand_yara.h"

struct scry_ondemand scry_od_yara = SCRY_ONDEMAND_INIT(SCRY_SONAME_YARA);

enum { NO_LIB = ERROR_INTERNAL_FATAL_ERROR };

int scry_od_yr_initialize(void)
{
    SCRY_ONDEMAND_FN(scry_od_yara, yr_initialize, f);
    return f ? f() : NO_LIB;
}

int scry_od_yr_compiler_create(YR_COMPILER **compiler)
{
    SCRY_ONDEMAND_FN(scry_od_yara, yr_compiler_create, f);
    return f ? f(compiler) : NO_LIB;
}

void scry_od_yr_compiler_destroy(YR_COMPILER *compiler)
{
    SCRY_ONDEMAND_FN(scry_od_yara, yr_compiler_destroy, f);
    if (f)
        f(compiler);
}

void scry_od_yr_compiler_set_callback(YR_COMPILER *compiler, YR_COMPILER_CALLBACK_FUNC callback,
                                      void *user_data)
{
    SCRY_ONDEMAND_FN(scry_od_yara, yr_compiler_set_callback, f);
    if (f)
        f(compiler, callback, user_data);
}

int scry_od_yr_compiler_add_file(YR_COMPILER *compiler, FILE *rules_file, const char *namespace_,
                                 const char *file_name)
{
    SCRY_ONDEMAND_FN(scry_od_yara, yr_compiler_add_file, f);
    return f ? f(compiler, rules_file, namespace_, file_name) : 1;
}

int scry_od_yr_compiler_add_string(YR_COMPILER *compiler, const char *rules_string,
                                   const char *namespace_)
{
    SCRY_ONDEMAND_FN(scry_od_yara, yr_compiler_add_string, f);
    return f ? f(compiler, rules_string, namespace_) : 1;
}

int scry_od_yr_compiler_get_rules(YR_COMPILER *compiler, YR_RULES **rules)
{
    SCRY_ONDEMAND_FN(scry_od_yara, yr_compiler_get_rules, f);
    return f ? f(compiler, rules) : NO_LIB;
}

int scry_od_yr_rules_load(const char *filename, YR_RULES **rules)
{
    SCRY_ONDEMAND_FN(scry_od_yara, yr_rules_load, f);
    return f ? f(filename, rules) : NO_LIB;
}

int scry_od_yr_rules_destroy(YR_RULES *rules)
{
    SCRY_ONDEMAND_FN(scry_od_yara, yr_rules_destroy, f);
    return f ? f(rules) : NO_LIB;
}

int scry_od_yr_rules_scan_mem(YR_RULES *rules, const uint8_t *buffer, size_t buffer_size,
                              int flags, YR_CALLBACK_FUNC callback, void *user_data, int timeout)
{
    SCRY_ONDEMAND_FN(scry_od_yara, yr_rules_scan_mem, f);
    return f ? f(rules, buffer, buffer_size, flags, callback, user_data, timeout) : NO_LIB;
}

int scry_od_yr_rules_scan_mem_blocks(YR_RULES *rules, YR_MEMORY_BLOCK_ITERATOR *iterator, int flags,
                                     YR_CALLBACK_FUNC callback, void *user_data, int timeout)
{
    SCRY_ONDEMAND_FN(scry_od_yara, yr_rules_scan_mem_blocks, f);
    return f ? f(rules, iterator, flags, callback, user_data, timeout) : NO_LIB;
}
