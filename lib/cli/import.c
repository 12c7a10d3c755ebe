/* import.c - the import formats' readers (import.h). */
#include "lib/cli/import.h"
#include "lib/cli/envfile.h"
#include "lib/core/json.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/core/xml.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int import_add(struct import *im, const char *name, const void *v, size_t len)
{
	if (!len) {
		im->skipped++;
		return 0;
	}
	if (strlen(name) > VAULT_MAX_NAME || !secret_name_new_valid(name))
		return fail("'%.80s' cannot be a secret name (1 to %d bytes of UTF-8, no control characters)", name,
			VAULT_MAX_NAME);
	if (len > VAULT_MAX_VALUE)
		return fail("%s: a value of %zu bytes; a vault holds at most %d", name, len, VAULT_MAX_VALUE);
	for (size_t i = 0; i < im->list.n; i++)
		if (!strcmp(im->list.s[i].name, name))
			return fail("%s comes twice in the import (rename one of them)", name);
	return backup_add(&im->list, name, v, len);
}

void import_free(struct import *im)
{
	backup_free(&im->list);
	im->skipped = 0;
}

int import_env(struct import *im, const char *text, size_t len, const char *file)
{
	struct envfile e = { 0 };
	int r = 0;

	if (envfile_parse(&e, text, len, file) < 0) {
		envfile_free(&e);	/* what it grew */
		return -1;
	}
	for (int i = 0; i < e.n && !r; i++) {
		if (!e.v[i].value)
			r = fail("%s:%d: %s is a sesame:// reference: nothing to import", file, e.v[i].line, e.v[i].name);
		else
			r = import_add(im, e.v[i].name, e.v[i].value, e.v[i].len);
	}
	for (int i = 0; i < e.n; i++)
		if (e.v[i].value)
			sodium_memzero(e.v[i].value, e.v[i].len);
	envfile_free(&e);
	return r;
}

/* --- CSV (RFC 4180) --------------------------------------------------- */

#define CSV_MAX_FIELDS 64

struct csv {
	const char *s, *end;
	int line;
	char *buf;		/* the row's fields, NUL-separated (secure memory) */
	size_t cap;
};

/* The next row's fields into f (n of them); 0 at the end, -1 with a
 * reason. */
static int csv_row(struct csv *c, char **f, int *n)
{
	size_t o = 0;

	*n = 0;
	if (c->s >= c->end)
		return 0;
	c->line++;
	if (!c->buf && !(c->buf = secmem_alloc(c->cap = (size_t)(c->end - c->s) + CSV_MAX_FIELDS + 1)))
		return fail("out of secure memory");
	for (;;) {
		if (*n == CSV_MAX_FIELDS)
			return fail("line %d: more than %d fields", c->line, CSV_MAX_FIELDS);
		f[(*n)++] = c->buf + o;
		if (c->s < c->end && *c->s == '"') {
			for (c->s++;; c->s++) {
				if (c->s >= c->end)
					return fail("line %d: an unclosed quote", c->line);
				if (*c->s == '"') {
					if (c->s + 1 < c->end && c->s[1] == '"') {
						c->buf[o++] = '"';
						c->s++;
						continue;
					}
					c->s++;
					break;
				}
				if (*c->s == '\n')
					c->line++;
				c->buf[o++] = *c->s;
			}
			if (c->s < c->end && *c->s != ',' && *c->s != '\n' && *c->s != '\r')
				return fail("line %d: text after a closing quote", c->line);
		} else {
			while (c->s < c->end && *c->s != ',' && *c->s != '\n' && *c->s != '\r') {
				if (*c->s == '"')
					return fail("line %d: a quote inside an unquoted field", c->line);
				c->buf[o++] = *c->s++;
			}
		}
		c->buf[o++] = 0;
		if (c->s < c->end && *c->s == ',') {
			c->s++;
			continue;
		}
		if (c->s < c->end && *c->s == '\r')
			c->s++;
		if (c->s < c->end && *c->s == '\n')
			c->s++;
		return 1;
	}
}

static int column(char **f, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcasecmp(f[i], name))
			return i;
	return -1;
}

static void csv_done(struct csv *c)
{
	if (c->buf)
		secmem_free(c->buf);
	c->buf = NULL;
}

int import_csv(struct import *im, const char *text, size_t len, const char *file, const char *name_col,
	const char *value_col)
{
	struct csv c = { text, text + len, 0, NULL, 0 };
	char *f[CSV_MAX_FIELDS], *hdr[CSV_MAX_FIELDS];
	int n, nh, kn, kv, r;

	if (memchr(text, 0, len))
		return fail("%s: holds a NUL byte", file);
	if ((r = csv_row(&c, f, &nh)) <= 0) {
		csv_done(&c);
		return r < 0 ? fail("%s: %s", file, last_error()) : fail("%s: empty: no header row", file);
	}
	memcpy(hdr, f, sizeof(hdr));
	kn = column(hdr, nh, name_col ? name_col : "name");
	kv = column(hdr, nh, value_col ? value_col : "value");
	if (kn < 0 || kv < 0) {
		csv_done(&c);
		return fail("%s: the header has no column '%s' or '%s' (--name-column, --value-column pick others)",
			file, name_col ? name_col : "name", value_col ? value_col : "value");
	}
	/* The header's fields stay in the buffer's first bytes: rows go after. */
	{
		size_t used = 0;

		for (int i = 0; i < nh; i++)
			used += strlen(hdr[i]) + 1;
		c.buf += used;
		c.cap -= used;
		while ((r = csv_row(&c, f, &n)) > 0) {
			if (n == 1 && !*f[0])
				continue;	/* a blank line */
			if (n != nh) {
				r = fail("%s: line %d: %d fields, the header has %d", file, c.line, n, nh);
				break;
			}
			if (!*f[kn]) {
				r = fail("%s: line %d: no name", file, c.line);
				break;
			}
			if (import_add(im, f[kn], f[kv], strlen(f[kv])) < 0) {
				r = fail("%s: line %d: %s", file, c.line, last_error());
				break;
			}
		}
		if (r < 0 && !strstr(last_error(), file))
			fail("%s: %s", file, last_error());
		c.buf -= used;
	}
	csv_done(&c);
	return r < 0 ? -1 : 0;
}

/* --- KeePassXC -------------------------------------------------------- */

static int kp_entry(struct import *im, const char *group, const char *title, const char *user, size_t ul,
	const char *pw, size_t pl)
{
	char name[VAULT_MAX_NAME + 32];

	if (!*title)
		return fail("an entry without a title%s%s", *group ? " in " : "", group);
	snprintf(name, sizeof(name), "%s%s%s", group, *group ? "/" : "", title);
	if (strlen(name) > VAULT_MAX_NAME)
		return fail("%.60s...: the name is longer than %d bytes", name, VAULT_MAX_NAME);
	if (import_add(im, name, pw, pl) < 0)
		return -1;
	if (ul && pl) {
		strcat(name, ".username");
		return import_add(im, name, user, ul);
	}
	return 0;
}

static int kp_csv(struct import *im, const char *text, size_t len, const char *file)
{
	struct csv c = { text, text + len, 0, NULL, 0 };
	char *f[CSV_MAX_FIELDS];
	int n, nh, kg, kt, ku, kpw, r;

	if (memchr(text, 0, len))
		return fail("%s: holds a NUL byte", file);
	if ((r = csv_row(&c, f, &nh)) <= 0) {
		csv_done(&c);
		return fail("%s: %s", file, r < 0 ? last_error() : "empty");
	}
	kg = column(f, nh, "Group"), kt = column(f, nh, "Title"), ku = column(f, nh, "Username");
	kpw = column(f, nh, "Password");
	if (kg < 0 || kt < 0 || ku < 0 || kpw < 0) {
		csv_done(&c);
		return fail("%s: not KeePassXC's CSV export (no Group, Title, Username and Password columns)", file);
	}
	{
		size_t used = 0;

		for (int i = 0; i < nh; i++)
			used += strlen(f[i]) + 1;
		c.buf += used;
		while ((r = csv_row(&c, f, &n)) > 0) {
			char group[VAULT_MAX_NAME + 1];
			const char *g;

			if (n == 1 && !*f[0])
				continue;
			if (n != nh) {
				r = fail("line %d: %d fields, the header has %d", c.line, n, nh);
				break;
			}
			/* "Root/Sub/Group": the root (the database's name) is dropped. */
			g = strchr(f[kg], '/') ? strchr(f[kg], '/') + 1 : "";
			snprintf(group, sizeof(group), "%s", g);
			if (kp_entry(im, group, f[kt], f[ku], strlen(f[ku]), f[kpw], strlen(f[kpw])) < 0) {
				r = fail("line %d: %s", c.line, last_error());
				break;
			}
		}
		c.buf -= used;
	}
	csv_done(&c);
	return r < 0 ? fail("%s: %s", file, last_error()) : 0;
}

static const struct xml *kp_string(const struct xml *entry, const char *key)
{
	for (size_t i = 0; i < entry->n; i++) {
		const struct xml *s = entry->kids[i], *k = xml_child(s, "Key");

		if (!strcmp(s->name, "String") && k && k->text && !strcmp(k->text, key))
			return xml_child(s, "Value");
	}
	return NULL;
}

/* A group's entries and subgroups; path is its name below the root. */
static int kp_group(struct import *im, const struct xml *g, const char *path, int depth)
{
	for (size_t i = 0; i < g->n; i++) {
		const struct xml *k = g->kids[i];

		if (!strcmp(k->name, "Entry")) {	/* its History's old copies are not entries */
			const struct xml *t = kp_string(k, "Title"), *u = kp_string(k, "UserName"),
				*p = kp_string(k, "Password");

			if (kp_entry(im, path, t && t->text ? t->text : "", u && u->text ? u->text : "", u ? u->len : 0,
				p && p->text ? p->text : "", p ? p->len : 0) < 0)
				return -1;
		} else if (!strcmp(k->name, "Group")) {
			const struct xml *nm = xml_child(k, "Name");
			char sub[VAULT_MAX_NAME + 1];

			if (!nm || !nm->text || !*nm->text || strchr(nm->text, '/'))
				return fail("a group without a name, or with a '/' in it");
			if ((size_t)snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "/" : "", nm->text) >= sizeof(sub))
				return fail("groups nested past %d bytes of name", VAULT_MAX_NAME);
			if (kp_group(im, k, sub, depth + 1) < 0)
				return -1;
		}
	}
	return 0;
}

int import_keepassxc(struct import *im, const char *text, size_t len, const char *file)
{
	const struct xml *root, *top;
	struct xml *x;
	char err[160];
	size_t i = 0;
	int r;

	while (i < len && strchr(" \t\r\n", text[i]) && text[i])
		i++;
	if (i >= len || text[i] != '<')
		return kp_csv(im, text, len, file);
	if (!(x = xml_parse(text, len, err, sizeof(err))))
		return fail("%s: %s", file, err);
	if (strcmp(x->name, "KeePassFile") || !(root = xml_child(x, "Root")) || !(top = xml_child(root, "Group"))) {
		xml_free(x);
		return fail("%s: not KeePassXC's XML export (no KeePassFile/Root/Group)", file);
	}
	r = kp_group(im, top, "", 0);	/* the top group is the database itself */
	xml_free(x);
	return r < 0 ? fail("%s: %s", file, last_error()) : 0;
}

/* --- Bitwarden -------------------------------------------------------- */

static int bw_add(struct import *im, const char *base, const char *suffix, const struct json *v)
{
	char name[VAULT_MAX_NAME + 80];

	if (!v || v->type != JSON_STRING)
		return 0;
	if ((size_t)snprintf(name, sizeof(name), "%s%s", base, suffix) > VAULT_MAX_NAME)
		return fail("%.60s...: the name is longer than %d bytes", name, VAULT_MAX_NAME);
	return import_add(im, name, v->str, v->len);
}

int import_bitwarden(struct import *im, const char *text, size_t len, const char *file)
{
	char err[160];
	struct json *j = json_parse(text, len, err, sizeof(err));
	const struct json *items, *folders;
	int r = 0;

	if (!j)
		return fail("%s: not JSON: %s", file, err);
	if (json_get_bool(j, "encrypted", 0)) {
		json_free(j);
		return fail("%s: an encrypted export: export it unencrypted (.json) from Bitwarden", file);
	}
	if (!(items = json_get(j, "items")) || items->type != JSON_ARRAY) {
		json_free(j);
		return fail("%s: not a Bitwarden export (no \"items\" list)", file);
	}
	folders = json_get(j, "folders");
	for (size_t i = 0; i < items->n && !r; i++) {
		const struct json *it = items->items[i], *t = json_get(it, "type"), *login = json_get(it, "login"),
			*fields = json_get(it, "fields");
		const char *nm = json_get_str(it, "name"), *fid = json_get_str(it, "folderId"), *folder = NULL;
		char base[VAULT_MAX_NAME + 1];

		if (!nm || !t || t->type != JSON_NUMBER) {
			r = fail("item %zu has no name or type", i + 1);
			break;
		}
		for (size_t k = 0; fid && folders && folders->type == JSON_ARRAY && k < folders->n && !folder; k++)
			if (json_get_str(folders->items[k], "id") && !strcmp(json_get_str(folders->items[k], "id"), fid))
				folder = json_get_str(folders->items[k], "name");
		if ((size_t)snprintf(base, sizeof(base), "%s%s%s", folder ? folder : "", folder ? "/" : "", nm) >=
			sizeof(base)) {
			r = fail("%.60s...: the name is longer than %d bytes", base, VAULT_MAX_NAME);
			break;
		}
		if (t->num == 1 && login) {		/* a login */
			const struct json *pw = json_get(login, "password");

			if (!pw || pw->type != JSON_STRING || !pw->len) {
				im->skipped++;		/* nothing to keep but a user name */
			} else {
				r = bw_add(im, base, "", pw);
				if (!r)
					r = bw_add(im, base, ".username", json_get(login, "username"));
				if (!r)
					r = bw_add(im, base, ".totp", json_get(login, "totp"));
			}
		} else if (t->num == 2) {		/* a secure note */
			r = bw_add(im, base, "", json_get(it, "notes"));
		} else {
			im->skipped++;			/* cards and identities: not secrets sesame keeps */
		}
		for (size_t k = 0; !r && fields && fields->type == JSON_ARRAY && k < fields->n; k++) {
			const char *fn = json_get_str(fields->items[k], "name");
			char suffix[VAULT_MAX_NAME + 2];

			if (!fn)
				continue;
			snprintf(suffix, sizeof(suffix), ".%s", fn);
			r = bw_add(im, base, suffix, json_get(fields->items[k], "value"));
		}
	}
	json_free(j);
	return r < 0 ? fail("%s: %s", file, last_error()) : 0;
}

/* --- pass ------------------------------------------------------------- */

int import_pass_entry(struct import *im, const char *path, const char *text, size_t len)
{
	const char *nl = memchr(text, '\n', len);
	size_t first = nl ? (size_t)(nl - text) : len, rest;
	char name[VAULT_MAX_NAME + 16];

	if (import_add(im, path, text, first) < 0)
		return -1;
	if (!nl)
		return 0;
	rest = len - first - 1;
	while (rest && (text[first + 1 + rest - 1] == '\n'))
		rest--;
	if (!rest)
		return 0;
	if ((size_t)snprintf(name, sizeof(name), "%s.extra", path) > VAULT_MAX_NAME)
		return fail("%s.extra: the name is longer than %d bytes", path, VAULT_MAX_NAME);
	return import_add(im, name, text + first + 1, rest);
}
