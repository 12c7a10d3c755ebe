/* role.c - buspeer as a role: role, fill-role (main.c lists the modes). */
#include "buspeer.h"
#include "lib/bus/bus.h"
#include "lib/bus/noise.h"
#include "lib/bus/wire.h"
#include "lib/core/paths.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/store/vault.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A role's first message (wire.h): what confines it. */
void announce(struct bus_client *c)
{
	wire_begin(&TT.out, WIRE_ROLE_INFO, 0, 0);
	wire_put_str(&TT.out, WF_SANDBOX, "buspeer");
	if (wire_end(&TT.out) < 0 || bus_send(c, &TT.out) < 0)
		die("%s", last_error());
}

int cmd_role(const char *role, const char *mode)
{
	char key[PATH_MAX];
	struct bus_client *c;
	int silent = mode && !strcmp(mode, "silent"), noread = mode && !strcmp(mode, "noread");
	int delay = mode && !silent && !noread ? atoi(mode) : 0;

	if (snprintf(key, sizeof(key), "%s/keys/%s.key", TT.p.runtime, role) >= (int)sizeof(key))
		die("key path too long");
	c = bus_connect_retry(&TT.p, key, 10000);
	if (!c)
		die_code(last_exit(), "%s", last_error());
	if (mode && !strcmp(mode, "split")) {
		pid_t child = fork();

		if (child < 0)
			die("fork: %s", strerror(errno));
		if (child > 0) {
			printf("split child=%d\n", (int)child);
			fflush(stdout);
			for (;;)
				pause();	/* alive, holding the connection, silent */
		}
		/* The child has the descriptor but not the keys (secure memory
		 * is not inherited); an attacker's would have them.  The hub
		 * must refuse its bytes before it decrypts anything. */
		if (write(bus_fd(c), "\0\0\0\x20 the child speaks for the role", 35) < 0)
			die("split: %s", strerror(errno));
		pause();
	}
	announce(c);
	printf("connected\n");
	fflush(stdout);
	while (noread)
		pause();
	for (;;) {
		struct wire_msg m;
		char k[256], value[300];

		if (bus_recv(c, TT.buf, &m, 3600 * 1000) < 0)
			die("%s", last_error());
		if (wire_get_str(&m, WF_PASSWORD, value, sizeof(value)) == 0) {
			printf("password=%s\n", value);	/* what an impostor would steal */
			fflush(stdout);
		}
		if (m.type == WIRE_VAULT_AUTH && !silent) {	/* so that unlock sends its password */
			wire_begin(&TT.out, m.type, WIRE_F_REPLY, m.id);
			wire_put_str(&TT.out, WF_POLICY, "any");
			wire_put_str(&TT.out, WF_FACTOR, "password");
			if (bus_send(c, &TT.out) < 0)
				die("%s", last_error());
			continue;
		}
		if (m.type != WIRE_SECRET_GET || silent)
			continue;
		if (delay)
			usleep(delay * 1000);
		if (wire_get_str(&m, WF_KEY, k, sizeof(k)) < 0)
			strcpy(k, "?");
		snprintf(value, sizeof(value), "value-of-%s", k);
		if (m.flags & WIRE_F_LAST)
			snprintf(value, sizeof(value), "flag-passed-on");
		wire_begin(&TT.out, m.type, WIRE_F_REPLY, m.id);
		wire_put_str(&TT.out, WF_VALUE, value);
		if (bus_send(c, &TT.out) < 0)
			die("%s", last_error());
	}
}

int cmd_fill_role(const char *profile, long n)
{
	static char key[3000];
	long i;

	memset(key, 'k', sizeof(key) - 1);
	for (i = 1; i <= n; i++) {
		struct bus_client *c = connect_or_die(NULL);
		struct wire_msg m;
		int r;

		wire_begin(&TT.out, WIRE_SECRET_GET, 0, 0);
		wire_put_str(&TT.out, WF_PROFILE, profile);
		wire_put_str(&TT.out, WF_KEY, key);
		r = bus_request(c, &TT.out, TT.buf, &m, 50);
		if (r == 0)
			die("request %ld was answered", i);
		if (last_code() != ERR_TIMEOUT) {
			printf("requests=%ld exit=%d error=%s\n", i, last_exit(), last_error());
			bus_close(c);
			return 0;
		}
		bus_close(c);
	}
	printf("requests=%ld exit=0 error=none\n", n);
	return 1;
}
