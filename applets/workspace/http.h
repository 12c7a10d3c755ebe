/* http.h - one HTTP GET for the forge's API (workspace clone --project),
 * through libcurl, loaded when first needed (libcurl.so.4, or git's
 * libcurl-gnutls.so.4).  Only http and https; no redirect is followed (a
 * token must not go where it was not sent); no progress for timeout_s
 * ends it; a body larger than max is an error.  Of the headers, only the
 * ones the forge code reads are kept. */
#ifndef SESAME_WS_HTTP_H
#define SESAME_WS_HTTP_H

#include <stddef.h>

struct ws_http {
	long status;
	char *body;			/* malloc'ed, NUL-terminated */
	size_t len;
	char link[2048];		/* the Link header, or "" */
	char rate_remaining[32];	/* x-ratelimit-remaining, or "" */
	char rate_reset[32];		/* x-ratelimit-reset, or "" */
	char location[512];		/* a redirect's Location, or "" */
};

/* GET url with the request headers (NULL-terminated; may be NULL).  0
 * with r filled (any status), or -1 with a reason (no answer). */
int ws_http_get(const char *url, const char *const *headers, int timeout_s, size_t max, struct ws_http *r);
void ws_http_free(struct ws_http *r);

#endif
