/* seccomp_off.c - a build without libseccomp (SECCOMP=0 in config.mk):
 * the filter cannot be had, and saying so is sandbox_enter's business. */
#include "lib/core/util.h"
#include "lib/sandbox/sandbox.h"

int sandbox_seccomp(const char *role)
{
	(void)role;
	return fail("this build has no seccomp (built with SECCOMP=0)");
}

int sandbox_sanitized(void)
{
	return 0;
}
