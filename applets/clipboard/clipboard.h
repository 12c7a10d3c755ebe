/* clipboard.h - daemon-clipboard's insides, shared by its files:
 *   daemon_clipboard.c  main: Wayland, the selection and its capture, the loop
 *   history.c           the history files: store, list, expire
 *   requests.c          the requests, and work waiting for a profile's key
 *   sensitive.c         what looks like a secret
 *   source.c            our own selection (clipboard copy, secret get --clip)
 * Its state is one struct, TT (toybox's name), defined in
 * daemon_clipboard.c; one thread. */
#ifndef SESAME_CLIPBOARD_H
#define SESAME_CLIPBOARD_H

#include "lib/bus/role.h"
#include "lib/core/names.h"
#include "lib/store/vault.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <wayland-client.h>

#include "proto/wlr-data-control-unstable-v1.h"

#define CLIP_MAX 60000		/* fits in one bus reply */
#define CLIP_READ_MS 2000	/* a source that does not finish writing is dropped */
#define KEY_WAIT_MS 3000
#define PREVIEW 80
#define HINT_MIME "x-kde-passwordManagerHint"
/* The types recorded (clipboard_text_mimes): text first, the images from
 * CLIP_IMAGES on. */
#define CLIP_MIMES 9
#define CLIP_IMAGES 5
/* Offered with our own selection, so that it is not recorded again. */
#define OWN_MIME "application/x-sesame-selection"

/* Text types, most preferred first. */
struct offer {
	struct zwlr_data_control_offer_v1 *o;
	int text;		/* the best type offered: index into clipboard_text_mimes
				 * (text before images), -1: none */
	int hint;		/* offers HINT_MIME */
	int own;		/* offers OWN_MIME: ours (source.c) */
};

/* A selection being read. */
struct capture {
	int fd;			/* -1: none */
	uint8_t *buf;		/* secure memory, CLIP_MAX + 1 */
	size_t len;
	int hint, mime;
	unsigned gen;		/* the selection it belongs to */
	long long deadline;
};

/* Work waiting for the profile's key. */
struct op {
	uint32_t id;		/* our WIRE_CLIPBOARD_KEY request */
	long long deadline;
	char profile[PROFILE_BUF];
	/* a capture to store: */
	uint8_t *data;		/* secure memory */
	size_t len;
	int mime;
	const char *kind;
	uint64_t time, expires;
	/* or a request to answer: */
	uint8_t type;
	uint32_t req;
	uint64_t clip;
	uint32_t limit;
	struct op *next;
};

struct db {
	char profile[PROFILE_BUF];
	sqlite3 *db;
	struct db *next;
};

struct clipboard_state {
	struct role r;
	struct wl_display *dpy;
	struct wl_registry *reg;
	struct wl_seat *seat;
	struct zwlr_data_control_manager_v1 *mgr;
	struct zwlr_data_control_device_v1 *dev;
	struct offer pending;	/* announced by data_offer, not yet the selection */
	struct offer current;	/* the selection */
	unsigned gen;		/* counts selections */
	struct capture cap;
	unsigned clear_gen;	/* the sensitive selection to clear at clear_at */
	long long clear_at;	/* monotonic ms; 0: none */
	/* The primary selection (data-control v2), looked at for secrets only. */
	int mgr_version;
	unsigned pgen, pclear_gen;
	struct capture pcap;
	long long pclear_at;
	struct op *ops;
	uint32_t next_id;
	struct db *dbs;
	uint64_t next_exp;	/* the soonest expiry of the open histories, 0: none */
	int exp_stale;		/* a history changed: next_exp is to be read again */
	int finished;
	long long retry_at;	/* with no compositor: when to look for one again */
	struct wire_out *out;	/* secure memory: replies may hold values */
	struct {		/* our own selection (source.c) */
		struct zwlr_data_control_source_v1 *src;
		uint8_t *data;		/* secure memory */
		size_t len;
		int sensitive;
		long long ttl_ms;	/* cleared this long after it is the selection; 0: not */
	} own;
};
extern struct clipboard_state clipboard_tt;
#define TT clipboard_tt

/* Text types, most preferred first (daemon_clipboard.c). */
extern const char *const clipboard_text_mimes[];

/* source.c */
/* Make len bytes the selection (copied into secure memory), offered as
 * text (or as mime, for an image), and as a password manager's if
 * sensitive; cleared ttl_ms after it becomes the selection (0: left).
 * -1 with a reason if there is no compositor. */
int clipboard_source_set(const uint8_t *data, size_t len, const char *mime, int sensitive, long long ttl_ms);
/* Let go of it (someone else copied, or the compositor went away). */
void clipboard_source_drop(void);

/* daemon_clipboard.c */
/* The path of a setting of [profiles.<default>.clipboard] (a static buffer). */
const char *clipboard_setting(const char *key);
/* Clear the selection (a sensitive entry's time is up). */
void clipboard_clear_selection(void);

/* history.c */
/* The profile's history, opened (and expired) on first use; NULL: why is set. */
sqlite3 *clipboard_history(const char *profile);
/* The next expiry of any open history (wall ms), 0 if none. */
uint64_t clipboard_next_expiry(void);
/* Delete the entries whose time is up, in every open history. */
void clipboard_expire_entries(void);
/* Delete db's expired entries: how many, or -1 with a reason. */
int clipboard_purge_expired(sqlite3 *db);
int clipboard_exec(sqlite3 *db, const char *sql);
/* Seal and store a capture with the profile's key; -1 with a reason. */
int clipboard_store(struct op *o, const uint8_t key[VAULT_KEYLEN]);
/* Open row st (columns id, time, expires, kind, mime, value) into secure
 * memory; NULL with a reason. */
uint8_t *clipboard_row_open(sqlite3_stmt *st, const char *profile, const uint8_t key[VAULT_KEYLEN], size_t *len);
/* A one-line preview: up to the first newline, at most PREVIEW bytes cut
 * on a character boundary, "..." if anything was left out. */
void clipboard_preview(const uint8_t *s, size_t len, char *outp, size_t max);

/* requests.c */
void clipboard_handle(const struct wire_msg *m);
/* Ask daemon-secrets for the profile's key; o waits for it. */
void clipboard_want_key(struct op *o);
/* Drop the work whose key did not come in time. */
void clipboard_expire_ops(void);
void clipboard_op_free(struct op *o);

#endif
