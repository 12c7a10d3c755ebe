/* pstate.h - daemon-profile's state file, profiles.state: the profile
 * `sesame profile default` chose and those activated by hand, one
 * "default NAME" or "active NAME" line each.  daemon-profile writes it
 * and reads it back when it starts, by which time anything may have
 * happened to it. */
#ifndef SESAME_PSTATE_H
#define SESAME_PSTATE_H

#include <stddef.h>

enum pstate_kind { PSTATE_DEFAULT, PSTATE_ACTIVE };

/* Calls fn for each well-formed line of buf (len bytes, any content): a
 * keyword, one space, a valid profile name (profile_name_valid), and the
 * end of the line or of buf.  Returns the number of other lines, which
 * are skipped. */
size_t pstate_parse(const char *buf, size_t len,
	void (*fn)(enum pstate_kind kind, const char *name, void *ctx), void *ctx);

#endif
