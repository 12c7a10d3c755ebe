/* Unit tests for daemon-input's layer engine (applets/input/remap.c) and
 * the layer syntax (lib/config/layer.c): each case is a key sequence in
 * and the exact key events out, as the virtual keyboard would send them. */
#include "applets/input/remap.h"
#include "lib/config/layer.h"
#include "lib/core/util.h"
#include "tap.h"

#include <linux/input-event-codes.h>
#include <stdio.h>
#include <string.h>

static char got[4096];
static char bads[1024];

/* Output as "name:value " words. */
static void emit(void *ctx, unsigned code, int value)
{
	const char *n = layer_key_name(code);
	size_t o = strlen(got);

	(void)ctx;
	snprintf(got + o, sizeof(got) - o, "%s%s:%d", o ? " " : "", n ? n : "?", value);
}

static void bad(const char *what, const char *why)
{
	size_t o = strlen(bads);

	snprintf(bads + o, sizeof(bads) - o, "%s: %s\n", what, why);
}

static struct toml_value *conf;

static struct remap *engine(const char *toml, int *n)
{
	struct remap *r = remap_new(emit, NULL);

	toml_free(conf);
	if (!(conf = toml_parse(toml, strlen(toml), "test")))
		return NULL;
	*bads = 0;
	*n = remap_load(r, toml_get(conf, "layers"), toml_get(conf, "apps"), 200, bad);
	return r;
}

/* Feed "name:value@ms ..." (ms optional: 10 after the previous). */
static const char *feed(struct remap *r, const char *seq)
{
	char buf[1024], *save, *w;
	long long t = 1000;

	*got = 0;
	snprintf(buf, sizeof(buf), "%s", seq);
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		char name[32];
		int value, ms = -1;

		if (sscanf(w, "%31[^:]:%d@%d", name, &value, &ms) < 2)
			return "bad test";
		t = ms >= 0 ? 1000 + ms : t + 10;
		remap_key(r, (unsigned)layer_key_code(name), value, t);
	}
	return got;
}

#define IS(r, in, want, ...) do { const char *g_ = feed(r, in); \
	ok(!strcmp(g_, want), __VA_ARGS__); if (strcmp(g_, want)) diag("got  %s\n# want %s", g_, want); } while (0)

static const char *cfg =
	"[layers.main]\n"
	"capslock = \"overload(nav, esc)\"\n"
	"leftmeta = \"overload(ctrl, leftmeta)\"\n"
	"rightalt = \"layer(nav)\"\n"
	"scrolllock = \"toggle(sym)\"\n"
	"insert = \"noop\"\n"
	"leftalt = \"leftmeta\"\n"
	"[layers.nav]\n"
	"h = \"left\"\n"
	"w = \"ctrl+right\"\n"
	"j = \"down\"\n"
	"[layers.sym]\n"
	"a = \"shift+1\"\n"
	"h = \"home\"\n"
	"[layers.browser]\n"
	"f1 = \"ctrl+t\"\n"
	"[apps]\n"
	"firefox = \"browser\"\n";

int main(void)
{
	struct layer_action a;
	char fmt[96];
	struct remap *r;
	int n;

	/* The syntax. */
	ok(layer_key_code("capslock") == KEY_CAPSLOCK && layer_key_code("CapsLock") == KEY_CAPSLOCK,
		"key names are the KEY_ constants, any case");
	ok(layer_key_code("esc") == KEY_ESC && layer_key_code("ctrl") == KEY_LEFTCTRL &&
		layer_key_code("102nd") == KEY_102ND && layer_key_code("micmute") == KEY_MICMUTE,
		"aliases, digits first, the last key named");
	ok(layer_key_code("capslok") < 0 && layer_key_code("") < 0, "a misspelled or empty name is no key");
	ok(!strcmp(layer_key_name(KEY_LEFTCTRL), "leftctrl"), "codes name back in lower case");
	ok(layer_action_parse(" overload( nav ,ctrl+c )", &a) < 0, "an action starts at its name");
	ok(layer_action_parse("overload( nav ,ctrl+c )", &a) == 0 && a.kind == LAYER_OVERLOAD &&
		!strcmp(a.layer, "nav") && a.code == KEY_C && a.mods == 2, "overload with blanks and a modified tap");
	layer_action_format(&a, fmt, sizeof(fmt));
	ok(!strcmp(fmt, "overload(nav, ctrl+c)"), "it formats canonically: %s", fmt);
	ok(layer_action_parse("layer(shift)", &a) == 0 && a.kind == LAYER_HOLD && a.hold_mods == 1 && !*a.layer,
		"layer(shift) holds a modifier");
	ok(layer_action_parse("toggle(ctrl)", &a) < 0 && strstr(last_error(), "cannot be toggled"),
		"a modifier is not toggled");
	ok(layer_action_parse("overload(nav)", &a) < 0 && strstr(last_error(), "two arguments"),
		"overload needs its tap key");
	ok(layer_action_parse("layer(a, b)", &a) < 0 && layer_action_parse("layer(nav", &a) < 0 &&
		layer_action_parse("layer(x(y))", &a) < 0 && layer_action_parse("swap(nav)", &a) < 0 &&
		layer_action_parse("layer()", &a) < 0 && layer_action_parse("ctrl+nokey", &a) < 0,
		"malformed actions are refused");
	ok(layer_name_valid("nav-2") && !layer_name_valid("ctrl") && !layer_name_valid("a b") &&
		!layer_name_valid("abcdefghijklmnopqrstuvwxyz0123456"), "layer names: no modifier, no blank, 31 at most");

	r = engine(cfg, &n);
	ok(r && n == 12 && !*bads, "the configuration loads: 12 keys in 4 layers");

	IS(r, "a:1 a:0", "a:1 a:0", "a key no layer names passes through");
	IS(r, "leftalt:1 leftalt:0", "leftmeta:1 leftmeta:0", "a key mapped to another");
	IS(r, "insert:1 insert:0", "", "noop sends nothing");
	IS(r, "capslock:1 capslock:0", "esc:1 esc:0", "an overload tapped sends its key on release");
	IS(r, "capslock:1@0 capslock:0@250", "", "held past tap_timeout_ms and released alone: nothing");
	IS(r, "capslock:1 h:1 h:0 capslock:0", "left:1 left:0", "held with h: the nav layer's left");
	IS(r, "capslock:1 w:1 w:0 capslock:0", "leftctrl:1 right:1 right:0 leftctrl:0",
		"a layer key with a modifier sends the modifier around it");
	IS(r, "capslock:1 h:1 capslock:0 h:0", "left:1 left:0",
		"a release after the layer went still releases what the press sent");
	IS(r, "h:1 h:0", "h:1 h:0", "the layer is off again");
	IS(r, "rightalt:1 j:1 j:2 j:2 j:0 rightalt:0", "down:1 down:2 down:2 down:0",
		"layer() held; repeats of a remapped key repeat it");
	IS(r, "leftmeta:1 leftmeta:0", "leftmeta:1 leftmeta:0", "overload(ctrl, leftmeta) tapped: super");
	IS(r, "leftmeta:1 c:1 c:0 leftmeta:0", "leftctrl:1 c:1 c:0 leftctrl:0",
		"held with c: ctrl+c (ctrl sent when c comes)");
	remap_key(r, KEY_LEFTMETA, 1, 5000);
	*got = 0;
	ok(remap_deadline(r) == 5200, "a held overload onto a modifier asks for a tick at tap_timeout_ms");
	remap_tick(r, 5200);
	ok(!strcmp(got, "leftctrl:1"), "then sends the modifier (ctrl+click works)");
	remap_key(r, KEY_LEFTMETA, 0, 5300);
	ok(!strcmp(got, "leftctrl:1 leftctrl:0") && remap_deadline(r) == -1, "and releases it, no tap");
	IS(r, "scrolllock:1 scrolllock:0 a:1 a:0 h:1 h:0", "leftshift:1 1:1 1:0 leftshift:0 home:1 home:0",
		"toggle(sym) switches a layer on");
	IS(r, "capslock:1 h:1 h:0 capslock:0", "left:1 left:0", "a layer held later comes first");
	IS(r, "scrolllock:1 scrolllock:0 a:1 a:0", "a:1 a:0", "and toggles it off again");
	IS(r, "leftctrl:1 leftalt:1 leftalt:0 leftctrl:0", "leftctrl:1 leftmeta:1 leftmeta:0 leftctrl:0",
		"a real modifier held passes through around remapped keys");
	IS(r, "leftalt:1 leftmeta:1 c:1 c:0 leftmeta:0 leftalt:0",
		"leftmeta:1 leftctrl:1 c:1 c:0 leftctrl:0 leftmeta:0", "overlapping holds stack");

	IS(r, "f1:1 f1:0", "f1:1 f1:0", "no application focused: f1 is f1");
	remap_set_app(r, "org.mozilla.firefox");
	IS(r, "f1:1 f1:0", "leftctrl:1 t:1 t:0 leftctrl:0", "firefox focused (by its last part): its layer");
	remap_set_app(r, "foot");
	IS(r, "f1:1 f1:0", "f1:1 f1:0", "another application: not");

	/* Two keys sending one: one press, one release, at the last release. */
	IS(r, "leftalt:1 leftmeta:1 leftmeta:0@100 leftalt:0@200", "leftmeta:1 leftmeta:0",
		"output keys are counted: super held by alt and tapped by the overload is one press");
	IS(r, "capslock:1 h:1", "left:1", "held keys...");
	*got = 0;
	remap_release(r);
	ok(!strcmp(got, "left:0"), "are released by remap_release (before letting go): %s", got);
	IS(r, "h:0 capslock:0 h:1 h:0", "h:1 h:0", "and their late releases send nothing; layers are off");

	ok(!remap_key(r, KEY_BACKSPACE, 1, 1) && !remap_key(r, KEY_ESC, 1, 2) && remap_key(r, KEY_ENTER, 1, 3),
		"backspace, escape and enter held: the panic keys");
	remap_release(r);
	remap_free(r);

	r = engine("[layers.main]\ncapslock = \"layer(nope)\"\nfrobnicate = \"a\"\nb = \"c\"\nB = \"d\"\n"
		"x = \"overload(nav)\"\n[layers.ctrl]\na = \"b\"\n[apps]\nfoot = \"nowhere\"\n", &n);
	ok(r && n == 1, "a configuration with mistakes keeps what is right (b = c)");
	ok(strstr(bads, "key 'capslock': no layer is called 'nope'") && strstr(bads, "'frobnicate': no key") &&
		strstr(bads, "'B': that key twice") && strstr(bads, "two arguments") &&
		strstr(bads, "layer 'ctrl': not a layer name") && strstr(bads, "apps 'foot': no layer"),
		"and names each mistake");
	if (!strstr(bads, "nope"))
		diag("%s", bads);
	remap_free(r);
	toml_free(conf);
	return done_testing();
}
