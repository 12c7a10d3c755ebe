/* store.h - a small SQLite database of a role's own (launcher frecency,
 * snippets): one file per profile, 0600, WAL, synchronous=FULL. */
#ifndef SESAME_STORE_H
#define SESAME_STORE_H

#include <sqlite3.h>

/* Load SQLite (a DLOPEN build's first user does) and set it up for a
 * daemon holding a few small databases; once, before the first open.
 * 0, or -1 with a reason. */
int store_load(void);
/* Open (creating it 0600 if needed) the database at path and run schema
 * (CREATE ... IF NOT EXISTS statements).  NULL with a reason. */
sqlite3 *store_open(const char *path, const char *schema);
/* db's last error as SQLite words it, with the system's reason added to
 * an I/O error ("disk I/O error (No space left on device)"). */
const char *store_error(sqlite3 *db);
/* The path of PROFILE's database in dir (created 0700): dir/PROFILE.db. */
int store_path(char *out, const char *dir, const char *profile);

#endif
