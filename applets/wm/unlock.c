/* unlock.c - the overlay's password prompt: a launch that needs a locked
 * profile's secrets opens it, the password typed (into secure memory,
 * shown as dots, never logged) unlocks the profile through daemon-secrets
 * and the launch is asked again. */
#include "applets/wm/wm.h"
#include "lib/core/log.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <wayland-client.h>

#define PW_MAX 256

void wm_unlock_cancel(void)
{
	if (TT.unl.pw)
		secmem_free(TT.unl.pw);	/* wiped */
	TT.unl.pw = NULL;
	TT.unl.len = 0;
	TT.unl.on = 0;
	TT.unl.id = 0;
}

void wm_unlock_ask(const char *profile)
{
	if (!TT.ov && wm_overlay_setup() < 0) {
		log_error("overlay: profile %s is locked and there is no overlay to ask for its password: %s", profile,
			TT.ov_error);
		return;
	}
	wm_unlock_cancel();
	snprintf(TT.unl.profile, sizeof(TT.unl.profile), "%s", profile);
	snprintf(TT.unl.note, sizeof(TT.unl.note), "Password of profile %s, then Enter", profile);
	TT.unl.pw = xsecmem_alloc(PW_MAX);
	TT.unl.on = 1;
	memset(&TT.sw, 0, sizeof(TT.sw));
	TT.sw.active = TT.sw.visible = 1;
	log_info("overlay: profile %s is locked: asking for its password to launch %s", profile, TT.unl.entry);
	wm_overlay_draw();
}

/* The field: a dot per character typed. */
const char *wm_unlock_field(void)
{
	static char dots[3 * 64 + 1];
	size_t n = 0, at = 0;

	for (size_t i = 0; i < TT.unl.len; i++)
		n += (TT.unl.pw[i] & 0xc0) != 0x80;
	for (size_t i = 0; i < n && at + 3 < sizeof(dots); i++, at += 3)
		memcpy(dots + at, "\xe2\x80\xa2", 3);
	dots[at] = 0;
	return dots;
}

static void send_unlock(void)
{
	struct wire_out *q;

	if (!TT.unl.len || TT.unl.id)
		return;
	if (!TT.r.c) {
		snprintf(TT.unl.note, sizeof(TT.unl.note), "Not connected to the bus: cannot unlock %s", TT.unl.profile);
		return;
	}
	q = xsecmem_alloc(sizeof(*q));
	wire_begin(q, WIRE_UNLOCK, 0, TT.unl.id = ++TT.next_ask);
	wire_put_str(q, WF_PROFILE, TT.unl.profile);
	wire_put(q, WF_PASSWORD, TT.unl.pw, TT.unl.len);
	role_send(&TT.r, q);
	secmem_free(q);
	sodium_memzero(TT.unl.pw, PW_MAX);
	TT.unl.len = 0;
	snprintf(TT.unl.note, sizeof(TT.unl.note), "Unlocking profile %s...", TT.unl.profile);
}

void wm_unlock_key(xkb_keysym_t sym, uint32_t cp)
{
	if (sym == XKB_KEY_Escape) {
		log_info("overlay: the password prompt for profile %s was cancelled", TT.unl.profile);
		wm_unlock_cancel();
		wm_overlay_close();
		return;
	}
	if (sym == XKB_KEY_Return || sym == XKB_KEY_KP_Enter) {
		send_unlock();
	} else if (sym == XKB_KEY_BackSpace) {
		while (TT.unl.len && (TT.unl.pw[TT.unl.len - 1] & 0xc0) == 0x80)
			TT.unl.pw[--TT.unl.len] = 0;
		if (TT.unl.len)
			TT.unl.pw[--TT.unl.len] = 0;
	} else if (cp >= 0x20 && cp != 0x7f && !TT.unl.id) {
		char u[4];
		size_t k = utf8_encode(cp, u);

		if (!k || TT.unl.len + k >= PW_MAX)
			return;
		memcpy(TT.unl.pw + TT.unl.len, u, k);
		TT.unl.len += k;
		sodium_memzero(u, sizeof(u));
	} else {
		return;
	}
	wm_overlay_draw();
}

int wm_unlock_reply(const struct wire_msg *m)
{
	char text[200] = "";

	if (!TT.unl.on || !TT.unl.id || m->id != TT.unl.id)
		return 0;
	TT.unl.id = 0;
	if (m->type == WIRE_UNLOCK) {
		char entry[sizeof(TT.unl.entry)], binding[sizeof(TT.unl.binding)];

		log_info("overlay: profile %s unlocked; launching %s again", TT.unl.profile, TT.unl.entry);
		memcpy(entry, TT.unl.entry, sizeof(entry));	/* wm_launch writes them */
		memcpy(binding, TT.unl.binding, sizeof(binding));
		wm_unlock_cancel();
		wm_overlay_close();
		wm_launch(entry, *binding ? binding : NULL);
		return 1;
	}
	wire_get_str(m, WF_TEXT, text, sizeof(text));
	log_warn("overlay: unlocking profile %s failed: %s", TT.unl.profile, text);
	snprintf(TT.unl.note, sizeof(TT.unl.note), "%s: again", *text ? text : "not unlocked");
	wm_overlay_draw();
	return 1;
}
