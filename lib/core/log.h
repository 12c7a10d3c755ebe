/* log.h - one line per event on stderr, plain `key=value` or JSON.
 *
 * Plain:  ts=2026-11-22T18:48:06.123Z level=info role=daemon-secrets msg="..."
 * JSON:   {"ts":"...","level":"info","role":"daemon-secrets","msg":"..."}
 *
 * Messages are escaped (control characters, quotes, invalid UTF-8), so a
 * hostile string cannot forge a log line.  Never pass a secret value here,
 * and key names only at debug level (DESIGN.md).
 */
#ifndef SESAME_LOG_H
#define SESAME_LOG_H

#include "lib/core/util.h"

enum log_level { LOGL_ERROR, LOGL_WARN, LOGL_INFO, LOGL_DEBUG };

/* Read SESAME_LOG (error|warn|info|debug) and SESAME_LOG_FORMAT
 * (plain|json); role names the process in every line. */
void log_init(const char *role);
void log_set_level(enum log_level level);
/* From the config: level name, JSON lines, and syslog priority prefixes
 * when stderr goes to the journal (JOURNAL_STREAM set).  SESAME_LOG and
 * SESAME_LOG_FORMAT still win. */
void log_configure(const char *level, int json, int journald);
void log_set_json(int on);
int log_enabled(enum log_level level);
/* Parse a level name; -1 if unknown. */
int log_level_parse(const char *name);

void log_msg(enum log_level level, const char *fmt, ...) PRINTF(2, 3);
#define log_error(...) log_msg(LOGL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOGL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOGL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOGL_DEBUG, __VA_ARGS__)

/* Format one line into buf (always NUL-terminated, ends in '\n');
 * exposed for tests and the fuzz target.  Returns its length. */
size_t log_format(char *buf, size_t size, enum log_level level, const char *role,
	const char *ts, const char *msg, int json);

#endif
