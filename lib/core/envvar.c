/* envvar.c - what a secret may be called in a process environment: the
 * variable name made from a secret's name, and the names no secret may
 * set.  Shared by `sesame env`/`export` and daemon-launcher. */
#include "lib/core/envvar.h"
#include "lib/core/util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Variables a secret must never set (compared without case), and
 * prefixes: those that change where a program finds its code or what
 * command it runs.  sudo's table of unsafe variables is the anchor, with
 * git's, the interpreters' and glibc's own hooks added. */
static const char *const denied[] = {
	"PATH", "HOME", "USER", "SHELL", "LOGNAME", "LANG", "TERM", "DISPLAY", "WAYLAND_DISPLAY",
	"XDG_RUNTIME_DIR", "BASH_ENV", "ENV", "CDPATH", "GLOBIGNORE", "SHELLOPTS", "BASHOPTS",
	"PROMPT_COMMAND", "PS1", "PS2", "PS4", "MAIL", "MAILPATH", "MAILCHECK", "IFS", "PYTHONPATH",
	"PYTHONSTARTUP", "PYTHONHOME", "NODE_OPTIONS", "NODE_PATH", "NODE_EXTRA_CA_CERTS", "PERL5LIB",
	"PERL5OPT", "RUBYLIB", "RUBYOPT", "GOPATH", "GOROOT", "GOFLAGS", "JAVA_HOME", "CLASSPATH",
	"JAVA_TOOL_OPTIONS", "SSH_AUTH_SOCK", "GPG_AGENT_INFO", "KRB5_CONFIG", "KRB5CCNAME",
	"SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "GIT_SSL_CAINFO",
	"NIX_SSL_CERT_FILE", "NIX_PATH", "NIX_CONF_DIR", "SUDO_ASKPASS", "SUDO_EDITOR", "VISUAL",
	"EDITOR", "SYSTEMD_UNIT_PATH", "DBUS_SESSION_BUS_ADDRESS", "TMPDIR", "GCONV_PATH",
	"MALLOC_CHECK_", "HOSTALIASES", "RESOLV_HOST_CONF", "LOCALDOMAIN", "NLSPATH", "TZDIR",
	/* git runs these, or takes its configuration (core.sshCommand...) from them */
	"GIT_SSH", "GIT_SSH_COMMAND", "GIT_EXEC_PATH", "GIT_ASKPASS", "GIT_PROXY_COMMAND", "GIT_EDITOR",
	"GIT_PAGER", "GIT_EXTERNAL_DIFF", "GIT_TEMPLATE_DIR", "SSH_ASKPASS", "PAGER", "MANPAGER",
	"LESSOPEN", "LESSCLOSE", "BROWSER",
	/* interpreters */
	"PERL5DB", "PERLLIB", "PERLIO_DEBUG", "PYTHONWARNINGS", "PYTHONINSPECT", "PYTHONUSERBASE",
	"PYTHONBREAKPOINT", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "NODE_REPL_EXTERNAL_MODULE",
	/* glibc and the resolver */
	"GLIBC_TUNABLES", "LOCPATH", "RES_OPTIONS", "PATH_LOCALE", "LIBPATH", "SHLIB_PATH",
	/* shells */
	"FPATH", "NULLCMD", "READNULLCMD", "ZDOTDIR", "TMPPREFIX", "TERMINFO", "TERMINFO_DIRS",
	"TERMPATH", "TERMCAP",
};
static const char *const denied_prefix[] = { "LD_", "DYLD_", "_RLD", "BASH_FUNC_", "SESAME_", "GIT_CONFIG" };

int envvar_denied(const char *v)
{
	for (size_t i = 0; i < ARRAY_LEN(denied); i++)
		if (!strcasecmp(v, denied[i]))
			return 1;
	for (size_t i = 0; i < ARRAY_LEN(denied_prefix); i++)
		if (!strncasecmp(v, denied_prefix[i], strlen(denied_prefix[i])))
			return 1;
	return 0;
}

void envvar_name(char *out, size_t size, const char *prefix, const char *secret)
{
	size_t n = 0;

	if (prefix && *prefix)
		n = (size_t)snprintf(out, size, "%s_", prefix);
	for (const char *s = secret; *s && n + 1 < size; s++) {
		char c = *s;

		out[n++] = (c >= 'a' && c <= 'z') ? (char)(c - 32) :
			((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) ? c : '_';
	}
	out[n] = 0;
}

