/* remap.c - daemon-input's layer engine (remap.h). */
#include "applets/input/remap.h"
#include "lib/config/binding.h"
#include "lib/config/layer.h"
#include "lib/core/util.h"

#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_LAYERS 16
#define MAX_APPS 32
#define NKEYS KEY_CNT

struct entry {
	uint16_t from;
	int8_t target;		/* the layer an action names, resolved */
	struct layer_action a;
};

struct lay {
	char name[LAYER_NAME_MAX];
	struct entry *e;
	int n;
	int held;		/* presses holding it on */
	int toggled;
	unsigned seq;		/* when it was last switched on */
};

/* What a press did, kept until its release. */
struct press {
	uint8_t down;
	uint8_t kind;		/* enum layer_kind */
	uint8_t mods;		/* modifiers sent with out */
	uint8_t hold_mods;
	uint8_t interrupted;	/* overload: another key was pressed */
	uint8_t mods_sent;	/* overload: its modifier went out */
	int8_t layer;
	uint16_t out, tap;
	uint8_t tap_mods;
	long long t;
};

struct remap {
	struct lay lay[MAX_LAYERS];
	int nlay, main, app;
	struct { char id[128]; int layer; } apps[MAX_APPS];
	int napps;
	char app_id[128];
	struct press press[NKEYS];
	uint8_t out[NKEYS];	/* presses holding each output key down */
	unsigned seq;
	int tap_ms;
	remap_emit_fn *emit;
	void *ctx;
};

static const uint16_t mod_key[4] = { KEY_LEFTSHIFT, KEY_LEFTCTRL, KEY_LEFTALT, KEY_LEFTMETA };

struct remap *remap_new(remap_emit_fn *emit, void *ctx)
{
	struct remap *r = xcalloc(1, sizeof(*r));

	r->emit = emit;
	r->ctx = ctx;
	r->main = r->app = -1;
	r->tap_ms = 200;
	return r;
}

static void clear(struct remap *r)
{
	for (int i = 0; i < r->nlay; i++)
		free(r->lay[i].e);
	r->nlay = r->napps = 0;
	r->main = r->app = -1;
}

void remap_free(struct remap *r)
{
	if (!r)
		return;
	clear(r);
	free(r);
}

/* --- output ------------------------------------------------------------- */

static void out_key(struct remap *r, unsigned code, int value)
{
	if (code >= NKEYS)
		return;
	if (value == 1 && r->out[code]++ == 0)
		r->emit(r->ctx, code, 1);
	else if (value == 0 && r->out[code] && --r->out[code] == 0)
		r->emit(r->ctx, code, 0);
	else if (value == 2 && r->out[code])
		r->emit(r->ctx, code, 2);
}

/* Modifiers go down shift, ctrl, alt, super, and up the other way. */
static void out_mods(struct remap *r, unsigned mods, int value)
{
	for (int i = 0; i < 4; i++) {
		int b = value ? i : 3 - i;

		if (mods & 1u << b)
			out_key(r, mod_key[b], value);
	}
}

void remap_release(struct remap *r)
{
	for (unsigned c = 0; c < NKEYS; c++)
		if (r->out[c]) {
			r->out[c] = 0;
			r->emit(r->ctx, c, 0);
		}
	memset(r->press, 0, sizeof(r->press));
	for (int i = 0; i < r->nlay; i++)
		r->lay[i].held = r->lay[i].toggled = 0;
}

/* --- configuration ---------------------------------------------------------- */

static int find_layer(const struct remap *r, const char *name)
{
	for (int i = 0; i < r->nlay; i++)
		if (!strcmp(r->lay[i].name, name))
			return i;
	return -1;
}

static void add_layer(struct remap *r, const struct toml_kv *kv, void (*bad)(const char *, const char *))
{
	struct lay *l;
	char what[96];

	snprintf(what, sizeof(what), "layer '%.40s'", kv->key);
	if (r->nlay == MAX_LAYERS) {
		bad(what, "more than 16 layers");
		return;
	}
	if (memchr(kv->key, 0, kv->len) || !layer_name_valid(kv->key)) {
		bad(what, "not a layer name (letters, digits, '_', '-'; 31 at most; not a modifier's)");
		return;
	}
	if (kv->val->type != TOML_TABLE) {
		bad(what, "expected a table of KEY = \"action\"");
		return;
	}
	l = &r->lay[r->nlay];
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", kv->key);
	l->e = xcalloc(kv->val->tab.n ? kv->val->tab.n : 1, sizeof(*l->e));
	for (size_t i = 0; i < kv->val->tab.n; i++) {
		const struct toml_kv *k = &kv->val->tab.kv[i];
		const char *s = toml_cstr(k->val);
		struct entry *e = &l->e[l->n];
		int code;

		snprintf(what, sizeof(what), "layer '%.30s', key '%.40s'", l->name, k->key);
		if (memchr(k->key, 0, k->len) || (code = layer_key_code(k->key)) < 0) {
			bad(what, "no key has that name (evdev names: a, capslock, leftctrl, esc, f5...)");
			continue;
		}
		if (!s || layer_action_parse(s, &e->a) < 0) {
			bad(what, s ? last_error() : "expected an action (a string)");
			continue;
		}
		for (int j = 0; j < l->n; j++)
			if (l->e[j].from == code) {
				bad(what, "that key twice (an alias and its name?)");
				code = -1;
				break;
			}
		if (code < 0)
			continue;
		e->from = (uint16_t)code;
		l->n++;
	}
	r->nlay++;
}

/* Every action naming a layer gets its index; those naming none that
 * exists are left out. */
static void resolve(struct remap *r, void (*bad)(const char *, const char *))
{
	for (int i = 0; i < r->nlay; i++) {
		struct lay *l = &r->lay[i];

		for (int j = 0; j < l->n; j++) {
			struct entry *e = &l->e[j];
			char what[96], why[96];

			e->target = -1;
			if (e->a.kind == LAYER_KEY || e->a.kind == LAYER_NOOP || e->a.hold_mods)
				continue;
			if ((e->target = (int8_t)find_layer(r, e->a.layer)) >= 0)
				continue;
			snprintf(what, sizeof(what), "layer '%.30s', key '%s'", l->name, layer_key_name(e->from));
			snprintf(why, sizeof(why), "no layer is called '%s'", e->a.layer);
			bad(what, why);
			memmove(e, e + 1, (size_t)(l->n - j - 1) * sizeof(*e));
			l->n--, j--;
		}
	}
}

int remap_load(struct remap *r, const struct toml_value *layers, const struct toml_value *apps, int tap_ms,
	void (*bad)(const char *what, const char *why))
{
	int total = 0;

	remap_release(r);
	clear(r);
	r->tap_ms = tap_ms;
	if (layers && layers->type == TOML_TABLE)
		for (size_t i = 0; i < layers->tab.n; i++)
			add_layer(r, &layers->tab.kv[i], bad);
	resolve(r, bad);
	r->main = find_layer(r, "main");
	if (apps && apps->type == TOML_TABLE)
		for (size_t i = 0; i < apps->tab.n; i++) {
			const struct toml_kv *kv = &apps->tab.kv[i];
			const char *s = toml_cstr(kv->val);
			char what[160];
			int l;

			snprintf(what, sizeof(what), "apps '%.100s'", kv->key);
			if (!s || (l = find_layer(r, s)) < 0) {
				bad(what, s ? "no layer has that name" : "expected a layer's name");
				continue;
			}
			if (r->napps == MAX_APPS || kv->len >= sizeof(r->apps[0].id) || memchr(kv->key, 0, kv->len)) {
				bad(what, r->napps == MAX_APPS ? "more than 32 applications" : "not an app id");
				continue;
			}
			snprintf(r->apps[r->napps].id, sizeof(r->apps[0].id), "%s", kv->key);
			r->apps[r->napps++].layer = l;
		}
	for (int i = 0; i < r->nlay; i++)
		total += r->lay[i].n;
	remap_set_app(r, r->app_id);
	return total;
}

/* An app id matches as written, or by its last dot-separated part as the
 * switcher's hints do (org.mozilla.firefox: firefox), any case. */
void remap_set_app(struct remap *r, const char *app_id)
{
	const char *last;

	if (app_id != r->app_id)
		snprintf(r->app_id, sizeof(r->app_id), "%s", app_id ? app_id : "");
	last = strrchr(r->app_id, '.');
	last = last ? last + 1 : r->app_id;
	r->app = -1;
	for (int i = 0; i < r->napps && *r->app_id; i++)
		if (!strcasecmp(r->apps[i].id, r->app_id) || !strcasecmp(r->apps[i].id, last)) {
			r->app = r->apps[i].layer;
			break;
		}
}

/* --- keys ------------------------------------------------------------------- */

static const struct entry *in_layer(const struct lay *l, unsigned code)
{
	for (int i = 0; i < l->n; i++)
		if (l->e[i].from == code)
			return &l->e[i];
	return NULL;
}

/* The action a press of code takes: the active layers, newest first, then
 * the application's, then main. */
static const struct entry *lookup(const struct remap *r, unsigned code)
{
	const struct entry *e;
	unsigned done = 0;

	for (;;) {
		int best = -1;

		for (int i = 0; i < r->nlay; i++)
			if ((r->lay[i].held || r->lay[i].toggled) && !(done & 1u << i) &&
			    (best < 0 || r->lay[i].seq > r->lay[best].seq))
				best = i;
		if (best < 0)
			break;
		done |= 1u << best;
		if ((e = in_layer(&r->lay[best], code)))
			return e;
	}
	if (r->app >= 0 && (e = in_layer(&r->lay[r->app], code)))
		return e;
	if (r->main >= 0 && (e = in_layer(&r->lay[r->main], code)))
		return e;
	return NULL;
}

static void press(struct remap *r, unsigned code, long long now)
{
	const struct entry *e = lookup(r, code);
	struct press *p = &r->press[code];

	/* Any key pressed during an overload's hold makes it a hold. */
	for (unsigned c = 0; c < NKEYS; c++) {
		struct press *o = &r->press[c];

		if (o->down && o->kind == LAYER_OVERLOAD && !o->interrupted) {
			o->interrupted = 1;
			if (o->hold_mods && !o->mods_sent) {
				o->mods_sent = 1;
				out_mods(r, o->hold_mods, 1);
			}
		}
	}
	memset(p, 0, sizeof(*p));
	p->down = 1;
	p->t = now;
	if (!e) {
		p->kind = LAYER_KEY;
		p->out = (uint16_t)code;
		out_key(r, code, 1);
		return;
	}
	p->kind = e->a.kind;
	p->hold_mods = e->a.hold_mods;
	p->layer = e->target;
	switch (e->a.kind) {
	case LAYER_KEY:
		p->out = e->a.code;
		p->mods = e->a.mods;
		out_mods(r, p->mods, 1);
		out_key(r, p->out, 1);
		break;
	case LAYER_HOLD:
		if (p->hold_mods) {
			out_mods(r, p->hold_mods, 1);
		} else {
			r->lay[p->layer].held++;
			r->lay[p->layer].seq = ++r->seq;
		}
		break;
	case LAYER_TOGGLE:
		if ((r->lay[p->layer].toggled ^= 1))
			r->lay[p->layer].seq = ++r->seq;
		break;
	case LAYER_OVERLOAD:
		p->tap = e->a.code;
		p->tap_mods = e->a.mods;
		if (!p->hold_mods) {
			r->lay[p->layer].held++;
			r->lay[p->layer].seq = ++r->seq;
		}
		break;
	}
}

static void release(struct remap *r, unsigned code, long long now)
{
	struct press *p = &r->press[code];

	if (!p->down)
		return;		/* pressed before the grab: never sent */
	p->down = 0;
	switch (p->kind) {
	case LAYER_KEY:
		out_key(r, p->out, 0);
		out_mods(r, p->mods, 0);
		break;
	case LAYER_HOLD:
		if (p->hold_mods)
			out_mods(r, p->hold_mods, 0);
		else if (r->lay[p->layer].held)
			r->lay[p->layer].held--;
		break;
	case LAYER_OVERLOAD:
		if (p->hold_mods && p->mods_sent)
			out_mods(r, p->hold_mods, 0);
		else if (!p->hold_mods && r->lay[p->layer].held)
			r->lay[p->layer].held--;
		if (!p->interrupted && !p->mods_sent && now - p->t < r->tap_ms) {
			out_mods(r, p->tap_mods, 1);
			out_key(r, p->tap, 1);
			out_key(r, p->tap, 0);
			out_mods(r, p->tap_mods, 0);
		}
		break;
	}
}

int remap_key(struct remap *r, unsigned code, int value, long long now)
{
	if (code >= NKEYS)
		return 0;
	remap_tick(r, now);
	if (value == 1) {
		if (r->press[code].down)
			release(r, code, now);	/* a press without its release */
		press(r, code, now);
		return r->press[KEY_BACKSPACE].down && r->press[KEY_ESC].down && r->press[KEY_ENTER].down;
	}
	if (value == 0)
		release(r, code, now);
	else if (value == 2 && r->press[code].down && r->press[code].kind == LAYER_KEY)
		out_key(r, r->press[code].out, 2);
	return 0;
}

long long remap_deadline(const struct remap *r)
{
	long long d = -1;

	for (unsigned c = 0; c < NKEYS; c++) {
		const struct press *p = &r->press[c];

		if (p->down && p->kind == LAYER_OVERLOAD && p->hold_mods && !p->mods_sent &&
		    (d < 0 || p->t + r->tap_ms < d))
			d = p->t + r->tap_ms;
	}
	return d;
}

/* An overload onto a modifier held past tap_ms sends the modifier (a
 * held ctrl for a mouse click). */
void remap_tick(struct remap *r, long long now)
{
	for (unsigned c = 0; c < NKEYS; c++) {
		struct press *p = &r->press[c];

		if (p->down && p->kind == LAYER_OVERLOAD && p->hold_mods && !p->mods_sent &&
		    now - p->t >= r->tap_ms) {
			p->mods_sent = 1;
			out_mods(r, p->hold_mods, 1);
		}
	}
}

/* --- status ------------------------------------------------------------------- */

int remap_layer(const struct remap *r, int i, const char **name, int *count, const char **state)
{
	if (i < 0 || i >= r->nlay)
		return -1;
	*name = r->lay[i].name;
	*count = r->lay[i].n;
	*state = r->lay[i].held ? "held" : r->lay[i].toggled ? "toggled" : i == r->app ? "app" :
		i == r->main ? "main" : "";
	return 0;
}

const char *remap_app(const struct remap *r)
{
	return r->app_id;
}
