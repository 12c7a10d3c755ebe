/* applet.h - the applet table that sesame.c dispatches through.
 *
 * The table is generated (applets/mktable.awk) from the help blocks that
 * sit next to each applet's code; nothing else lists applets.
 */
#ifndef SESAME_APPLET_H
#define SESAME_APPLET_H

#include <stdio.h>

enum { APPLET_ROLE = 1 }; /* a daemon role: `sesame daemon X`, `daemon-X` */

struct applet {
	const char *name;
	int (*main)(int argc, char **argv); /* NULL: not in this build (nodesktop.c) */
	unsigned flags;
	const char *summary, *usage, *help;
};

/* The applet called name, or NULL. */
const struct applet *applet_find(const char *name);
/* The role called name ("secrets" or "daemon-secrets"), or NULL. */
const struct applet *applet_find_role(const char *name);
/* Print every role's short name and summary (for usage errors). */
void applet_list_roles(FILE *f);
/* Handle --help, refuse applets without code, else run its main. */
int applet_run(const struct applet *a, int argc, char **argv);
void applet_print_help(const struct applet *a, FILE *f);

#include "mains.h" /* generated: every applet's main */
#include "options.h" /* generated: the getopt tables, from the help blocks */

#endif
