/* frecency.h - how often and how recently each application was launched
 * from a profile: every launch adds 1, and what was added halves every
 * 30 days.  The sum is kept per entry (score and when it was computed),
 * which is exact for exponential decay, so the table never grows with
 * the number of launches.  Persisted in the launcher's per-profile store.
 */
#ifndef SESAME_FRECENCY_H
#define SESAME_FRECENCY_H

#include <stddef.h>

#define FRECENCY_HALF_LIFE_MS (30LL * 24 * 3600 * 1000)

struct frecency;

/* Open (or create) the table at path; NULL with a reason. */
struct frecency *frecency_open(const char *path);
void frecency_close(struct frecency *f);
/* The entry's score at now_ms (0 if never launched). */
double frecency_get(const struct frecency *f, const char *id, long long now_ms);
/* Record a launch; -1 with a reason if it could not be stored (the
 * in-memory score still counts it). */
int frecency_add(struct frecency *f, const char *id, long long now_ms);
/* How many entries have a score. */
size_t frecency_count(const struct frecency *f);

#endif
