/* daemon.c - `sesame daemon ROLE`: run a daemon role in the foreground. */
#include "applets/applet.h"
#include "lib/core/util.h"

#include <stdio.h>

/*APPLET daemon daemon_main "run a daemon role in the foreground"
usage: sesame daemon ROLE [ARGS...]

Runs the daemon role ROLE in the foreground, exactly as the daemon-ROLE
symlink to sesame would.  `sesame --help` lists the roles.  Every role
stops cleanly on SIGTERM or SIGINT, and reloads its configuration on
SIGHUP (`sv reload`, `systemctl reload`) as it does when a file of it
changes; a configuration with errors is logged and the previous one
kept.  One instance of a role runs per bus: a second one finds ROLE.lock
in the runtime directory held, says which pid holds it, and exits 1.
*/
int daemon_main(int argc, char **argv)
{
	const struct applet *a;

	if (argc < 2) {
		fprintf(stderr, "sesame: daemon: which role?\nRoles:\n");
		applet_list_roles(stderr);
		return EXIT_USAGE;
	}
	if (!(a = applet_find_role(argv[1]))) {
		fprintf(stderr, "sesame: daemon: unknown role '%s'\nRoles:\n", argv[1]);
		applet_list_roles(stderr);
		return EXIT_USAGE;
	}
	return applet_run(a, argc - 1, argv + 1);
}
