/* switcher.c - daemon-wm's overlay: the window switcher (a card per
 * window, hints typed to pick one) and the launcher's search field, drawn
 * by overlay.c; their keys, and the launches they ask daemon-launcher for. */
#include "applets/wm/hints.h"
#include "applets/wm/wm.h"
#include "lib/config/config.h"
#include "lib/core/log.h"
#include "lib/core/util.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wayland-client.h>

static const char *cfg_path(const char *key)
{
	static char path[200];

	snprintf(path, sizeof(path), "profiles.%s.wm.%s", config_default_profile(TT.r.conf), key);
	return path;
}

/* [profiles.P.wm.key_bindings]: its i-th binding's name, or NULL. */
static const char *binding_name(size_t i)
{
	const struct toml_value *t = config_get(TT.r.conf, cfg_path("key_bindings"));

	return t && t->type == TOML_TABLE && i < t->tab.n ? t->tab.kv[i].key : NULL;
}

static const char *binding_path(const char *name, const char *key)
{
	static char path[300];

	snprintf(path, sizeof(path), "%s.%s.%s", cfg_path("key_bindings"), name, key);
	return path;
}

/* The binding whose apps match app id a (exactly, ignoring case, or its
 * last dot-separated part), the first by name; NULL if none. */
static const char *binding_for(const char *a)
{
	const char *dot = strrchr(a, '.'), *last = dot ? dot + 1 : a, *name, *best = NULL, *p;

	for (size_t i = 0; (name = binding_name(i)); i++)
		for (size_t j = 0; (p = config_strv(TT.r.conf, binding_path(name, "apps"), j)); j++)
			if ((!strcasecmp(p, a) || !strcasecmp(p, last)) && (!best || strcmp(name, best) < 0))
				best = name;
	return best;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

const char *wm_hint_name(const char *app_id, char *out, size_t n)
{
	const char *b = binding_for(app_id ? app_id : "");

	if (b)
		snprintf(out, n, "%s", b);
	else
		hints_app_name(app_id ? app_id : "", out, n);
	for (char *p = out; *p; p++)
		*p = lower(*p);
	return out;
}

/* The windows' hints, by hints_assign (hints.h), their names from
 * key_bindings and app ids. */
void wm_hints_assign(void)
{
	char keys[64];
	int n;
	struct win **v = wm_mru(&n);
	struct hint_slot *slot = xcalloc((size_t)n + 1, sizeof(*slot));

	snprintf(keys, sizeof(keys), "%s", config_str(TT.r.conf, cfg_path("hint_keys"), "asdfghjkl"));
	for (int i = 0; i < n; i++) {
		wm_hint_name(v[i]->app_id, slot[i].name, sizeof(slot[i].name));
		memcpy(slot[i].hint, v[i]->hint, sizeof(slot[i].hint));
		memcpy(slot[i].made_for, v[i]->hint_name, sizeof(slot[i].made_for));
	}
	hints_assign(slot, n, keys);
	for (int i = 0; i < n; i++) {
		memcpy(v[i]->hint, slot[i].hint, sizeof(v[i]->hint));
		memcpy(v[i]->hint_name, slot[i].made_for, sizeof(v[i]->hint_name));
	}
	free(slot);
	free(v);
}

void wm_overlay_draw(void)
{
	struct overlay_card cards[MAX_CARDS];
	int n = 0, sel = 0;

	static char line[MAX_RESULTS][520], label[MAX_CARDS][64];

	if (TT.unl.on) {
		cards[n++] = (struct overlay_card){ .hint = "", .app_id = "", .title = TT.unl.note };
	} else if (TT.sw.launcher) {
		for (int i = 0; i < TT.sw.nres; i++) {
			snprintf(line[i], sizeof(line[i]), TT.sw.res_generic[i][0] ? "%s (%s)" : "%s", TT.sw.res_name[i],
				TT.sw.res_generic[i]);
			cards[n++] = (struct overlay_card){ .hint = "", .app_id = TT.sw.res_id[i], .title = line[i],
				.icon = TT.sw.res_icon[i], .name = TT.sw.res_name[i] };
		}
		sel = TT.sw.sel;
	} else if (TT.sw.stage[0]) {
		cards[n++] = (struct overlay_card){ .hint = TT.sw.typed, .app_id = "launch",
			.title = config_str(TT.r.conf, binding_path(TT.sw.stage, "launch"), "") };
	} else {
		for (int i = 0; i < TT.sw.n; i++) {
			struct win *w = wm_find_id(TT.sw.ids[i]);

			if (!w)
				continue;
			if (i == TT.sw.sel)
				sel = n;
			hints_app_label(w->app_id ? w->app_id : "", label[n], sizeof(label[n]));
			cards[n] = (struct overlay_card){ .hint = TT.sw.hints[i], .app_id = w->app_id ? w->app_id : "",
				.title = w->title ? w->title : "", .name = label[n], .focused = w->focused,
				.icon = w->app_id ? w->app_id : "",
				.dim = TT.sw.typed[0] && strncmp(TT.sw.hints[i], TT.sw.typed, strlen(TT.sw.typed)) };
			n++;
		}
	}
	if (overlay_show(TT.ov, cards, n, sel, TT.sw.typed, TT.unl.on ? wm_unlock_field() : TT.sw.launcher ?
	    TT.sw.query : NULL, TT.sw.visible) < 0)
		log_error("overlay: %s", last_error());
}

void wm_overlay_close(void)
{
	overlay_hide(TT.ov);
	memset(&TT.sw, 0, sizeof(TT.sw));
	TT.ov_idle_at = role_now_ms() + OVERLAY_KEEP_MS;
	if (TT.ov_stale)
		wm_overlay_release();
}

void wm_overlay_release(void)
{
	if (TT.sw.active) {	/* after it closes */
		TT.ov_stale = 1;
		return;
	}
	overlay_free(TT.ov);
	TT.ov = NULL;
	TT.ov_stale = 0;
	TT.ov_idle_at = 0;
#ifdef __GLIBC__
	malloc_trim(0);		/* give back what the fonts took (musl does by itself) */
#endif
}

/* Its answer is logged; a locked profile opens the password prompt. */
void wm_launch(const char *entry, const char *binding)
{
	const char *v;

	snprintf(TT.unl.entry, sizeof(TT.unl.entry), "%s", entry);
	snprintf(TT.unl.binding, sizeof(TT.unl.binding), "%s", binding ? binding : "");

	if (!TT.r.c) {
		log_error("overlay: cannot launch %s: not connected to the bus", entry);
		return;
	}
	wire_begin(&TT.ask, WIRE_LAUNCH_RUN, 0, TT.launch_id = ++TT.next_ask);
	wire_put_str(&TT.ask, WF_ENTRY, entry);
	for (size_t i = 0; binding && (v = config_strv(TT.r.conf, binding_path(binding, "tags"), i)); i++)
		wire_put_str(&TT.ask, WF_TAG, v);
	for (size_t i = 0; binding && (v = config_strv(TT.r.conf, binding_path(binding, "launch_args"), i)); i++)
		wire_put_str(&TT.ask, WF_ARG, v);
	role_send(&TT.r, &TT.ask);
	log_info("overlay: launching %s", entry);
}

/* Alt released, Enter: focus the selected window, or launch what is
 * staged or selected, and close. */
static void overlay_commit(void)
{
	struct win *w = !TT.sw.launcher && !TT.sw.stage[0] && TT.sw.sel >= 0 && TT.sw.sel < TT.sw.n ? wm_find_id(TT.sw.ids[TT.sw.sel]) : NULL;
	char entry[256] = "", stage[17];

	snprintf(stage, sizeof(stage), "%s", TT.sw.stage);
	if (TT.sw.launcher && TT.sw.sel < TT.sw.nres)
		snprintf(entry, sizeof(entry), "%s", TT.sw.res_id[TT.sw.sel]);
	else if (*stage)
		snprintf(entry, sizeof(entry), "%s", config_str(TT.r.conf, binding_path(stage, "launch"), ""));
	wm_overlay_close();
	if (w && TT.seat)
		zwlr_foreign_toplevel_handle_v1_activate(w->h, TT.seat);
	else if (*entry)
		wm_launch(entry, *stage ? stage : NULL);
}

static void search(void)
{
	if (!TT.r.c)
		return;
	wire_begin(&TT.ask, WIRE_LAUNCH_SEARCH, 0, TT.sw.search_id = ++TT.next_ask);
	wire_put_str(&TT.ask, WF_QUERY, TT.sw.query);
	wire_put_u32(&TT.ask, WF_LIMIT, MAX_RESULTS);
	role_send(&TT.r, &TT.ask);
}

static void search_results(const struct wire_msg *m)
{
	size_t pos = 0;
	uint16_t tag, len;
	const uint8_t *v;
	int n = -1;

	if (m->type != WIRE_LAUNCH_SEARCH) {
		char text[256] = "";

		wire_get_str(m, WF_TEXT, text, sizeof(text));
		log_warn("overlay: search: %s", text);
		n = 0;
	}
	while (m->type == WIRE_LAUNCH_SEARCH && wire_next(m, &pos, &tag, &v, &len)) {
		char *dst = NULL;

		if (tag == WF_ENTRY && n + 1 < MAX_RESULTS) {
			n++;
			TT.sw.res_name[n][0] = TT.sw.res_generic[n][0] = TT.sw.res_icon[n][0] = 0;
			dst = TT.sw.res_id[n];
		} else if (n >= 0 && tag == WF_NAME) {
			dst = TT.sw.res_name[n];
		} else if (n >= 0 && tag == WF_GENERIC) {
			dst = TT.sw.res_generic[n];
		} else if (n >= 0 && tag == WF_ICON) {
			dst = TT.sw.res_icon[n];
		}
		if (dst) {
			size_t k = len < 255 ? len : 255;

			memcpy(dst, v, k);
			dst[k] = 0;
			while (k && !utf8_valid(dst, k))
				dst[--k] = 0;
		}
	}
	TT.sw.nres = n + 1 > 0 ? n + 1 : 0;
	if (TT.sw.sel >= TT.sw.nres)
		TT.sw.sel = TT.sw.nres ? TT.sw.nres - 1 : 0;
	TT.sw.search_id = 0;
	wm_overlay_draw();
}


void wm_overlay_request(const struct wire_msg *m)
{
	uint32_t back = 0, launcher = 0, alt = 0;

	wire_get_u32(m, WF_BACKWARD, &back);
	wire_get_u32(m, WF_LAUNCHER, &launcher);
	wire_get_u32(m, WF_ALT, &alt);
	if (!TT.ov && wm_overlay_setup() < 0) {
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "no overlay: %s", TT.ov_error);
		return;
	}
	if (TT.sw.active && TT.sw.launcher != (launcher != 0))
		wm_overlay_close();	/* the other mode was asked for: start over in it */
	if (!TT.sw.active && launcher) {
		TT.sw.active = TT.sw.launcher = TT.sw.visible = 1;
		search();
	} else if (!TT.sw.active) {
		int n;
		struct win **v;

		wm_hints_assign();
		v = wm_mru(&n);
		TT.sw.n = n < MAX_CARDS ? n : MAX_CARDS;
		for (int i = 0; i < TT.sw.n; i++) {
			TT.sw.ids[i] = v[i]->id;
			snprintf(TT.sw.hints[i], sizeof(TT.sw.hints[i]), "%s", v[i]->hint);
		}
		free(v);
		TT.sw.active = 1;
		TT.sw.alt_held = alt != 0;
		TT.sw.sel = TT.sw.n >= 2 ? (back ? TT.sw.n - 1 : 1) : 0;
		TT.sw.draw_at = role_now_ms() + config_int(TT.r.conf, cfg_path("overlay_delay_ms"), 150);
		TT.sw.visible = 0;
	} else if (TT.sw.launcher && TT.sw.nres) {
		TT.sw.sel = (TT.sw.sel + (back ? TT.sw.nres - 1 : 1)) % TT.sw.nres;
	} else if (TT.sw.n) {	/* Alt+Tab again: the next one */
		TT.sw.sel = (TT.sw.sel + (back ? TT.sw.n - 1 : 1)) % TT.sw.n;
	}
	wm_overlay_draw();
	wire_begin(&TT.out, m->type, WIRE_F_REPLY, m->id);
	wire_put_u32(&TT.out, WF_WINDOW, !TT.sw.launcher && TT.sw.n && wm_find_id(TT.sw.ids[TT.sw.sel]) ? TT.sw.ids[TT.sw.sel] : 0);
	role_send(&TT.r, &TT.out);
}

/* A key_bindings entry named by letter c with a launch, or NULL. */
static const char *launchable(char c)
{
	const char *name;

	for (size_t i = 0; (name = binding_name(i)); i++)
		if (lower(name[0]) == c && *config_str(TT.r.conf, binding_path(name, "launch"), ""))
			return name;
	return NULL;
}

/* Typed so far: a hint exactly, with no longer hint starting with it,
 * focuses its window (the others are dimmed while a two-letter hint is
 * half typed).  A first letter no window has, bound in key_bindings with
 * a launch, stages that launch (Enter or Alt released starts it). */
static void overlay_type(uint32_t cp)
{
	char t[9];
	size_t l = strlen(TT.sw.typed);
	int exact = -1, longer = 0;
	const char *b;

	if (TT.sw.stage[0])
		return;		/* Backspace or Escape first */
	if (cp >= 'a' && cp <= 'z' && l < 8) {
		memcpy(t, TT.sw.typed, l);
		t[l] = (char)cp;
		t[l + 1] = 0;
	} else {
		return;
	}
	for (int i = 0; i < TT.sw.n; i++) {
		if (!strcmp(TT.sw.hints[i], t))
			exact = i;
		else if (!strncmp(TT.sw.hints[i], t, strlen(t)))
			longer = 1;
	}
	if (exact < 0 && !longer) {
		if (l || !(b = launchable((char)cp)))
			return;		/* no hint goes that way: ignored */
		snprintf(TT.sw.stage, sizeof(TT.sw.stage), "%s", b);
		snprintf(TT.sw.typed, sizeof(TT.sw.typed), "%s", t);
		TT.sw.visible = 1;
		wm_overlay_draw();
		return;
	}
	if (exact >= 0 && !longer) {
		TT.sw.sel = exact;
		overlay_commit();
		return;
	}
	snprintf(TT.sw.typed, sizeof(TT.sw.typed), "%s", t);
	if (exact >= 0)
		TT.sw.sel = exact;
	TT.sw.visible = 1;
	wm_overlay_draw();
}

/* The launcher's field: printable characters are appended, BackSpace
 * takes the last one; each change asks for results again. */
static void launcher_type(xkb_keysym_t sym, uint32_t cp)
{
	size_t l = strlen(TT.sw.query);

	if (sym == XKB_KEY_BackSpace) {
		if (!l)
			return;
		while (l && ((unsigned char)TT.sw.query[l - 1] & 0xc0) == 0x80)
			l--;
		TT.sw.query[l ? l - 1 : 0] = 0;
	} else if (cp >= 0x20 && cp != 0x7f) {
		char u[4];
		size_t k = utf8_encode(cp, u);

		if (!k || l + k >= sizeof(TT.sw.query))
			return;
		memcpy(TT.sw.query + l, u, k);
		TT.sw.query[l + k] = 0;
	} else {
		return;
	}
	TT.sw.sel = 0;
	wm_overlay_draw();
	search();
}

/* A key pressed while the overlay has the keyboard. */
void wm_overlay_key(xkb_keysym_t sym, uint32_t cp)
{
	int n = TT.sw.launcher ? TT.sw.nres : TT.sw.n;

	if (!TT.sw.active)
		return;
	if (TT.unl.on) {
		wm_unlock_key(sym, cp);
		return;
	}
	switch (sym) {
	case XKB_KEY_Escape:
		wm_overlay_close();
		return;
	case XKB_KEY_Return: case XKB_KEY_KP_Enter:
		overlay_commit();
		return;
	case XKB_KEY_Tab: case XKB_KEY_Down:
		if (n && !TT.sw.stage[0])
			TT.sw.sel = (TT.sw.sel + 1) % n;
		break;
	case XKB_KEY_ISO_Left_Tab: case XKB_KEY_Up:
		if (n && !TT.sw.stage[0])
			TT.sw.sel = (TT.sw.sel + n - 1) % n;
		break;
	case XKB_KEY_Right: case XKB_KEY_Left:
		if (TT.sw.launcher)
			return;
		if (n && !TT.sw.stage[0])
			TT.sw.sel = (TT.sw.sel + (sym == XKB_KEY_Right ? 1 : n - 1)) % n;
		break;
	case XKB_KEY_BackSpace:
		if (TT.sw.launcher) {
			launcher_type(sym, 0);
			return;
		}
		if (*TT.sw.typed)
			TT.sw.typed[strlen(TT.sw.typed) - 1] = 0;
		TT.sw.stage[0] = 0;
		break;
	default:
		if (TT.sw.launcher)
			launcher_type(sym, cp);
		else
			overlay_type(cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp);
		return;
	}
	TT.sw.visible = 1;
	wm_overlay_draw();
}

/* The modifiers changed: Alt up after it was seen held commits (the
 * Alt+Tab switch).  Not in the launcher, where Alt is only how it was
 * called up (Alt+Space). */
void wm_overlay_alt(int held)
{
	if (!TT.sw.active || TT.sw.launcher || TT.unl.on)
		return;
	if (held)
		TT.sw.alt_seen = 1;
	else if (TT.sw.alt_seen)
		overlay_commit();
}

/* The overlay has the keyboard, alt_down if an Alt key is among the keys
 * held.  If the caller said Alt was held (--alt) and it is not, it went
 * up before the overlay had the keyboard: a quick Alt+Tab, committed now.
 * (The modifiers are no proof: a seat may report those of a keyboard
 * that is gone.) */
void wm_overlay_enter(int alt_down)
{
	if (TT.sw.active && !TT.sw.launcher && !TT.unl.on && TT.sw.alt_held && !alt_down)
		overlay_commit();
}

void wm_reply(const struct wire_msg *m)
{
	char text[256] = "";
	uint32_t pid = 0;

	if (TT.sw.launcher && m->id == TT.sw.search_id) {
		search_results(m);
		return;
	}
	if (wm_unlock_reply(m))
		return;
	if (m->id != TT.launch_id)
		return;
	TT.launch_id = 0;
	if (m->type == WIRE_LAUNCH_RUN) {
		wire_get_u32(m, WF_PID, &pid);
		wire_get_str(m, WF_ENTRY, text, sizeof(text));
		log_info("overlay: launched %s (pid %u)", text, pid);
	} else {
		char profile[PROFILE_BUF] = "";
		uint32_t code = 0;

		wire_get_u32(m, WF_CODE, &code);
		wire_get_str(m, WF_TEXT, text, sizeof(text));
		if (code == WIRE_E_LOCKED && wire_get_str(m, WF_PROFILE, profile, sizeof(profile)) == 0 &&
		    profile_name_valid(profile) && !TT.sw.active)
			wm_unlock_ask(profile);
		else
			log_error("overlay: launch failed: %s", text);
	}
}

/* The overlay's style, libraries and fonts, loaded at the first request:
 * fontconfig and the fonts take ~4 MiB that an idle daemon-wm need not
 * hold, and the first cards are drawn overlay_delay_ms later anyway.
 * -1 with the reason in TT.ov_error. */
int wm_overlay_setup(void)
{
	long long t0 = role_now_ms();

	static const struct { const char *key, *def; size_t off; } colors[] = {
		{ "background_color", "#000000c8", offsetof(struct overlay_style, background) },
		{ "card_color", "#1e1e1ef0", offsetof(struct overlay_style, card) },
		{ "text_color", "#ffffff", offsetof(struct overlay_style, text) },
		{ "hint_color", "#a0a0a0", offsetof(struct overlay_style, hint) },
		{ "hint_matched_color", "#4caf50", offsetof(struct overlay_style, hint_matched) },
		{ "border_color", "#89b4fa", offsetof(struct overlay_style, border) },
	};
	struct overlay_style st = { .font = config_str(TT.r.conf, cfg_path("font"), "monospace:size=14"),
		.icon_theme = config_str(TT.r.conf, cfg_path("icon_theme"), "") };

	for (size_t i = 0; i < ARRAY_LEN(colors); i++) {
		uint32_t *c = (uint32_t *)((char *)&st + colors[i].off);

		if (config_color(config_str(TT.r.conf, cfg_path(colors[i].key), colors[i].def), c) < 0)
			config_color(colors[i].def, c);
	}
	st.border_width = (int)(config_float(TT.r.conf, cfg_path("border_width"), 4.0) + 0.5);
	st.max_cards = (int)config_int(TT.r.conf, cfg_path("max_visible_windows"), 20);
	st.field_rows = MAX_RESULTS;
	st.show_title = config_bool(TT.r.conf, cfg_path("show_title"), 1);
	st.show_app_id = config_bool(TT.r.conf, cfg_path("show_app_id"), 0);
	if (!(TT.ov = overlay_new(&st))) {
		snprintf(TT.ov_error, sizeof(TT.ov_error), "%s", last_error());
		log_warn("no overlay: %s", TT.ov_error);
		return -1;
	}
	log_info("overlay: fonts loaded in %lld ms", role_now_ms() - t0);
	return 0;
}
