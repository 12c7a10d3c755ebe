/* layer.c - keyboard layer syntax (layer.h): evdev key names and the
 * actions a layer's keys take. */
#include "lib/config/layer.h"
#include "lib/config/binding.h"
#include "lib/core/util.h"

#include <linux/input-event-codes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Every key of a keyboard (codes 1 to KEY_MICMUTE), named by its KEY_
 * constant; kernels this side of 3.10 have them all. */
#define K(n) { KEY_##n, #n }
static const struct {
	uint16_t code;
	const char *name;
} keys[] = {
	K(ESC), K(1), K(2), K(3), K(4), K(5), K(6), K(7), K(8), K(9), K(0), K(MINUS), K(EQUAL),
	K(BACKSPACE), K(TAB), K(Q), K(W), K(E), K(R), K(T), K(Y), K(U), K(I), K(O), K(P),
	K(LEFTBRACE), K(RIGHTBRACE), K(ENTER), K(LEFTCTRL), K(A), K(S), K(D), K(F), K(G), K(H),
	K(J), K(K), K(L), K(SEMICOLON), K(APOSTROPHE), K(GRAVE), K(LEFTSHIFT), K(BACKSLASH),
	K(Z), K(X), K(C), K(V), K(B), K(N), K(M), K(COMMA), K(DOT), K(SLASH), K(RIGHTSHIFT),
	K(KPASTERISK), K(LEFTALT), K(SPACE), K(CAPSLOCK), K(F1), K(F2), K(F3), K(F4), K(F5),
	K(F6), K(F7), K(F8), K(F9), K(F10), K(NUMLOCK), K(SCROLLLOCK), K(KP7), K(KP8), K(KP9),
	K(KPMINUS), K(KP4), K(KP5), K(KP6), K(KPPLUS), K(KP1), K(KP2), K(KP3), K(KP0),
	K(KPDOT), K(ZENKAKUHANKAKU), K(102ND), K(F11), K(F12), K(RO), K(KATAKANA), K(HIRAGANA),
	K(HENKAN), K(KATAKANAHIRAGANA), K(MUHENKAN), K(KPJPCOMMA), K(KPENTER), K(RIGHTCTRL),
	K(KPSLASH), K(SYSRQ), K(RIGHTALT), K(LINEFEED), K(HOME), K(UP), K(PAGEUP), K(LEFT),
	K(RIGHT), K(END), K(DOWN), K(PAGEDOWN), K(INSERT), K(DELETE), K(MUTE), K(VOLUMEDOWN),
	K(VOLUMEUP), K(POWER), K(KPEQUAL), K(KPPLUSMINUS), K(PAUSE), K(SCALE), K(KPCOMMA),
	K(HANGEUL), K(HANJA), K(YEN), K(LEFTMETA), K(RIGHTMETA), K(COMPOSE), K(STOP), K(AGAIN),
	K(PROPS), K(UNDO), K(FRONT), K(COPY), K(OPEN), K(PASTE), K(FIND), K(CUT), K(HELP),
	K(MENU), K(CALC), K(SETUP), K(SLEEP), K(WAKEUP), K(FILE), K(SENDFILE), K(DELETEFILE),
	K(XFER), K(PROG1), K(PROG2), K(WWW), K(MSDOS), K(COFFEE), K(CYCLEWINDOWS), K(MAIL),
	K(BOOKMARKS), K(COMPUTER), K(BACK), K(FORWARD), K(CLOSECD), K(EJECTCD),
	K(EJECTCLOSECD), K(NEXTSONG), K(PLAYPAUSE), K(PREVIOUSSONG), K(STOPCD), K(RECORD),
	K(REWIND), K(PHONE), K(ISO), K(CONFIG), K(HOMEPAGE), K(REFRESH), K(EXIT), K(MOVE),
	K(EDIT), K(SCROLLUP), K(SCROLLDOWN), K(KPLEFTPAREN), K(KPRIGHTPAREN), K(NEW), K(REDO),
	K(F13), K(F14), K(F15), K(F16), K(F17), K(F18), K(F19), K(F20), K(F21), K(F22), K(F23),
	K(F24), K(PLAYCD), K(PAUSECD), K(PROG3), K(PROG4), K(SUSPEND), K(CLOSE), K(PLAY),
	K(FASTFORWARD), K(BASSBOOST), K(PRINT), K(HP), K(CAMERA), K(SOUND), K(QUESTION),
	K(EMAIL), K(CHAT), K(SEARCH), K(CONNECT), K(FINANCE), K(SPORT), K(SHOP), K(ALTERASE),
	K(CANCEL), K(BRIGHTNESSDOWN), K(BRIGHTNESSUP), K(MEDIA), K(SWITCHVIDEOMODE),
	K(KBDILLUMTOGGLE), K(KBDILLUMDOWN), K(KBDILLUMUP), K(SEND), K(REPLY), K(FORWARDMAIL),
	K(SAVE), K(DOCUMENTS), K(BATTERY), K(BLUETOOTH), K(WLAN), K(UWB), K(VIDEO_NEXT),
	K(VIDEO_PREV), K(BRIGHTNESS_CYCLE), K(BRIGHTNESS_AUTO), K(DISPLAY_OFF), K(WWAN),
	K(RFKILL), K(MICMUTE),
};

static const struct {
	const char *alias;
	uint16_t code;
} aliases[] = {
	{ "esc", KEY_ESC }, { "escape", KEY_ESC }, { "return", KEY_ENTER }, { "ctrl", KEY_LEFTCTRL },
	{ "control", KEY_LEFTCTRL }, { "leftcontrol", KEY_LEFTCTRL }, { "rightcontrol", KEY_RIGHTCTRL },
	{ "shift", KEY_LEFTSHIFT }, { "alt", KEY_LEFTALT }, { "altgr", KEY_RIGHTALT },
	{ "super", KEY_LEFTMETA }, { "meta", KEY_LEFTMETA }, { "leftsuper", KEY_LEFTMETA },
	{ "rightsuper", KEY_RIGHTMETA }, { "del", KEY_DELETE }, { "pgup", KEY_PAGEUP },
	{ "pgdn", KEY_PAGEDOWN }, { "ins", KEY_INSERT }, { "print", KEY_SYSRQ },
};

int layer_key_code(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(keys); i++)
		if (!strcasecmp(name, keys[i].name))
			return keys[i].code;
	for (size_t i = 0; i < ARRAY_LEN(aliases); i++)
		if (!strcasecmp(name, aliases[i].alias))
			return aliases[i].code;
	return -1;
}

const char *layer_key_name(unsigned code)
{
	static _Thread_local char lower[24];

	for (size_t i = 0; i < ARRAY_LEN(keys); i++)
		if (keys[i].code == code) {
			size_t n = 0;

			for (; keys[i].name[n] && n < sizeof(lower) - 1; n++)
				lower[n] = (char)(keys[i].name[n] | (keys[i].name[n] >= 'A' && keys[i].name[n] <= 'Z' ? 0x20 : 0));
			lower[n] = 0;
			return lower;
		}
	return NULL;
}

/* "MODS+KEY" into mods and code. */
static int parse_key(const char *s, uint8_t *mods, uint16_t *code)
{
	char key[BIND_MAX_KEY];
	unsigned m;
	int c;

	if (binding_parse(s, &m, key) < 0)
		return -1;
	if ((c = layer_key_code(key)) < 0)
		return fail("'%.64s': no key is called '%s' (evdev names: a, capslock, leftctrl, esc, f5...)", s, key);
	*mods = (uint8_t)m;
	*code = (uint16_t)c;
	return 0;
}

/* A layer reference: a modifier's name, or a layer's. */
static int parse_layer(const char *s, size_t n, struct layer_action *a)
{
	static const struct { const char *name; uint8_t bit; } mods[] = {
		{ "ctrl", BIND_CTRL }, { "control", BIND_CTRL }, { "shift", BIND_SHIFT }, { "alt", BIND_ALT },
		{ "super", BIND_SUPER }, { "meta", BIND_SUPER },
	};

	for (size_t i = 0; i < ARRAY_LEN(mods); i++)
		if (strlen(mods[i].name) == n && !strncasecmp(s, mods[i].name, n)) {
			a->hold_mods = mods[i].bit;
			return 0;
		}
	if (!n || n >= LAYER_NAME_MAX)
		return fail("a layer name must be 1 to %d bytes", LAYER_NAME_MAX - 1);
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_' || s[i] == '-'))
			return fail("'%.*s' is not a layer name (letters, digits, '_', '-')", (int)(n > 32 ? 32 : n), s);
	memcpy(a->layer, s, n);
	a->layer[n] = 0;
	return 0;
}

int layer_name_valid(const char *s)
{
	struct layer_action a;

	memset(&a, 0, sizeof(a));
	return strlen(s) < LAYER_NAME_MAX && parse_layer(s, strlen(s), &a) == 0 && !a.hold_mods;
}

static size_t trim(const char **s, size_t n)
{
	while (n && (**s == ' ' || **s == '\t'))
		(*s)++, n--;
	while (n && ((*s)[n - 1] == ' ' || (*s)[n - 1] == '\t'))
		n--;
	return n;
}

int layer_action_parse(const char *s, struct layer_action *a)
{
	static const struct { const char *fn; uint8_t kind; } fns[] = {
		{ "layer", LAYER_HOLD }, { "toggle", LAYER_TOGGLE }, { "overload", LAYER_OVERLOAD },
	};
	const char *open = strchr(s, '('), *arg, *comma;
	size_t n, len = strlen(s);

	memset(a, 0, sizeof(*a));
	if (len > 128)
		return fail("'%.32s...': too long for a key action", s);
	if (!strcasecmp(s, "noop")) {
		a->kind = LAYER_NOOP;
		return 0;
	}
	if (!open) {
		a->kind = LAYER_KEY;
		return parse_key(s, &a->mods, &a->code);
	}
	if (s[len - 1] != ')')
		return fail("'%.64s': a ')' is missing at the end", s);
	for (n = 0; n < ARRAY_LEN(fns); n++)
		if ((size_t)(open - s) == strlen(fns[n].fn) && !strncasecmp(s, fns[n].fn, strlen(fns[n].fn)))
			break;
	if (n == ARRAY_LEN(fns))
		return fail("'%.64s': not an action (a key, noop, layer(L), toggle(L), overload(L, KEY))", s);
	a->kind = fns[n].kind;
	arg = open + 1;
	len = (size_t)(s + len - 1 - arg);
	comma = memchr(arg, ',', len);
	if ((a->kind == LAYER_OVERLOAD) != !!comma)
		return fail("'%.64s': %s", s, comma ? "one argument, a layer" : "two arguments: a layer, then the key for a tap");
	n = comma ? (size_t)(comma - arg) : len;
	if (memchr(arg, '(', len) || memchr(arg, ')', len))
		return fail("'%.64s': actions do not nest", s);
	{
		const char *l = arg;
		size_t ln = trim(&l, n);

		if (parse_layer(l, ln, a) < 0)
			return fail("'%.64s': %s", s, last_error());
		if (a->hold_mods && a->kind == LAYER_TOGGLE)
			return fail("'%.64s': a modifier cannot be toggled", s);
	}
	if (comma) {
		const char *k = comma + 1;
		size_t kn = trim(&k, (size_t)(s + strlen(s) - 1 - k));
		char key[BIND_MAX_KEY];

		if (!kn || kn >= sizeof(key))
			return fail("'%.64s': the key for a tap is missing or too long", s);
		memcpy(key, k, kn);
		key[kn] = 0;
		if (parse_key(key, &a->mods, &a->code) < 0)
			return -1;
	}
	return 0;
}

static void mods_format(unsigned mods, char *out, unsigned outsz)
{
	snprintf(out, outsz, "%s%s%s%s", mods & BIND_SHIFT ? "shift+" : "", mods & BIND_CTRL ? "ctrl+" : "",
		mods & BIND_ALT ? "alt+" : "", mods & BIND_SUPER ? "super+" : "");
}

void layer_action_format(const struct layer_action *a, char *out, unsigned outsz)
{
	static const char *fn[] = { "", "", "layer", "toggle", "overload" };
	const char *key = layer_key_name(a->code);
	char m[32], tap[64] = "", l[LAYER_NAME_MAX];

	mods_format(a->mods, m, sizeof(m));
	if (a->kind == LAYER_KEY || a->kind == LAYER_OVERLOAD)
		snprintf(tap, sizeof(tap), "%s%s", m, key ? key : "?");
	if (a->kind == LAYER_KEY) {
		snprintf(out, outsz, "%s", tap);
		return;
	}
	if (a->kind == LAYER_NOOP || a->kind > LAYER_OVERLOAD) {
		snprintf(out, outsz, "noop");
		return;
	}
	if (a->hold_mods) {
		mods_format(a->hold_mods, l, sizeof(l));
		l[strlen(l) - 1] = 0;	/* one modifier: no '+' */
	} else {
		snprintf(l, sizeof(l), "%s", a->layer);
	}
	if (a->kind == LAYER_OVERLOAD)
		snprintf(out, outsz, "overload(%s, %s)", l, tap);
	else
		snprintf(out, outsz, "%s(%s)", fn[a->kind], l);
}
