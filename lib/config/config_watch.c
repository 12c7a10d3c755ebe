/* config_watch.c - noticing that a layer changed (inotify), so a role
 * reloads (config.h). */
#include "lib/config/config_int.h"
#include "lib/core/log.h"
#include "lib/core/util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

int config_watch(const struct paths *p)
{
	char dir[PATH_MAX];
	const char *slash;
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE;

	if (fd < 0)
		return fail("inotify: %s", strerror(errno));
	/* A first start: make the directory, so a config written later is seen.
	 * In system mode it is /etc/pds, where the administrator's policy
	 * lives too, which every user's sesame must read: 0755, not private
	 * (a root daemon that made it 0700 locked every user out). */
	if (access(p->config, F_OK) < 0 && errno == ENOENT &&
	    (p->system ? (mkdir(p->config, 0755) < 0 || chmod(p->config, 0755) < 0) &&	/* whatever the umask */
		fail("cannot make %s: %s", p->config, strerror(errno)) : paths_mkdir_private(p->config) < 0))
		log_warn("config: %s", last_error());
	if (inotify_add_watch(fd, p->config, mask) < 0)
		log_warn("config: cannot watch %s: %s", p->config, strerror(errno));
	if (paths_join(dir, p->config, "config.d") == 0 && inotify_add_watch(fd, dir, mask) < 0 &&
	    errno != ENOENT)
		log_warn("config: cannot watch %s: %s", dir, strerror(errno));
	for (int i = 0; i < 2; i++) {
		const char *pol = i ? p->extra_policy : p->policy;

		if (pol && (slash = strrchr(pol, '/')) && slash != pol) {
			snprintf(dir, sizeof(dir), "%.*s", (int)(slash - pol), pol);
			inotify_add_watch(fd, dir, mask);	/* /etc/pds may not exist: fine */
		}
	}
	return fd;
}

int config_watch_changed(int fd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int changed = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			size_t l = ev->len ? strlen(ev->name) : 0;

			/* config.d appearing, or any .toml file changing. */
			if ((l > 5 && !strcmp(ev->name + l - 5, ".toml")) || (l && !strcmp(ev->name, "config.d")))
				changed = 1;
			p += sizeof(*ev) + ev->len;
		}
	}
	return changed;
}

int config_reload(const struct paths *p, struct config **conf, int *watch)
{
	struct config *c = config_load(p, NULL, NULL);

	if (*watch >= 0)
		close(*watch);
	if ((*watch = config_watch(p)) < 0)
		log_error("config: %s; changes will not be picked up", last_error());
	if (!c) {
		log_error("config: the new configuration has errors; keeping the previous one");
		return 0;
	}
	config_free(*conf);
	*conf = c;
	return 1;
}
