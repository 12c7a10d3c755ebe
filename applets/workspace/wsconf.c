/* wsconf.c - workspaces.toml and workspaces.d (wsconf.h). */
#include "applets/workspace/wsconf.h"
#include "lib/config/toml.h"
#include "lib/core/paths.h"
#include "lib/core/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILE (1u << 20)
#define MAX_LINKS 4096

static int bad(const char *file, const struct toml_value *v, int line, int col, const char *path, const char *fmt, ...)
	PRINTF(6, 7);
static int bad(const char *file, const struct toml_value *v, int line, int col, const char *path, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return fail("%s:%d:%d: %s: %s", file, v ? v->line : line, v ? v->col : col, path, why);
}

static const char *string(const char *file, const struct toml_kv *kv, const char *path, size_t max)
{
	const char *s = toml_cstr(kv->val);

	if (!s) {
		bad(file, kv->val, 0, 0, path, "expected a string, found %s", kv->val->type == TOML_STRING ?
			"one holding NUL" : toml_type_name(kv->val->type));
		return NULL;
	}
	if (strlen(s) >= max) {
		bad(file, kv->val, 0, 0, path, "too long (%zu bytes at most)", max - 1);
		return NULL;
	}
	return s;
}

static int load_settings(struct ws_conf *c, const char *file, const struct toml_value *t)
{
	for (size_t i = 0; i < t->tab.n; i++) {
		const struct toml_kv *kv = &t->tab.kv[i];
		char path[96];
		const char *s;

		snprintf(path, sizeof(path), "settings.%.64s", kv->key);
		if (strcmp(kv->key, "root") && strcmp(kv->key, "user") && strcmp(kv->key, "workspace_auto"))
			return bad(file, NULL, kv->line, kv->col, path, "unknown key (root, user, workspace_auto)");
		if (!(s = string(file, kv, path, PATH_MAX)))
			return -1;
		if (!strcmp(kv->key, "root")) {
			if (s[0] != '/')
				return bad(file, kv->val, 0, 0, path, "'%.200s' is not an absolute path", s);
			snprintf(c->root, sizeof(c->root), "%s", s);
			c->root_from = "settings.root";
		} else if (!strcmp(kv->key, "user")) {
			if (!ws_component_valid(s, strlen(s)))
				return bad(file, kv->val, 0, 0, path, "'%.64s' cannot be a directory name", s);
			snprintf(c->user, sizeof(c->user), "%s", s);
		} else {
			if (strcmp(s, "auto") && strcmp(s, "always") && strcmp(s, "never") && strcmp(s, "prompt"))
				return bad(file, kv->val, 0, 0, path, "'%.32s': auto, always, never or prompt", s);
			snprintf(c->auto_mode, sizeof(c->auto_mode), "%s", s);
		}
	}
	return 0;
}

static int load_forge(struct ws_conf *c, const char *file, const struct toml_value *t)
{
	for (size_t i = 0; i < t->tab.n; i++) {
		const struct toml_kv *kv = &t->tab.kv[i];
		char path[96];
		const char *s;

		snprintf(path, sizeof(path), "forge.%.64s", kv->key);
		if (strcmp(kv->key, "api_url") && strcmp(kv->key, "token_secret"))
			return bad(file, NULL, kv->line, kv->col, path, "unknown key (api_url, token_secret)");
		if (!strcmp(kv->key, "api_url")) {
			if (!(s = string(file, kv, path, sizeof(c->api_url))))
				return -1;
			if (strncmp(s, "https://", 8) && strncmp(s, "http://", 7))
				return bad(file, kv->val, 0, 0, path, "'%.200s' is not an http(s) URL", s);
			snprintf(c->api_url, sizeof(c->api_url), "%s", s);
		} else {
			if (!(s = string(file, kv, path, sizeof(c->token_secret))))
				return -1;
			if (!secret_name_valid(s))
				return bad(file, kv->val, 0, 0, path, "'%.64s' is not a secret's name", s);
			snprintf(c->token_secret, sizeof(c->token_secret), "%s", s);
		}
	}
	return 0;
}

static int load_links(struct ws_conf *c, const char *file, const struct toml_value *t)
{
	for (size_t i = 0; i < t->tab.n; i++) {
		const struct toml_kv *kv = &t->tab.kv[i];
		struct ws_link *l = NULL;
		char key[PATH_MAX];
		const char *s;

		if (memchr(kv->key, 0, kv->len) || kv->len >= PATH_MAX || kv->key[0] != '/')
			return bad(file, NULL, kv->line, kv->col, "links", "'%.200s' is not an absolute path", kv->key);
		if (!(s = string(file, kv, "links", PROFILE_BUF)))
			return -1;
		if (!profile_name_valid(s))
			return bad(file, kv->val, 0, 0, "links", "'%.64s' is not a profile's name", s);
		if (ws_canonical(kv->key, key, sizeof(key)) < 0)
			return bad(file, NULL, kv->line, kv->col, "links", "%s", last_error());
		for (int k = 0; k < c->nlinks; k++)
			if (!strcmp(c->links[k].path, key))
				l = &c->links[k];	/* a later file's wins */
		if (!l) {
			if (c->nlinks == MAX_LINKS)
				return bad(file, NULL, kv->line, kv->col, "links", "more than %d links", MAX_LINKS);
			c->links = xreallocarray(c->links, (size_t)c->nlinks + 1, sizeof(*c->links));
			l = &c->links[c->nlinks++];
		}
		snprintf(l->path, sizeof(l->path), "%s", key);
		snprintf(l->profile, sizeof(l->profile), "%s", s);
		snprintf(l->where, sizeof(l->where), "%.*s:%d", PATH_MAX - 1, file, kv->line);
	}
	return 0;
}

int ws_conf_parse(struct ws_conf *c, const char *text, size_t len, const char *file)
{
	struct toml_value *root = toml_parse(text, len, file);
	int r = 0;

	if (!root)
		return -1;
	for (size_t i = 0; i < root->tab.n && !r; i++) {
		const struct toml_kv *kv = &root->tab.kv[i];

		if (kv->val->type != TOML_TABLE && (!strcmp(kv->key, "settings") || !strcmp(kv->key, "forge") ||
		    !strcmp(kv->key, "links")))
			r = bad(file, kv->val, 0, 0, kv->key, "expected a table");
		else if (!strcmp(kv->key, "settings"))
			r = load_settings(c, file, kv->val);
		else if (!strcmp(kv->key, "forge"))
			r = load_forge(c, file, kv->val);
		else if (!strcmp(kv->key, "links"))
			r = load_links(c, file, kv->val);
		else
			r = bad(file, NULL, kv->line, kv->col, kv->key, "unknown key (settings, forge, links)");
	}
	toml_free(root);
	return r;
}

static int load_file(struct ws_conf *c, const char *file)
{
	size_t len;
	char *text = read_file(file, MAX_FILE, &len);
	int r;

	if (!text)
		return errno == ENOENT ? 0 : fail("%s: %s", file, last_error());
	r = ws_conf_parse(c, text, len, file);
	free(text);
	return r;
}

static int toml_name(const struct dirent *e)
{
	size_t l = strlen(e->d_name);

	return e->d_name[0] != '.' && l > 5 && !strcmp(e->d_name + l - 5, ".toml");
}

void ws_conf_defaults(struct ws_conf *c)
{
	const char *user = getenv("USER");

	memset(c, 0, sizeof(*c));
	snprintf(c->root, sizeof(c->root), "/workspace");
	c->root_from = "default";
	snprintf(c->user, sizeof(c->user), "%s", user && ws_component_valid(user, strlen(user)) ? user : "user");
	snprintf(c->auto_mode, sizeof(c->auto_mode), "auto");
}

int ws_conf_load(struct ws_conf *c, const char *config_dir)
{
	const char *env_root = getenv("SESAME_WORKSPACE_ROOT");
	char dir[PATH_MAX + 16];
	struct dirent **names = NULL;
	int n, r = 0;

	ws_conf_defaults(c);
	if ((size_t)snprintf(c->file, sizeof(c->file), "%s/workspaces.toml", config_dir) >= sizeof(c->file))
		return fail("%s: the configuration directory's path is too long", config_dir);
	if (load_file(c, c->file) < 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s/workspaces.d", config_dir);
	if ((n = scandir(dir, &names, toml_name, alphasort)) > 0) {
		for (int i = 0; i < n; i++) {
			char f[sizeof(dir) + 256];

			snprintf(f, sizeof(f), "%s/%s", dir, names[i]->d_name);
			if (!r && load_file(c, f) < 0)
				r = -1;
			free(names[i]);
		}
		free(names);
	}
	if (r < 0)
		return -1;
	if (env_root && *env_root) {
		if (env_root[0] != '/')
			return fail("SESAME_WORKSPACE_ROOT='%.200s' is not an absolute path", env_root);
		snprintf(c->root, sizeof(c->root), "%s", env_root);
		c->root_from = "SESAME_WORKSPACE_ROOT";
	}
	return 0;
}

void ws_conf_free(struct ws_conf *c)
{
	free(c->links);
	c->links = NULL;
	c->nlinks = 0;
}

const struct ws_link *ws_conf_link_for(const struct ws_conf *c, const char *path)
{
	const struct ws_link *best = NULL;

	for (int i = 0; i < c->nlinks; i++) {
		size_t l = strlen(c->links[i].path);

		if (!strncmp(path, c->links[i].path, l) && (path[l] == '/' || !path[l] || l == 1) &&
		    (!best || l > strlen(best->path)))
			best = &c->links[i];
	}
	return best;
}

int ws_canonical(const char *path, char *out, size_t n)
{
	char buf[PATH_MAX * 2], *parts[PATH_MAX / 2], *save = NULL, *p;
	size_t np = 0, o = 0;

	if (!*path)
		return fail("an empty path");
	if (realpath(path, buf)) {
		if (strlen(buf) >= n)
			return fail("%.200s: the path is too long", path);
		memcpy(out, buf, strlen(buf) + 1);
		return 0;
	}
	if (path[0] == '/') {
		if (strlen(path) >= sizeof(buf))
			return fail("%.200s: the path is too long", path);
		snprintf(buf, sizeof(buf), "%s", path);
	} else {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)))
			return fail("the current directory: %s", strerror(errno));
		if ((size_t)snprintf(buf, sizeof(buf), "%s/%s", cwd, path) >= sizeof(buf))
			return fail("%.200s: the path is too long", path);
	}
	for (p = strtok_r(buf, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (!strcmp(p, "."))
			continue;
		if (!strcmp(p, "..")) {
			if (np)
				np--;
			continue;
		}
		if (np == ARRAY_LEN(parts))
			return fail("%.200s: too many parts", path);
		parts[np++] = p;
	}
	if (!np) {
		if (n < 2)
			return fail("no room");
		strcpy(out, "/");
		return 0;
	}
	for (size_t i = 0; i < np; i++) {
		size_t l = strlen(parts[i]);

		if (o + 1 + l + 1 > n)
			return fail("%.200s: the path is too long", path);
		out[o++] = '/';
		memcpy(out + o, parts[i], l);
		o += l;
	}
	out[o] = 0;
	return 0;
}

/* --- editing workspaces.toml --------------------------------------------------- */

/* s as a TOML basic string. */
static void quoted(char *out, size_t n, const char *s)
{
	size_t o = 0;

	out[o++] = '"';
	for (; *s && o + 8 < n; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			o += (size_t)snprintf(out + o, n - o, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			o += (size_t)snprintf(out + o, n - o, "\\u%04x", ch);
		else
			out[o++] = (char)ch;
	}
	out[o++] = '"';
	out[o] = 0;
}

/* The text with line (1-based) replaced by repl (NULL: removed), or with
 * repl inserted after line (insert: 1; line 0: at the start). */
static char *edit_line(const char *text, int line, const char *repl, int insert)
{
	size_t tl = strlen(text), rl = repl ? strlen(repl) : 0;
	char *out = xmalloc(tl + rl + 4);
	const char *p = text;
	size_t o = 0;
	int at = 1;

	if (insert && line == 0) {
		memcpy(out, repl, rl);
		out[rl] = '\n';
		o = rl + 1;
	}
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) + 1 : strlen(p);

		if (at == line && !insert) {
			if (repl) {
				memcpy(out + o, repl, rl);
				o += rl;
				out[o++] = '\n';
			}
		} else {
			memcpy(out + o, p, l);
			o += l;
			if (at == line && insert) {
				if (!nl)
					out[o++] = '\n';
				memcpy(out + o, repl, rl);
				o += rl;
				out[o++] = '\n';
			}
		}
		p += l;
		at++;
	}
	out[o] = 0;
	return out;
}

/* The line of a "[name]" header in text, 0 if none. */
static int header_line(const char *text, const char *name)
{
	int line = 1;

	for (const char *p = text; *p; line++) {
		const char *q = p + strspn(p, " \t"), *nl = strchr(p, '\n');
		size_t n = strlen(name);

		if (*q == '[' && q[1] != '[') {
			q += 1 + strspn(q + 1, " \t");
			if (!strncmp(q, name, n)) {
				q += n;
				q += strspn(q, " \t");
				if (*q == ']') {
					q++;
					q += strspn(q, " \t");
					if (!*q || *q == '\n' || *q == '#' || *q == '\r')
						return line;
				}
			}
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

/* In table, key set to value (NULL: removed) in text; a new text, or NULL
 * with a reason.  *found: whether the key was there. */
static char *text_set(const char *text, const char *file, const char *table, const char *key, const char *value,
	int *found)
{
	struct toml_value *root = toml_parse(text, strlen(text), file), *t;
	char line[PATH_MAX * 2 + 64], k[PATH_MAX + 16], v[PATH_MAX + 16], *out = NULL;
	int hdr;

	if (!root)
		return NULL;
	*found = 0;
	t = (struct toml_value *)toml_get(root, table);
	if (strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(key))
		snprintf(k, sizeof(k), "%s", key);
	else
		quoted(k, sizeof(k), key);
	if (value) {
		quoted(v, sizeof(v), value);
		snprintf(line, sizeof(line), "%s = %s", k, v);
	}
	if (t && t->type == TOML_TABLE)
		for (size_t i = 0; i < t->tab.n; i++)
			if (t->tab.kv[i].len == strlen(key) && !memcmp(t->tab.kv[i].key, key, t->tab.kv[i].len)) {
				*found = 1;
				out = edit_line(text, t->tab.kv[i].line, value ? line : NULL, 0);
				break;
			}
	if (!*found && value) {
		if ((hdr = header_line(text, table)))
			out = edit_line(text, hdr, line, 1);
		else if (!t) {
			char *sect = xasprintf("%s%s[%s]\n%s\n", text, *text && text[strlen(text) - 1] != '\n' ? "\n" : "",
				table, line);
			out = sect;
		} else {
			fail("%s: [%s] is written in a way sesame does not edit; add %s to it by hand", file, table, line);
		}
	} else if (!*found) {
		out = xstrdup(text);
	}
	toml_free(root);
	return out;
}

/* Write text to c->file atomically (mode 0600), after checking it reads
 * back with table.key as meant. */
static int commit(struct ws_conf *c, const char *text, const char *table, const char *key, const char *value)
{
	struct toml_value *root = toml_parse(text, strlen(text), c->file);
	const struct toml_value *t, *got;
	char tmp[PATH_MAX + 32], dir[PATH_MAX];
	int fd, ok;

	if (!root)
		return fail("%s: the edit would not read back (%s); the file is unchanged", c->file, last_error());
	t = toml_get(root, table);
	got = t ? toml_get(t, key) : NULL;
	ok = value ? got && toml_cstr(got) && !strcmp(toml_cstr(got), value) : !got;
	toml_free(root);
	if (!ok)
		return fail("%s: the edit would not read back as meant; the file is unchanged", c->file);
	snprintf(dir, sizeof(dir), "%s", c->file);
	*strrchr(dir, '/') = 0;
	/* The config directory as the user keeps it; made (0700, with its
	 * parents: a new user has no ~/.config) if missing. */
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		if (errno != ENOENT)
			return fail("%s: %s", dir, strerror(errno));
		if (paths_mkdir_private(dir) < 0)
			return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", c->file, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return fail("%s: %s", tmp, strerror(errno));
	if (write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0) {
		int e = errno;

		close(fd);
		unlink(tmp);
		return fail("%s: %s", tmp, strerror(e));
	}
	close(fd);
	if (rename(tmp, c->file) < 0) {
		int e = errno;

		unlink(tmp);
		return fail("%s: %s", c->file, strerror(e));
	}
	return 0;
}

static char *current_text(const struct ws_conf *c)
{
	size_t len;
	char *text = read_file(c->file, MAX_FILE, &len);

	if (!text && errno == ENOENT)
		return xstrdup("");
	if (!text)
		fail("%s: %s", c->file, last_error());
	return text;
}

int ws_conf_set_settings(struct ws_conf *c, const char *root, const char *user)
{
	const char *keys[2] = { "root", "user" }, *vals[2] = { root, user };

	for (int i = 0; i < 2; i++) {
		char *text = current_text(c), *out;
		int found, r;

		if (!text)
			return -1;
		out = text_set(text, c->file, "settings", keys[i], vals[i], &found);
		free(text);
		if (!out)
			return -1;
		r = commit(c, out, "settings", keys[i], vals[i]);
		free(out);
		if (r < 0)
			return -1;
	}
	return 0;
}

int ws_conf_set_link(struct ws_conf *c, const char *path, const char *profile)
{
	char *text = current_text(c), *out;
	int found, r;

	if (!text)
		return -1;
	out = text_set(text, c->file, "links", path, profile, &found);
	free(text);
	if (!out)
		return -1;
	if (!profile && !found) {
		free(out);
		return 1;
	}
	r = commit(c, out, "links", path, profile);
	free(out);
	return r;
}
