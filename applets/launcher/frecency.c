/* frecency.c - launch frecency per profile (frecency.h). */
#include "applets/launcher/frecency.h"
#include "lib/core/num.h"
#include "lib/core/util.h"
#include "lib/store/store.h"

#include <math.h>	/* isfinite */
#include <stdlib.h>
#include <string.h>

struct item {
	char *id;
	double score;		/* at at_ms */
	long long at_ms;
};

struct frecency {
	sqlite3 *db;
	struct item *v;		/* sorted by id */
	size_t n, cap;
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS frecency ("
	" entry TEXT PRIMARY KEY NOT NULL,"
	" score REAL NOT NULL,"
	" at_ms INTEGER NOT NULL);";

static int cmp_item(const void *a, const void *b)
{
	return strcmp(((const struct item *)a)->id, ((const struct item *)b)->id);
}

static double decayed(const struct item *it, long long now_ms)
{
	long long age = now_ms - it->at_ms;

	return age <= 0 ? it->score : it->score * num_exp2(-(double)age / FRECENCY_HALF_LIFE_MS);
}

struct frecency *frecency_open(const char *path)
{
	struct frecency *f = xcalloc(1, sizeof(*f));
	sqlite3_stmt *st;

	if (!(f->db = store_open(path, schema))) {
		free(f);
		return NULL;
	}
	if (sqlite3_prepare_v2(f->db, "SELECT entry, score, at_ms FROM frecency", -1, &st, NULL) != SQLITE_OK) {
		fail("%s: %s", path, store_error(f->db));
		frecency_close(f);
		return NULL;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *id = sqlite3_column_text(st, 0);
		double score = sqlite3_column_double(st, 1);

		/* A row edited into nonsense counts as never launched. */
		if (!id || !isfinite(score) || score <= 0 || score > 1e9)
			continue;
		if (f->n == f->cap)
			f->v = xreallocarray(f->v, f->cap = f->cap ? f->cap * 2 : 32, sizeof(*f->v));
		f->v[f->n].id = xstrdup((const char *)id);
		f->v[f->n].score = score;
		f->v[f->n].at_ms = sqlite3_column_int64(st, 2);
		f->n++;
	}
	sqlite3_finalize(st);
	if (f->n)
		qsort(f->v, f->n, sizeof(*f->v), cmp_item);
	return f;
}

void frecency_close(struct frecency *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i].id);
	free(f->v);
	sqlite3_close(f->db);
	free(f);
}

static struct item *find(const struct frecency *f, const char *id)
{
	struct item key = { (char *)id, 0, 0 };

	return f->n ? bsearch(&key, f->v, f->n, sizeof(*f->v), cmp_item) : NULL;
}

double frecency_get(const struct frecency *f, const char *id, long long now_ms)
{
	struct item *it = find(f, id);

	return it ? decayed(it, now_ms) : 0;
}

size_t frecency_count(const struct frecency *f)
{
	return f->n;
}

int frecency_add(struct frecency *f, const char *id, long long now_ms)
{
	struct item *it = find(f, id);
	sqlite3_stmt *st;
	int rc;

	if (!it) {
		if (f->n == f->cap)
			f->v = xreallocarray(f->v, f->cap = f->cap ? f->cap * 2 : 32, sizeof(*f->v));
		f->v[f->n].id = xstrdup(id);
		f->v[f->n].score = 0;
		f->v[f->n].at_ms = now_ms;
		f->n++;
		qsort(f->v, f->n, sizeof(*f->v), cmp_item);
		it = find(f, id);
	}
	it->score = decayed(it, now_ms) + 1.0;
	it->at_ms = now_ms;
	if (sqlite3_prepare_v2(f->db, "INSERT OR REPLACE INTO frecency (entry, score, at_ms) VALUES (?, ?, ?)",
	    -1, &st, NULL) != SQLITE_OK)
		return fail("frecency: %s", store_error(f->db));
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, it->score);
	sqlite3_bind_int64(st, 3, it->at_ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : fail("frecency: %s", store_error(f->db));
}
