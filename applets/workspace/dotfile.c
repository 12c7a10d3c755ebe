/* dotfile.c - .sesame.toml and the effective settings (dotfile.h). */
#include "applets/workspace/dotfile.h"
#include "lib/config/toml.h"
#include "lib/core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DOTFILE (64u << 10)

static int word(const char *s, int lead_digit)
{
	if (!*s || (!lead_digit && *s >= '0' && *s <= '9'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static int bad(const char *file, int line, int col, const char *key, const char *why)
{
	return fail("%s:%d:%d: %s: %s", file, line, col, key, why);
}

int ws_dotfile_parse(struct ws_effective *e, const char *text, size_t len, const char *file, const char *from)
{
	struct toml_value *root = toml_parse(text, len, file);
	int r = 0;

	if (!root)
		return -1;
	for (size_t i = 0; i < root->tab.n && !r; i++) {
		const struct toml_kv *kv = &root->tab.kv[i];
		const struct toml_value *v = kv->val;
		const char *s = toml_cstr(v);

		if (!strcmp(kv->key, "profile")) {
			if (!s || !profile_name_valid(s))
				r = bad(file, v->line, v->col, "profile", "expected a profile's name");
			else
				snprintf(e->profile, sizeof(e->profile), "%s", s), e->profile_from = from;
		} else if (!strcmp(kv->key, "secret_prefix")) {
			if (!s || strlen(s) >= sizeof(e->prefix) || !word(s, 1))
				r = bad(file, v->line, v->col, "secret_prefix", "expected letters, digits and '_'");
			else
				snprintf(e->prefix, sizeof(e->prefix), "%s", s), e->prefix_from = from;
		} else if (!strcmp(kv->key, "tags")) {
			if (v->type != TOML_ARRAY || v->arr.n > WS_MAX_TAGS) {
				r = bad(file, v->line, v->col, "tags", "expected an array of at most 32 strings");
				continue;
			}
			e->ntags = 0;
			for (size_t k = 0; k < v->arr.n && !r; k++) {
				const char *t = toml_cstr(v->arr.v[k]);

				if (!t || !*t || strlen(t) >= sizeof(e->tags[0]) || strchr(t, ',') ||
				    !utf8_valid(t, strlen(t)))
					r = bad(file, v->arr.v[k]->line, v->arr.v[k]->col, "tags",
						"a tag is a string of 1 to 63 bytes, without ','");
				else
					snprintf(e->tags[e->ntags++], sizeof(e->tags[0]), "%s", t);
			}
			e->tags_from = from;
		} else if (!strcmp(kv->key, "env")) {
			if (v->type != TOML_TABLE) {
				r = bad(file, v->line, v->col, "env", "expected a table of NAME = \"value\"");
				continue;
			}
			for (size_t k = 0; k < v->tab.n && !r; k++) {
				const struct toml_kv *ev = &v->tab.kv[k];
				const char *val = toml_cstr(ev->val);
				struct ws_env *x = NULL;

				if (memchr(ev->key, 0, ev->len) || ev->len >= sizeof(x->name) || !word(ev->key, 0)) {
					r = bad(file, ev->line, ev->col, "env", "a variable's name is letters, digits and '_', "
						"not first a digit");
					continue;
				}
				if (!val || strlen(val) >= sizeof(x->value)) {
					r = bad(file, ev->val->line, ev->val->col, "env", "expected a string of at most 1023 bytes");
					continue;
				}
				for (int j = 0; j < e->nenv; j++)
					if (!strcmp(e->env[j].name, ev->key))
						x = &e->env[j];	/* the repository's wins */
				if (!x) {
					if (e->nenv == WS_MAX_ENV) {
						r = bad(file, ev->line, ev->col, "env", "more than 64 variables");
						continue;
					}
					x = &e->env[e->nenv++];
				}
				snprintf(x->name, sizeof(x->name), "%s", ev->key);
				snprintf(x->value, sizeof(x->value), "%s", val);
				snprintf(x->where, sizeof(x->where), "%.*s:%d", PATH_MAX - 1, file, ev->line);
				x->from = from;
			}
		} else {
			r = bad(file, kv->line, kv->col, kv->key, "unknown key (profile, secret_prefix, tags, env)");
		}
	}
	toml_free(root);
	return r;
}

/* dir/.sesame.toml, if there is one. */
static int read_dotfile(struct ws_effective *e, const char *dir, const char *from)
{
	char path[PATH_MAX + 16];
	struct stat sb;
	size_t len;
	char *text;
	int fd, r;

	if ((size_t)snprintf(path, sizeof(path), "%s/.sesame.toml", dir) >= sizeof(path))
		return fail("%s: the path is too long", dir);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : fail("%s: %s", path, errno == ELOOP ?
			"a symbolic link; sesame reads no .sesame.toml through one" : strerror(errno));
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return fail("%s: not a regular file", path);
	}
	close(fd);
	if (sb.st_size > MAX_DOTFILE)
		return fail("%s: larger than 64 KiB", path);
	if (!(text = read_file(path, MAX_DOTFILE, &len)))
		return fail("%s: %s", path, last_error());
	r = ws_dotfile_parse(e, text, len, path, from);
	free(text);
	return r;
}

int ws_effective_get(const struct ws_conf *c, const char *dir, struct ws_effective *e)
{
	const struct ws_link *l;
	char base[PATH_MAX * 2], root[PATH_MAX];
	size_t bl;

	memset(e, 0, sizeof(*e));
	if (ws_canonical(dir, e->dir, sizeof(e->dir)) < 0)
		return -1;
	/* Where it sits in {root}/{user}/{server}/{org}/{repo}. */
	if (ws_canonical(c->root, root, sizeof(root)) < 0)
		return -1;
	snprintf(base, sizeof(base), "%s/%s/", strcmp(root, "/") ? root : "", c->user);
	bl = strlen(base);
	if (!strncmp(e->dir, base, bl)) {
		const char *rest = e->dir + bl, *org_end = NULL, *repo_end = NULL, *s1 = strchr(rest, '/');

		if (s1 && (org_end = strchr(s1 + 1, '/')) == NULL)
			org_end = s1 + 1 + strlen(s1 + 1);
		if (org_end && *org_end == '/')
			repo_end = strchr(org_end + 1, '/') ? strchr(org_end + 1, '/') : org_end + strlen(org_end);
		if (org_end && org_end > s1 + 1)
			snprintf(e->org_dir, sizeof(e->org_dir), "%.*s", (int)(org_end - e->dir), e->dir);
		if (repo_end && repo_end > org_end + 1)
			snprintf(e->repo_dir, sizeof(e->repo_dir), "%.*s", (int)(repo_end - e->dir), e->dir);
	} else {
		snprintf(e->repo_dir, sizeof(e->repo_dir), "%s", e->dir);	/* outside: its own file only */
	}
	if ((l = ws_conf_link_for(c, e->dir))) {
		snprintf(e->profile, sizeof(e->profile), "%s", l->profile);
		e->profile_from = "user config link";
	}
	if (*e->org_dir && read_dotfile(e, e->org_dir, "workspace .sesame.toml") < 0)
		return -1;
	if (*e->repo_dir && read_dotfile(e, e->repo_dir, "repo .sesame.toml") < 0)
		return -1;
	return 0;
}
