/* http.c - http.h through libcurl.  Its few functions and option numbers
 * are declared here (they are libcurl's stable ABI, unchanged since 7.x),
 * so the build needs no libcurl headers; the library is loaded only by
 * the command that asks a forge something. */
#include "applets/workspace/http.h"
#include "lib/core/dynlib.h"
#include "lib/core/util.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
	OPT_WRITEDATA = 10001, OPT_URL = 10002, OPT_ERRORBUFFER = 10010, OPT_WRITEFUNCTION = 20011,
	OPT_USERAGENT = 10018, OPT_LOW_SPEED_LIMIT = 19, OPT_LOW_SPEED_TIME = 20, OPT_HTTPHEADER = 10023,
	OPT_HEADERDATA = 10029, OPT_FOLLOWLOCATION = 52, OPT_CONNECTTIMEOUT = 78,
	OPT_HEADERFUNCTION = 20079, OPT_NOSIGNAL = 99, OPT_PROTOCOLS = 181, OPT_PROTOCOLS_STR = 10318,
	INFO_RESPONSE_CODE = 0x200002,
	PROTO_HTTP = 1, PROTO_HTTPS = 2,
	ERROR_SIZE = 256,		/* CURL_ERROR_SIZE */
};

struct slist;
typedef size_t (*write_fn)(char *, size_t, size_t, void *);

static struct {
	void *h;
	void *(*init)(void);
	int (*setopt)(void *, int, ...);
	int (*perform)(void *);
	int (*getinfo)(void *, int, ...);
	void (*cleanup)(void *);
	struct slist *(*append)(struct slist *, const char *);
	void (*free_all)(struct slist *);
	const char *(*strerror)(int);
} TT;

static int load(void)
{
	static const char *const libs[] = { "libcurl.so.4", "libcurl-gnutls.so.4" };
	const char *missing = NULL;
	void *h = NULL;

	if (TT.h)
		return 0;
	for (size_t i = 0; i < ARRAY_LEN(libs) && !h; i++)
		h = dlopen(libs[i], RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return fail("cannot load libcurl (the forge's API is asked through it; Debian: libcurl4): %s",
			dlerror());
#define SYM(m, name) if (!(*(void **)&TT.m = dlsym(h, name))) missing = name;
	SYM(init, "curl_easy_init") SYM(setopt, "curl_easy_setopt") SYM(perform, "curl_easy_perform")
	SYM(getinfo, "curl_easy_getinfo") SYM(cleanup, "curl_easy_cleanup") SYM(append, "curl_slist_append")
	SYM(free_all, "curl_slist_free_all") SYM(strerror, "curl_easy_strerror")
#undef SYM
	TT.h = h;
	return dyn_check(&TT.h, "libcurl", missing);
}

struct sink {
	struct ws_http *r;
	size_t max;
	int too_big;
};

static size_t on_body(char *p, size_t size, size_t n, void *data)
{
	struct sink *s = data;
	size_t len = size * n;
	char *b;

	if (len > s->max - s->r->len) {
		s->too_big = 1;
		return 0;	/* ends the transfer */
	}
	if (!(b = realloc(s->r->body, s->r->len + len + 1)))
		return 0;
	memcpy(b + s->r->len, p, len);
	s->r->len += len;
	b[s->r->len] = 0;
	s->r->body = b;
	return len;
}

/* A header kept: its value, trimmed, made printable. */
static void keep(char *out, size_t n, const char *v, size_t len)
{
	size_t o = 0;

	while (len && (*v == ' ' || *v == '\t'))
		v++, len--;
	while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
		len--;
	for (size_t i = 0; i < len && o + 1 < n; i++)
		out[o++] = v[i] >= 0x20 && v[i] < 0x7f ? v[i] : '?';
	out[o] = 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *data)
{
	static const struct { const char *name; size_t off, size; } kept[] = {
		{ "link:", offsetof(struct ws_http, link), sizeof(((struct ws_http *)0)->link) },
		{ "x-ratelimit-remaining:", offsetof(struct ws_http, rate_remaining), 32 },
		{ "x-ratelimit-reset:", offsetof(struct ws_http, rate_reset), 32 },
		{ "location:", offsetof(struct ws_http, location), sizeof(((struct ws_http *)0)->location) },
	};
	struct sink *s = data;
	size_t len = size * n;

	if (len >= 5 && !strncmp(p, "HTTP/", 5))	/* a new response (after a 100): start over */
		*s->r->link = *s->r->rate_remaining = *s->r->rate_reset = *s->r->location = 0;
	for (size_t i = 0; i < ARRAY_LEN(kept); i++) {
		size_t l = strlen(kept[i].name);

		if (len >= l && !strncasecmp(p, kept[i].name, l))
			keep((char *)s->r + kept[i].off, kept[i].size, p + l, len - l);
	}
	return len;
}

int ws_http_get(const char *url, const char *const *headers, int timeout_s, size_t max, struct ws_http *r)
{
	struct sink s = { r, max, 0 };
	struct slist *hl = NULL;
	char err[ERROR_SIZE] = "";
	void *c;
	int rc;

	memset(r, 0, sizeof(*r));
	if (load() < 0)
		return -1;
	if (!(c = TT.init()))
		return fail("libcurl would not start");
	for (; headers && *headers; headers++)
		if (!(hl = TT.append(hl, *headers))) {
			TT.cleanup(c);
			return fail("out of memory");
		}
	TT.setopt(c, OPT_URL, url);
	if (TT.setopt(c, OPT_PROTOCOLS_STR, "http,https"))	/* before 7.85: the bit mask */
		TT.setopt(c, OPT_PROTOCOLS, (long)(PROTO_HTTP | PROTO_HTTPS));
	TT.setopt(c, OPT_FOLLOWLOCATION, 0L);
	TT.setopt(c, OPT_NOSIGNAL, 1L);
	TT.setopt(c, OPT_CONNECTTIMEOUT, (long)timeout_s);
	TT.setopt(c, OPT_LOW_SPEED_LIMIT, 1L);
	TT.setopt(c, OPT_LOW_SPEED_TIME, (long)timeout_s);
	TT.setopt(c, OPT_USERAGENT, "sesame (workspace clone --project)");
	TT.setopt(c, OPT_HTTPHEADER, hl);
	TT.setopt(c, OPT_ERRORBUFFER, err);
	TT.setopt(c, OPT_WRITEFUNCTION, (write_fn)on_body);
	TT.setopt(c, OPT_WRITEDATA, &s);
	TT.setopt(c, OPT_HEADERFUNCTION, (write_fn)on_header);
	TT.setopt(c, OPT_HEADERDATA, &s);
	rc = TT.perform(c);
	if (rc == 0)
		TT.getinfo(c, INFO_RESPONSE_CODE, &r->status);
	TT.cleanup(c);
	TT.free_all(hl);
	if (s.too_big) {
		ws_http_free(r);
		return fail("the answer is larger than %zu bytes", max);
	}
	if (rc) {
		ws_http_free(r);
		return fail("%s", *err ? err : TT.strerror(rc));
	}
	if (!r->body && !(r->body = calloc(1, 1)))
		return fail("out of memory");
	return 0;
}

void ws_http_free(struct ws_http *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}
