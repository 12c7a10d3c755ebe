/* envvar.h - environment variable names for secrets (sesame env, export,
 * daemon-launcher). */
#ifndef SESAME_ENVVAR_H
#define SESAME_ENVVAR_H

#include <stddef.h>

/* 1 if no secret may set the variable v (compared without case): the
 * loader, shell and interpreter hooks (LD_PRELOAD, BASH_ENV, PATH, IFS,
 * NODE_OPTIONS...), the commands programs run (GIT_SSH_COMMAND, PAGER,
 * PERL5DB...) and SESAME_*. */
int envvar_denied(const char *v);
/* The variable for secret: upper case, anything but [A-Z0-9] as '_',
 * after "PREFIX_" when prefix is set. */
void envvar_name(char *out, size_t size, const char *prefix, const char *secret);

#endif
