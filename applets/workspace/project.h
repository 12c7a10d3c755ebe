/* project.h - clone --project's question to the forge: every repository
 * of an organisation (or, failing that, of a user of that name), page by
 * page, with a token if one is given.  The answers are read by forge.h;
 * the asking is http.h. */
#ifndef SESAME_WS_PROJECT_H
#define SESAME_WS_PROJECT_H

#include "applets/workspace/forge.h"

/* The repositories of org at the API base into l.  token may be NULL; it
 * is sent only as an Authorization header, and never over http:// to
 * anything but this machine.  Warns on stderr when the rate limit is
 * nearly used up.  -1 with a reason (401, 403, the limit, no such
 * organisation, no answer...), which never holds the token. */
int ws_project_list(const char *base, const char *org, const char *token, int timeout_s, struct forge_list *l);

#endif
