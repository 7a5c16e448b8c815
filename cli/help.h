/* help.h - the plugin list of `memscry --help` and `memscry PLUGIN --help`,
 * laid out as Volatility 3's argparse help is (80 columns, descriptions and
 * option help wrapped and aligned). */
#ifndef MEMSCRY_CLI_HELP_H
#define MEMSCRY_CLI_HELP_H

#include <stddef.h>
#include <stdio.h>

/* The "Plugins:" section: every plugin, its description (and alias)
 * wrapped beside or under its name. */
void help_plugins(FILE *f);

/* One plugin's help: a usage line naming every option with its metavar,
 * the description, then "options:" with -h and each option's help. */
void help_plugin(FILE *f, size_t plugin);

#endif
