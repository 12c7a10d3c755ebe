/* activation.c - facts and rules for context activation (activation.h). */
#include "applets/profile/activation.h"
#include "lib/core/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

enum { PROBE_IWGETID = WIFI_IWGETID, PROBE_NMCLI = WIFI_NMCLI, PROBE_WPA = WIFI_WPA };

static int read_hex4(int dirfd, const char *dev, const char *name, unsigned *out)
{
	char path[300], buf[16];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dev, name);
	if ((fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 4)
		return -1;
	buf[n] = 0;
	if (buf[4] != '\n' && buf[4] != 0)
		return -1;
	buf[4] = 0;
	if (strspn(buf, "0123456789abcdefABCDEF") != 4)
		return -1;
	*out = (unsigned)strtoul(buf, NULL, 16);
	return 0;
}

int activation_usb_scan(const char *dir, uint32_t *ids, size_t max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return fail("%s: %s", dir, strerror(errno));
	while ((e = readdir(d)) && n < max) {
		unsigned v, p;

		/* Interfaces ("1-1:1.0") have no ids; devices and root hubs do. */
		if (e->d_name[0] == '.' || strlen(e->d_name) > 255)
			continue;
		if (read_hex4(dirfd(d), e->d_name, "idVendor", &v) == 0 &&
		    read_hex4(dirfd(d), e->d_name, "idProduct", &p) == 0)
			ids[n++] = v << 16 | p;
	}
	closedir(d);
	return (int)n;
}

int activation_time_match(const struct time_rule *r, const struct tm *tm)
{
	int minute = tm->tm_hour * 60 + tm->tm_min;
	int today = r->days & (1 << tm->tm_wday);
	int yesterday = r->days & (1 << ((tm->tm_wday + 6) % 7));

	if (r->from < r->to)
		return today && minute >= r->from && minute < r->to;
	/* Wraps past midnight: the evening of a listed day, or the early
	 * hours after one. */
	return (today && minute >= r->from) || (yesterday && minute < r->to);
}

static int has_rules(const struct config *c, const char *profile, const char *kind)
{
	char path[128];

	snprintf(path, sizeof(path), "profiles.%s.activation.%s", profile, kind);
	return config_strv(c, path, 0) != NULL;
}

int activation_uses(const struct config *c, const char *kind)
{
	const char *names[256];
	size_t n = config_profiles(c, names, ARRAY_LEN(names));

	for (size_t i = 0; i < n && i < ARRAY_LEN(names); i++)
		if (has_rules(c, names[i], kind))
			return 1;
	return 0;
}

int activation_match(const struct config *c, const char *profile, const struct activation_facts *f,
	char *why, size_t n)
{
	char path[128];
	const char *s;
	struct tm tm;
	size_t i, j;

	snprintf(path, sizeof(path), "profiles.%s.activation.usb_devices", profile);
	for (i = 0; (s = config_strv(c, path, i)); i++) {
		uint32_t id;
		if (config_usb_id(s, &id) < 0)
			continue;
		for (j = 0; j < f->nusb; j++)
			if (f->usb[j] == id) {
				snprintf(why, n, "usb %04x:%04x", id >> 16, id & 0xffff);
				return 1;
			}
	}
	snprintf(path, sizeof(path), "profiles.%s.activation.wifi_ssids", profile);
	for (i = 0; f->ssid[0] && (s = config_strv(c, path, i)); i++)
		if (!strcmp(s, f->ssid)) {
			snprintf(why, n, "wifi %.32s", s);
			return 1;
		}
	snprintf(path, sizeof(path), "profiles.%s.activation.time_rules", profile);
	localtime_r(&f->now, &tm);
	for (i = 0; (s = config_strv(c, path, i)); i++) {
		struct time_rule r;
		if (config_time_rule(s, &r) == 0 && activation_time_match(&r, &tm)) {
			snprintf(why, n, "time %.64s", s);
			return 1;
		}
	}
	return 0;
}

/* ---- WiFi ----------------------------------------------------------- */

static int in_path(const char *prog)
{
	char buf[4096];

	return activation_which(prog, buf, sizeof(buf));
}

int activation_which(const char *prog, char *buf, size_t n)
{
	const char *path = getenv("PATH");

	if (!path)
		path = "/usr/bin:/bin:/usr/sbin:/sbin";
	for (const char *p = path; *p;) {
		const char *e = strchr(p, ':');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l && l + strlen(prog) + 2 < n) {
			snprintf(buf, n, "%.*s/%s", (int)l, p, prog);
			if (access(buf, X_OK) == 0)
				return 1;
		}
		p += l + (e != NULL);
	}
	return 0;
}

/* The first interface socket in wpa_supplicant's control directory. */
static int wpa_socket(const char *dir, char *out, size_t n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	int found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.' || !strncmp(e->d_name, "p2p-", 4))
			continue;
		if ((size_t)snprintf(out, n, "%s/%s", dir, e->d_name) < n && stat(out, &st) == 0 &&
		    S_ISSOCK(st.st_mode))
			found = 1;
	}
	closedir(d);
	return found;
}

static int spawn_reader(struct wifi_probe *p, char *const argv[])
{
	posix_spawn_file_actions_t fa;
	int pfd[2], r;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return fail("pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	r = posix_spawnp(&p->pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (r) {
		close(pfd[0]);
		p->pid = 0;
		return fail("%s: %s", argv[0], strerror(r));
	}
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	p->fd = pfd[0];
	return 0;
}

int wifi_probe_start(struct wifi_probe *p, const char *source, const char *wpa_dir, long long now_ms)
{
	char sock[256];

	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->deadline_ms = now_ms + 2000;
	if (!strcmp(source, "auto"))
		source = wpa_socket(wpa_dir, sock, sizeof(sock)) ? "wpa_supplicant" :
			in_path("nmcli") ? "networkmanager" : in_path("iwgetid") ? "iwgetid" : NULL;
	if (!source)
		return fail("no WiFi source found (wpa_supplicant socket, nmcli or iwgetid)");
	if (!strcmp(source, "iwgetid")) {
		static char *const argv[] = { "iwgetid", "-r", NULL };
		p->kind = PROBE_IWGETID;
		return spawn_reader(p, argv);
	}
	if (!strcmp(source, "networkmanager")) {
		static char *const argv[] = { "nmcli", "-t", "-f", "ACTIVE,SSID", "dev", "wifi", NULL };
		p->kind = PROBE_NMCLI;
		return spawn_reader(p, argv);
	}
	if (!strcmp(source, "wpa_supplicant")) {
		struct sockaddr_un to = { .sun_family = AF_UNIX }, me = { .sun_family = AF_UNIX };
		int fd;

		if (!wpa_socket(wpa_dir, sock, sizeof(sock)))
			return fail("no wpa_supplicant control socket in %s", wpa_dir);
		if (strlen(sock) >= sizeof(to.sun_path))
			return fail("%s: path too long", sock);
		memcpy(to.sun_path, sock, strlen(sock) + 1);
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		/* An autobound (abstract) address, so the daemon can answer. */
		if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof(sa_family_t)) < 0 ||
		    sendto(fd, "STATUS", 6, 0, (struct sockaddr *)&to, sizeof(to)) != 6) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			return fail("%s: %s", sock, strerror(e));
		}
		p->kind = PROBE_WPA;
		p->fd = fd;
		return 0;
	}
	return fail("unknown WiFi source '%s'", source);
}

void wifi_parse(int kind, const char *answer, size_t len, char ssid[33])
{
	char buf[1025], *line, *save = NULL;
	int completed = 0;

	if (len > sizeof(buf) - 1)
		len = sizeof(buf) - 1;
	memcpy(buf, answer, len);
	buf[len] = 0;
	ssid[0] = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (kind == WIFI_IWGETID) {
			snprintf(ssid, 33, "%s", line);
			return;
		}
		if (kind == WIFI_NMCLI && !strncmp(line, "yes:", 4)) {
			size_t o = 0;
			/* nmcli -t escapes ':' and '\' with a backslash. */
			for (const char *s = line + 4; *s && o < 32; s++) {
				if (*s == '\\' && s[1])
					s++;
				ssid[o++] = *s;
			}
			ssid[o] = 0;
			return;
		}
		if (kind == WIFI_WPA) {
			if (!strncmp(line, "ssid=", 5))
				snprintf(ssid, 33, "%s", line + 5);
			if (!strcmp(line, "wpa_state=COMPLETED"))
				completed = 1;
		}
	}
	if (kind == WIFI_WPA && !completed)
		ssid[0] = 0;
}

int wifi_probe_read(struct wifi_probe *p, char ssid[33])
{
	ssize_t n;

	if (p->kind == PROBE_WPA) {
		n = recv(p->fd, p->buf, sizeof(p->buf), 0);
		if (n < 0)
			return errno == EAGAIN ? 0 : fail("wpa_supplicant: %s", strerror(errno));
		p->len = (size_t)n;
		wifi_parse(p->kind, p->buf, p->len, ssid);
		wifi_probe_stop(p);
		return 1;
	}
	while ((n = read(p->fd, p->buf + p->len, sizeof(p->buf) - p->len)) > 0)
		p->len += (size_t)n;
	if (n < 0 && errno == EAGAIN && p->len < sizeof(p->buf))
		return 0;
	/* EOF (or a full buffer, which is all we look at). */
	wifi_parse(p->kind, p->buf, p->len, ssid);
	wifi_probe_stop(p);
	return 1;
}

void wifi_probe_stop(struct wifi_probe *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
	}
	p->pid = 0;
}
