/* requests.c - daemon-wm's answers: `sesame wm list`, `focus` and
 * `switch`, and a focus answered once the compositor reports it. */
#include "applets/wm/wm.h"
#include "lib/core/log.h"
#include "lib/core/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wayland-client.h>

static void put_win(const struct win *w, const char *state)
{
	wire_put_u32(&TT.out, WF_WINDOW, w->id);
	wire_put_str(&TT.out, WF_APP_ID, w->app_id ? w->app_id : "");
	wire_put_str(&TT.out, WF_TITLE, w->title ? w->title : "");
	wire_put_str(&TT.out, WF_STATE, state);
}

void wm_list(const struct wire_msg *m)
{
	int n;
	struct win **v;

	wm_hints_assign();
	v = wm_mru(&n);
	wire_begin(&TT.out, m->type, WIRE_F_REPLY, m->id);
	for (int i = 0; i < n; i++) {
		put_win(v[i], v[i]->focused ? "focused" : "");
		wire_put_str(&TT.out, WF_HINT, v[i]->hint);
	}
	free(v);
	if (TT.out.overflow) {
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "too many windows for one reply");
		return;
	}
	role_send(&TT.r, &TT.out);
}


/* Ask the compositor to focus w; the reply goes once it is focused. */
void wm_activate(const struct wire_msg *m, struct win *w)
{
	struct req *q;

	if (!TT.seat) {
		role_reply_error(&TT.r, m->id, WIRE_E_FAILED, "the compositor offers no seat to focus windows on");
		return;
	}
	zwlr_foreign_toplevel_handle_v1_activate(w->h, TT.seat);
	q = xcalloc(1, sizeof(*q));
	q->msg_id = m->id;
	q->type = m->type;
	q->win = w->id;
	q->deadline = role_now_ms() + FOCUS_WAIT_MS;
	q->next = TT.reqs;
	TT.reqs = q;
	if (w->focused)
		wm_answer(w->id, 0);
}

/* A window id ("12", "win-12") or an app id: its most recent window, or
 * the next most recent if that one is focused (so repeating cycles). */
static struct win *resolve(const char *t)
{
	const char *d = strncmp(t, "win-", 4) ? t : t + 4;
	long long id;
	int n;
	struct win **v, *hit = NULL, *first = NULL;
	char name[33], want[33] = "";

	if (parse_range(d, 0, UINT32_MAX, &id) == 0)
		return wm_find_id((uint32_t)id);
	if (strlen(t) < sizeof(want))	/* a longer one is no hint name */
		for (size_t i = 0; t[i]; i++)
			want[i] = (char)tolower((unsigned char)t[i]);
	v = wm_mru(&n);
	/* The app id exactly, then in any case, then the name hints use
	 * (org.gnome.Music: music; a key_bindings letter). */
	for (int pass = 0; pass < 3 && !first; pass++) {
		for (int i = 0; i < n; i++) {
			const char *a = v[i]->app_id ? v[i]->app_id : "";

			if (pass == 0 ? strcmp(a, t) : pass == 1 ? strcasecmp(a, t) :
			    !want[0] || strcmp(wm_hint_name(a, name, sizeof(name)), want))
				continue;
			if (!first)
				first = v[i];
			else if (!hit && first->focused)
				hit = v[i];
		}
	}
	free(v);
	return hit ? hit : first;
}

void wm_focus(const struct wire_msg *m)
{
	char t[MAX_TEXT + 1];
	struct win *w;

	if (wire_get_str(m, WF_TARGET, t, sizeof(t)) < 0 || !*t) {
		role_reply_error(&TT.r, m->id, WIRE_E_BAD_MESSAGE, "focus needs a window id or an app id");
		return;
	}
	if (!(w = resolve(t))) {
		role_reply_error(&TT.r, m->id, WIRE_E_NOT_FOUND, "window '%s' not found", t);
		return;
	}
	wm_activate(m, w);
}

void wm_switch(const struct wire_msg *m)
{
	uint32_t back = 0;
	int n;
	struct win **v = wm_mru(&n), *w = NULL;

	wire_get_u32(m, WF_BACKWARD, &back);
	if (n >= 2)
		w = back ? v[n - 1] : v[1];
	free(v);
	if (!w) {	/* no other window: nothing to do */
		wire_begin(&TT.out, m->type, WIRE_F_REPLY, m->id);
		role_send(&TT.r, &TT.out);
		return;
	}
	wm_activate(m, w);
}

/* Answer the requests waiting on window win (0: every window) that can
 * be answered: the window is focused or gone, or, with expired, the
 * wait is over. */
void wm_answer(uint32_t win, int expired)
{
	long long now = role_now_ms();

	for (struct req **p = &TT.reqs; *p; ) {
		struct req *q = *p;
		struct win *w = wm_find_id(q->win);

		if ((win && q->win != win) || (w && !w->focused && !(expired && now >= q->deadline))) {
			p = &q->next;
			continue;
		}
		*p = q->next;
		if (!w) {
			role_reply_error(&TT.r, q->msg_id, WIRE_E_NOT_FOUND, "window %u closed", q->win);
		} else {
			wire_begin(&TT.out, q->type, WIRE_F_REPLY, q->msg_id);
			put_win(w, w->focused ? "focused" : "requested");
			role_send(&TT.r, &TT.out);
		}
		free(q);
	}
}
