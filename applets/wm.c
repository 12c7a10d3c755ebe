/* wm.c - `sesame wm list|focus|switch`: the compositor's windows, through
 * daemon-wm.  Titles are other programs' text: control characters and
 * broken UTF-8 are shown as '?', never sent to the terminal. */
#include "applets/applet.h"
#include "lib/bus/bus.h"
#include "lib/cli/cli.h"
#include "lib/core/paths.h"
#include "lib/core/util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*APPLET wm wm_main "list and focus windows (Wayland, through daemon-wm)"
usage: sesame wm list [--json]
       sesame wm watch [--json]
       sesame wm focus ID|APP_ID
       sesame wm switch [--backward]
       sesame wm overlay [--launcher] [--backward] [--alt]

  list     every window, most recently focused first: ID, APP ID, TITLE
           and "focused" for the focused one (tab-separated)
  focus    focus a window by its ID (from list), or by app id, or by the
           name its hint comes from (Music for org.gnome.Music): its most
           recently focused window, or the next one if that is already
           focused (so repeating it cycles through the app's windows)
  watch    follow windows opening, being focused and closing, a line
           each: EVENT, ID, APP ID, TITLE (tab-separated); until
           interrupted
  switch   focus the window focused before the current one; with
           --backward, the least recently focused one
  overlay  show the window switcher (daemon-wm's help tells the keys); run
           again while it shows, it moves the selection, as Alt+Tab
           does; with --launcher, a search field instead: what is typed
           is searched by daemon-launcher, Enter starts the selection

  --json      list as a JSON array of {"id","app_id","title","focused",
              "hint"} (the switcher's hint);
              watch as one {"event","id","app_id","title"} per line
  --backward  switch: the least recently focused window; overlay: select
              backwards
  --launcher  overlay: the launcher's search field instead of the windows
  --alt       overlay: Alt is held (an Alt+Tab binding runs it); if it is
              up already when the switcher gets the keyboard, the switch
              happens at once (setup-keybinding's lines pass it)

Window ids are given by daemon-wm and change when it restarts.  Exit 69
if daemon-wm is not running, 1 if there is no such window.
*/

struct win {
	uint32_t id;
	const uint8_t *app, *title, *state, *hint;
	uint16_t app_len, title_len, state_len, hint_len;
};

/* The windows of a reply, in order; the count. */
static int windows(const struct wire_msg *m, struct win *w, int max)
{
	size_t pos = 0;
	uint16_t tag, len;
	const uint8_t *v;
	int n = -1;

	while (wire_next(m, &pos, &tag, &v, &len)) {
		if (tag == WF_WINDOW && len == 4 && n + 1 < max) {
			n++;
			memset(&w[n], 0, sizeof(w[n]));
			w[n].id = (uint32_t)wire_uint(v, len);
		} else if (n >= 0 && tag == WF_APP_ID) {
			w[n].app = v, w[n].app_len = len;
		} else if (n >= 0 && tag == WF_TITLE) {
			w[n].title = v, w[n].title_len = len;
		} else if (n >= 0 && tag == WF_STATE) {
			w[n].state = v, w[n].state_len = len;
		} else if (n >= 0 && tag == WF_HINT) {
			w[n].hint = v, w[n].hint_len = len;
		}
	}
	return n + 1;
}

static int focused(const struct win *w)
{
	return w->state_len == 7 && !memcmp(w->state, "focused", 7);
}

static void print_list(const struct wire_msg *m, int json)
{
	static struct win w[4096];
	int n = windows(m, w, (int)ARRAY_LEN(w));

	if (json) {
		printf("[");
		for (int i = 0; i < n; i++) {
			printf("%s{\"id\":%u,\"app_id\":", i ? "," : "", w[i].id);
			cli_json_str(stdout, w[i].app, w[i].app_len);
			printf(",\"title\":");
			cli_json_str(stdout, w[i].title, w[i].title_len);
			printf(",\"focused\":%s,\"hint\":", focused(&w[i]) ? "true" : "false");
			cli_json_str(stdout, w[i].hint, w[i].hint_len);
			printf("}");
		}
		printf("]\n");
		return;
	}
	if (!n) {
		fprintf(stderr, "No windows tracked.\n");
		return;
	}
	for (int i = 0; i < n; i++) {
		printf("%u\t", w[i].id);
		cli_put_safe(stdout, w[i].app, w[i].app_len);
		putchar('\t');
		cli_put_safe(stdout, w[i].title, w[i].title_len);
		printf("%s\n", focused(&w[i]) ? "\tfocused" : "");
	}
}

static void print_focus(const struct wire_msg *m, int sw)
{
	struct win w;

	if (windows(m, &w, 1) < 1) {
		if (sw)
			fprintf(stderr, "No other window to switch to.\n");
		return;
	}
	printf(sw ? "Switched to: " : "Focused window %u: ", w.id);
	cli_put_safe(stdout, w.title, w.title_len);
	printf(" (");
	cli_put_safe(stdout, w.app, w.app_len);
	printf(")%s\n", focused(&w) ? "" : "; the compositor has not focused it yet");
}

static const struct cli_field event_fields[] = {
	{ WF_STATE, "event", 's' }, { WF_WINDOW, "id", 'u' }, { WF_APP_ID, "app_id", 's' },
	{ WF_TITLE, "title", 's' },
};

int wm_main(int argc, char **argv)
{
	struct cli_io *io = xcli_io();
	struct wire_out *req = &io->req;
	const char *cmd;
	int o, json = 0, back = 0, launcher = 0, alt = 0, type;
	struct bus_client *c;
	struct wire_msg m;

	if (argc < 2)
		usage_error("wm", "which one: list, focus, switch or overlay?");
	cmd = argv[1];
	argv++, argc--;
	while ((o = getopt_long(argc, argv, OPTSTR_wm, longopts_wm, NULL)) != -1) {
		switch (o) {
		case OPT_JSON: json = 1; break;
		case OPT_BACKWARD: back = 1; break;
		case OPT_LAUNCHER: launcher = 1; break;
		case OPT_ALT: alt = 1; break;
		default: usage_option("wm", argv, o, longopts_wm);
		}
	}
	argc -= optind, argv += optind;
	if (!strcmp(cmd, "watch")) {
		if (argc || back || launcher || alt)
			usage_error("wm", "watch takes only --json");
		xcli_watch("wm", event_fields, ARRAY_LEN(event_fields), json);
	}
	if (!strcmp(cmd, "list"))
		type = WIRE_WM_LIST;
	else if (!strcmp(cmd, "focus"))
		type = WIRE_WM_FOCUS;
	else if (!strcmp(cmd, "switch"))
		type = WIRE_WM_SWITCH;
	else if (!strcmp(cmd, "overlay"))
		type = WIRE_WM_OVERLAY;
	else
		usage_error("wm", "unknown subcommand '%s' (list, watch, focus, switch, overlay)", cmd);
	if (type == WIRE_WM_FOCUS ? argc != 1 : argc != 0)
		usage_error("wm", type == WIRE_WM_FOCUS ? "focus needs exactly one ID or APP_ID" :
			"%s takes no arguments", cmd);
	if ((json && type != WIRE_WM_LIST) || (back && type != WIRE_WM_SWITCH && type != WIRE_WM_OVERLAY) ||
	    (launcher && type != WIRE_WM_OVERLAY))
		usage_error("wm", "that option does not go with %s", cmd);
	if (alt && (type != WIRE_WM_OVERLAY || launcher))
		usage_error("wm", "--alt goes with the switcher: sesame wm overlay --alt");
	wire_begin(req, (uint8_t)type, 0, 0);
	if (type == WIRE_WM_FOCUS)
		wire_put_str(req, WF_TARGET, argv[0]);
	if (back)
		wire_put_u32(req, WF_BACKWARD, 1);
	if (launcher)
		wire_put_u32(req, WF_LAUNCHER, 1);
	if (alt)
		wire_put_u32(req, WF_ALT, 1);
	if (wire_end(req) < 0)
		die("wm: %s", last_error());
	c = xcli_ask(io, &m);
	if (type == WIRE_WM_LIST)
		print_list(&m, json);
	else if (type != WIRE_WM_OVERLAY)
		print_focus(&m, type == WIRE_WM_SWITCH);
	cli_done(c, io, &m);
	return fflush(stdout) == 0 ? 0 : 1;
}
