/* remap.h - daemon-input's layer engine: the key events of grabbed
 * keyboards in, the events its virtual keyboard sends out (keyd-like;
 * the syntax is lib/config/layer.h).  No I/O: the caller passes the time
 * and a function that sends one key event.
 *
 * Which layer a key press looks in: the layers held or toggled on, the
 * most recently switched on first, then the focused application's layer,
 * then "main", then the key itself.  What a press did is remembered until
 * its release, so a layer switched off meanwhile never leaves a key down.
 * overload(L, KEY) is a tap (KEY) if released within tap_ms with no other
 * key pressed meanwhile; otherwise a hold (L; a modifier is sent once
 * another key is pressed or tap_ms has passed).  Output keys are counted,
 * so two presses sending one key send one press and one release.
 */
#ifndef SESAME_REMAP_H
#define SESAME_REMAP_H

#include "lib/config/toml.h"

struct remap;

typedef void remap_emit_fn(void *ctx, unsigned code, int value);

struct remap *remap_new(remap_emit_fn *emit, void *ctx);
void remap_free(struct remap *r);
/* Replace the layers with those of a [profiles.P.input.layers] table and
 * the application layers with those of [profiles.P.input.apps] (either
 * may be NULL); each entry that cannot be used is passed to bad (with
 * the reason) and left out.  Keys down are released first.  The number
 * of keys remapped in all. */
int remap_load(struct remap *r, const struct toml_value *layers, const struct toml_value *apps, int tap_ms,
	void (*bad)(const char *what, const char *why));
/* The focused application changed (its app id; NULL or "": none). */
void remap_set_app(struct remap *r, const char *app_id);
/* A key event of a grabbed keyboard (value 0 release, 1 press, 2 repeat)
 * at now (ms).  1 if it completes the panic combination (backspace,
 * escape and enter held together), else 0. */
int remap_key(struct remap *r, unsigned code, int value, long long now);
/* When remap_tick is next needed (ms), or -1. */
long long remap_deadline(const struct remap *r);
void remap_tick(struct remap *r, long long now);
/* Release every key the output holds, and forget every press and layer
 * switched on: before the grab ends. */
void remap_release(struct remap *r);

/* For status: layer i's name, keys remapped, and how it is active now
 * ("main", "held", "toggled", "app", or ""); -1 past the last. */
int remap_layer(const struct remap *r, int i, const char **name, int *count, const char **state);
/* The focused application's id as last set ("" if none). */
const char *remap_app(const struct remap *r);

#endif
