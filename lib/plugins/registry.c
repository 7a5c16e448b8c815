/* registry.c - the plugin table. Adding a plugin: one file, one line here. */
#include <string.h>

#include "lib/plugins/plugin.h"

extern const struct scry_plugin scry_plugin_banners;
extern const struct scry_plugin scry_plugin_isfinfo;
extern const struct scry_plugin scry_plugin_linux_pslist;
extern const struct scry_plugin scry_plugin_linux_maps;
extern const struct scry_plugin scry_plugin_linux_elfs;
extern const struct scry_plugin scry_plugin_linux_malfind;
extern const struct scry_plugin scry_plugin_linux_pstree;
extern const struct scry_plugin scry_plugin_linux_psaux;
extern const struct scry_plugin scry_plugin_linux_envars;
extern const struct scry_plugin scry_plugin_linux_lsmod;
extern const struct scry_plugin scry_plugin_linux_netfilter;
extern const struct scry_plugin scry_plugin_linux_keyboard_notifiers;
extern const struct scry_plugin scry_plugin_linux_tty_check;
extern const struct scry_plugin scry_plugin_linux_check_syscall;
extern const struct scry_plugin scry_plugin_linux_check_idt;
extern const struct scry_plugin scry_plugin_linux_check_creds;
extern const struct scry_plugin scry_plugin_linux_check_afinfo;
extern const struct scry_plugin scry_plugin_linux_check_modules;
extern const struct scry_plugin scry_plugin_linux_lsof;
extern const struct scry_plugin scry_plugin_linux_mountinfo;
extern const struct scry_plugin scry_plugin_linux_sockstat;
extern const struct scry_plugin scry_plugin_linux_library_list;
extern const struct scry_plugin scry_plugin_linux_pagecache_files;
extern const struct scry_plugin scry_plugin_linux_pagecache_inodepages;
extern const struct scry_plugin scry_plugin_linux_psscan;
extern const struct scry_plugin scry_plugin_linux_pidhashtable;
extern const struct scry_plugin scry_plugin_linux_capabilities;
extern const struct scry_plugin scry_plugin_linux_ptrace;
extern const struct scry_plugin scry_plugin_linux_bash;
extern const struct scry_plugin scry_plugin_linux_kmsg;
extern const struct scry_plugin scry_plugin_linux_iomem;
extern const struct scry_plugin scry_plugin_linux_ebpf;
extern const struct scry_plugin scry_plugin_windows_pslist;
extern const struct scry_plugin scry_plugin_windows_info;
extern const struct scry_plugin scry_plugin_windows_modules;
extern const struct scry_plugin scry_plugin_windows_psscan;
extern const struct scry_plugin scry_plugin_windows_vadinfo;
extern const struct scry_plugin scry_plugin_windows_malfind;
extern const struct scry_plugin scry_plugin_windows_cmdline;
extern const struct scry_plugin scry_plugin_windows_envars;
extern const struct scry_plugin scry_plugin_windows_dlllist;
extern const struct scry_plugin scry_plugin_windows_pstree;
extern const struct scry_plugin scry_plugin_windows_vadyarascan;
extern const struct scry_plugin scry_plugin_yarascan;
extern const struct scry_plugin scry_plugin_linux_vmayarascan;
extern const struct scry_plugin scry_plugin_memscry_malscan;
extern const struct scry_plugin scry_plugin_memscry_proctree;

const struct scry_plugin *const scry_plugin_table[] = {
    &scry_plugin_banners,
    &scry_plugin_isfinfo,
    &scry_plugin_linux_bash,
    &scry_plugin_linux_capabilities,
    &scry_plugin_linux_check_afinfo,
    &scry_plugin_linux_check_creds,
    &scry_plugin_linux_check_idt,
    &scry_plugin_linux_check_modules,
    &scry_plugin_linux_check_syscall,
    &scry_plugin_linux_ebpf,
    &scry_plugin_linux_elfs,
    &scry_plugin_linux_envars,
    &scry_plugin_linux_iomem,
    &scry_plugin_linux_keyboard_notifiers,
    &scry_plugin_linux_kmsg,
    &scry_plugin_linux_library_list,
    &scry_plugin_linux_lsmod,
    &scry_plugin_linux_lsof,
    &scry_plugin_linux_malfind,
    &scry_plugin_linux_mountinfo,
    &scry_plugin_linux_netfilter,
    &scry_plugin_linux_pagecache_files,
    &scry_plugin_linux_pagecache_inodepages,
    &scry_plugin_linux_pidhashtable,
    &scry_plugin_linux_maps,
    &scry_plugin_linux_psaux,
    &scry_plugin_linux_pslist,
    &scry_plugin_linux_psscan,
    &scry_plugin_linux_pstree,
    &scry_plugin_linux_ptrace,
    &scry_plugin_linux_sockstat,
    &scry_plugin_linux_tty_check,
    &scry_plugin_linux_vmayarascan,
    &scry_plugin_memscry_malscan,
    &scry_plugin_memscry_proctree,
    &scry_plugin_windows_cmdline,
    &scry_plugin_windows_dlllist,
    &scry_plugin_windows_envars,
    &scry_plugin_windows_info,
    &scry_plugin_windows_malfind,
    &scry_plugin_windows_modules,
    &scry_plugin_windows_pslist,
    &scry_plugin_windows_psscan,
    &scry_plugin_windows_pstree,
    &scry_plugin_windows_vadinfo,
    &scry_plugin_windows_vadyarascan,
    &scry_plugin_yarascan,
    NULL,
};

const struct scry_plugin *scry_plugin_find(const char *name)
{
    for (size_t i = 0; scry_plugin_table[i]; i++) {
        const struct scry_plugin *p = scry_plugin_table[i];
        if (strcmp(p->name, name) == 0 || (p->alias && strcmp(p->alias, name) == 0))
            return p;
    }
    return NULL;
}

size_t scry_plugin_count(void)
{
    size_t n = 0;
    while (scry_plugin_table[n])
        n++;
    return n;
}

static const struct scry_plugin *nth(size_t i)
{
    return i < scry_plugin_count() ? scry_plugin_table[i] : NULL;
}

const char *scry_plugin_name(size_t i) { return nth(i) ? nth(i)->name : NULL; }
const char *scry_plugin_alias(size_t i) { return nth(i) ? nth(i)->alias : NULL; }
const char *scry_plugin_description(size_t i) { return nth(i) ? nth(i)->description : NULL; }
int scry_plugin_needs_dump(size_t i) { return nth(i) ? !nth(i)->no_dump : 0; }
const char *scry_plugin_os(size_t i)
{
    return nth(i) ? (nth(i)->os ? nth(i)->os : "") : NULL;
}
size_t scry_plugin_option_count(size_t i) { return nth(i) ? nth(i)->noptions : 0; }

scry_status scry_plugin_option(size_t i, size_t opt, const char **name, const char **help,
                               int *kind)
{
    const struct scry_plugin *p = nth(i);
    if (!p || opt >= p->noptions)
        return scry_err(SCRY_ERR_INVALID_ARG, "no option %zu of plugin %zu", opt, i);
    if (name)
        *name = p->options[opt].name;
    if (help)
        *help = p->options[opt].help;
    if (kind)
        *kind = (int)p->options[opt].type;
    return SCRY_OK;
}
