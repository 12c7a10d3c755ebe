/* daemon_input.c - daemon-input: key bindings and layers read straight
 * from evdev keyboards, whatever the compositor (or none: a console, a
 * kiosk).
 *
 * Keyboards are the /dev/input/event* devices that have KEY_A, KEY_Z and
 * KEY_ENTER; they are read passively unless layers are configured, and
 * followed with inotify on /dev/input, so a
 * keyboard plugged in later, or made readable later (udev ACLs), is
 * picked up, and one unplugged is dropped.  All of them feed one
 * xkbcommon state (keymap from the XKB_DEFAULT_* environment, else the
 * system default).  A key press whose unshifted symbol and exact
 * modifiers match a binding of [profiles.<default>.input.bindings] runs
 * that sesame command line (the same binary, no shell).  The last
 * bindings fired and how their commands ended are kept for `sesame input
 * status`, and published on the bus as they happen (`sesame input
 * watch`).
 *
 * With [profiles.<default>.input.layers], each keyboard is grabbed
 * (EVIOCGRAB: the session no longer sees it) once none of its keys is
 * down, and its keys go through the layer engine (remap.h) out of one
 * virtual keyboard (vkbd.h); bindings then match what comes out.  The
 * grab belongs to the open device, which no child inherits (O_CLOEXEC):
 * however daemon-input ends, even by SIGKILL, the kernel lets go of the
 * keyboard and destroys the virtual one, releasing what it held.  It
 * lets go itself without a virtual keyboard to send to, and when
 * backspace, escape and enter are held together (the panic keys).
 * Focus events of daemon-wm pick the application's layer.
 *
 * Sandboxed once its devices are open: Landlock lets it read /dev/input
 * (new keyboards too), its config and the runtime directory, and run
 * sesame (the binary and its libraries); seccomp adds fork, exec and
 * wait to the common list.  The commands it runs inherit both: they see
 * the same read-only world, which is all a bus client needs.
 */
#include "applets/applet.h"
#include "applets/input/remap.h"
#include "applets/input/vkbd.h"
#include "lib/bus/role.h"
#include "lib/config/binding.h"
#include "lib/config/toml.h"
#include "lib/core/log.h"
#include "lib/core/util.h"
#include "lib/desk/desklib.h"
#include "lib/sandbox/sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/input.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xkbcommon/xkbcommon.h>

/*APPLET daemon-input daemon_input_main role desktop "key bindings from input devices"
usage: daemon-input [--event-pipe PATH] [--uinput-file PATH]

Reads the keyboards under /dev/input (evdev; the user must be allowed to
read them, usually by being in the input group) and runs sesame
commands for the key combinations bound in [profiles.<default>.input.bindings]:

  [profiles.default.input.bindings]
  "super+alt+w" = "wm overlay"
  "ctrl+alt+l" = "lock --all"

A combination is shift, ctrl, alt, super and one key (an xkbcommon key
name: t, space, Return, F5, XF86AudioMute), matched on the key's
unshifted symbol with exactly those modifiers held.  The command is the
rest of a sesame command line, split into words like a shell would
('...' and "..." quote) but run without one.  Keyboards are read, never
grabbed: keys still reach the compositor.  Plugged-in keyboards are
picked up.  It runs without any keyboard and says so (`sesame input
status` too).  Keys are never logged.  It runs sandboxed, and so do the
commands it starts: they can read the config and the runtime directory
and talk to the bus, nothing else.

Layers remap keys, keyd-like: the keyboards are then grabbed (the
session sees them only through a virtual keyboard, "sesame virtual
keyboard", made through /dev/uinput, which the user must be allowed to
write: a udev rule or the input group):

  [profiles.default.input]
  tap_timeout_ms = 200                 # an overload held longer is a hold
  [profiles.default.input.layers.main] # always on
  capslock = "overload(nav, esc)"      # tapped: esc; held: layer nav
  leftmeta = "overload(ctrl, leftmeta)" # tapped: super; held: ctrl
  rightalt = "layer(nav)"              # held: layer nav
  scrolllock = "toggle(nav)"           # on, and off again
  insert = "noop"
  [profiles.default.input.layers.nav]
  h = "left"
  w = "ctrl+right"
  [profiles.default.input.layers.browser]
  f1 = "ctrl+t"
  [profiles.default.input.apps]        # while focused (through daemon-wm)
  firefox = "browser"

Keys are evdev names: the kernel's KEY_ constant without KEY_, in any
case (a, 1, capslock, leftctrl, rightmeta, f5, kpenter, 102nd), or esc,
ctrl, shift, alt, super, altgr, return.  A key pressed looks in the
layers held or toggled on (the newest first), then the focused
application's, then main.  An application is named by its app id or its
last dot-separated part.  Holding backspace, escape and enter together
lets go of every keyboard until the configuration changes (the panic
keys).  Without /dev/uinput, keyboards are only read, and `sesame input
layers` says why.

  --event-pipe PATH   also read PATH (a FIFO or file carrying struct
                      input_event records) as a keyboard: for tests
  --uinput-file PATH  send remapped keys to PATH (a FIFO or file, the
                      records uinput would get) instead of /dev/uinput:
                      for tests
*/

#define RING 16
#define MAX_DEVICES 64
#define INPUT_DIR "/dev/input"

struct dev {
	int fd;
	int pipe;		/* the test pipe: reopened when its writer goes */
	char path[PATH_MAX];
	char name[128];
	uint8_t buf[sizeof(struct input_event)];
	size_t have;		/* bytes of a partial record */
	int grabbed;		/* its keys go through the layers */
	int want_grab;		/* once no key of it is down */
	struct dev *next;
};

struct bind {
	unsigned mods;
	xkb_keysym_t sym;	/* lower case */
	char combo[96];
	char *cmd;
	struct bind *next;
};

struct fired {
	uint64_t time;		/* ms since the epoch */
	char combo[96], cmd[256], state[96];
	pid_t pid;		/* while running */
};

static struct {
	struct role r;
	struct xkb_context *ctx;
	struct xkb_keymap *km;
	struct xkb_state *st;
	xkb_mod_index_t mod_shift, mod_ctrl, mod_alt, mod_super;
	int ep, ino;
	struct dev *devs;
	int ndevs, denied;
	struct bind *binds;
	struct fired ring[RING];
	unsigned nfired;	/* total; ring[(nfired - 1) % RING] is the newest */
	const char *pipe_path;
	char self[PATH_MAX];
	struct remap *remap;
	struct vkbd vk;
	const char *vk_file;
	int remapping, vk_errors, panicked;
	uint32_t focus_win;
	char remap_note[200];
} TT;

static struct wire_out out;


/* --- bindings ------------------------------------------------------- */

static void binds_free(void)
{
	while (TT.binds) {
		struct bind *b = TT.binds;

		TT.binds = b->next;
		free(b->cmd);
		free(b);
	}
}

static void binds_load(void)
{
	char path[160];
	const struct toml_value *t;
	struct bind **tail = &TT.binds;
	int n = 0;

	binds_free();
	snprintf(path, sizeof(path), "profiles.%s.input.bindings", config_default_profile(TT.r.conf));
	if (!(t = config_get(TT.r.conf, path)) || t->type != TOML_TABLE) {
		log_info("input: no bindings in [%s]", path);
		return;
	}
	for (size_t i = 0; i < t->tab.n; i++) {
		const struct toml_kv *kv = &t->tab.kv[i];
		const char *cmd = toml_cstr(kv->val);
		char key[BIND_MAX_KEY];
		struct bind *b;
		unsigned mods;
		xkb_keysym_t sym;

		if (!cmd || binding_parse(kv->key, &mods, key) < 0) {
			log_error("input: %s: %s", path, cmd ? last_error() : "not a command line");
			continue;
		}
		if ((sym = xkb_keysym_from_name(key, XKB_KEYSYM_CASE_INSENSITIVE)) == XKB_KEY_NoSymbol) {
			log_error("input: %s: '%s': no key is called '%s' (xkbcommon key names: t, space, "
				"Return, F5...)", path, kv->key, key);
			continue;
		}
		b = xcalloc(1, sizeof(*b));
		b->mods = mods;
		b->sym = xkb_keysym_to_lower(sym);
		binding_format(mods, key, b->combo, sizeof(b->combo));
		b->cmd = xstrdup(cmd);
		*tail = b;
		tail = &b->next;
		n++;
	}
	log_info("input: %d %s from [%s]", n, n == 1 ? "binding" : "bindings", path);
}

/* A binding fired or its command ended: an event for subscribers
 * (sesame input watch). */
static void publish(const struct fired *f)
{
	static struct wire_out ev;

	wire_begin(&ev, WIRE_EVENT, 0, 0);
	wire_put_str(&ev, WF_FIRED, f->combo);
	wire_put_u64(&ev, WF_TIME, f->time);
	wire_put_str(&ev, WF_COMMAND, f->cmd);
	wire_put_str(&ev, WF_STATE, f->state);
	role_send(&TT.r, &ev);
}

static void reap(void)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (int i = 0; i < RING; i++) {
			struct fired *f = &TT.ring[i];

			if (f->pid != pid)
				continue;
			f->pid = 0;
			if (WIFEXITED(status))
				snprintf(f->state, sizeof(f->state), "exit %d", WEXITSTATUS(status));
			else
				snprintf(f->state, sizeof(f->state), "signal %d", WTERMSIG(status));
			log_info("input: %s: sesame %s: %s", f->combo, f->cmd, f->state);
			publish(f);
		}
}

static int running(void)
{
	for (int i = 0; i < RING; i++)
		if (TT.ring[i].pid)
			return 1;
	return 0;
}

static void fire(const struct bind *b)
{
	struct fired *f = &TT.ring[TT.nfired++ % RING];
	char buf[1024], *argv[BIND_MAX_ARGS + 1];
	int n;
	pid_t pid;

	memset(f, 0, sizeof(*f));
	f->time = role_wall_ms();
	snprintf(f->combo, sizeof(f->combo), "%s", b->combo);
	snprintf(f->cmd, sizeof(f->cmd), "%s", b->cmd);
	argv[0] = "sesame";
	if ((n = binding_split(b->cmd, argv + 1, BIND_MAX_ARGS, buf, sizeof(buf))) < 0) {
		snprintf(f->state, sizeof(f->state), "not started: %s", last_error());
		log_error("input: %s: %s", b->combo, f->state);
		publish(f);
		return;
	}
	if ((pid = fork()) < 0) {
		snprintf(f->state, sizeof(f->state), "not started: fork: %s", strerror(errno));
		log_error("input: %s: %s", b->combo, f->state);
		publish(f);
		return;
	}
	if (pid == 0) {
		sigset_t none;
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGXFSZ, SIG_DFL);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
		}
		execv(TT.self, argv);
		_exit(127);
	}
	f->pid = pid;
	snprintf(f->state, sizeof(f->state), "running");
	log_info("input: %s: running sesame %s", b->combo, b->cmd);
	publish(f);
}

/* --- keys -------------------------------------------------------------- */

static unsigned held_mods(void)
{
	unsigned m = 0;

	if (xkb_state_mod_index_is_active(TT.st, TT.mod_shift, XKB_STATE_MODS_EFFECTIVE) > 0)
		m |= BIND_SHIFT;
	if (xkb_state_mod_index_is_active(TT.st, TT.mod_ctrl, XKB_STATE_MODS_EFFECTIVE) > 0)
		m |= BIND_CTRL;
	if (xkb_state_mod_index_is_active(TT.st, TT.mod_alt, XKB_STATE_MODS_EFFECTIVE) > 0)
		m |= BIND_ALT;
	if (xkb_state_mod_index_is_active(TT.st, TT.mod_super, XKB_STATE_MODS_EFFECTIVE) > 0)
		m |= BIND_SUPER;
	return m;
}

static void key(unsigned code, int value)
{
	xkb_keycode_t kc = code + 8;

	if (code > KEY_MAX || value == 2)
		return;		/* autorepeat fires nothing and changes no state */
	if (value == 1) {
		const xkb_keysym_t *syms;
		xkb_layout_index_t layout = xkb_state_key_get_layout(TT.st, kc);
		int n = layout == XKB_LAYOUT_INVALID ? 0 :
			xkb_keymap_key_get_syms_by_level(TT.km, kc, layout, 0, &syms);
		unsigned mods = held_mods();

		for (const struct bind *b = TT.binds; n > 0 && b; b = b->next)
			if (b->mods == mods && b->sym == xkb_keysym_to_lower(syms[0])) {
				fire(b);
				break;
			}
	}
	xkb_state_update_key(TT.st, kc, value ? XKB_KEY_DOWN : XKB_KEY_UP);
}

static int has_bit(const unsigned long *bits, unsigned bit)
{
	return (bits[bit / (8 * sizeof(long))] >> (bit % (8 * sizeof(long)))) & 1;
}

/* --- layers -------------------------------------------------------------- */

/* A key the layers send: out through the virtual keyboard, and to the
 * bindings, which see what the session sees. */
static void emit(void *ctx, unsigned code, int value)
{
	(void)ctx;
	if (vkbd_key(&TT.vk, code, value) < 0 && !TT.vk_errors++)
		log_error("input: %s (later failures are not logged)", last_error());
	key(code, value);
}

/* Grab d, or let it go.  A key down at the grab would stay down in the
 * session (its release would come to us): wait until none is. */
static void grab(struct dev *d, int on)
{
	unsigned long bits[KEY_MAX / (8 * sizeof(long)) + 1] = { 0 };

	if (!on) {
		if (d->grabbed && !d->pipe && ioctl(d->fd, EVIOCGRAB, 0) < 0)
			log_error("input: %s: ungrab: %s", d->path, strerror(errno));
		if (d->grabbed)
			log_info("input: let go of %s (%s)", d->path, d->name);
		d->grabbed = d->want_grab = 0;
		return;
	}
	if (d->grabbed)
		return;
	d->want_grab = 1;
	if (!d->pipe) {
		if (ioctl(d->fd, EVIOCGKEY(sizeof(bits)), bits) < 0)
			memset(bits, 0, sizeof(bits));
		for (size_t i = 0; i < ARRAY_LEN(bits); i++)
			if (bits[i])
				return;
		if (ioctl(d->fd, EVIOCGRAB, 1) < 0) {
			log_error("input: %s (%s): cannot grab it (%s): its keys are not remapped", d->path, d->name,
				errno == EBUSY ? "another program has (keyd?)" : strerror(errno));
			d->want_grab = 0;
			return;
		}
	}
	d->grabbed = 1;
	d->want_grab = 0;
	log_info("input: grabbed %s (%s)", d->path, d->name);
}

static void remapping_off(const char *fmt, ...) PRINTF(1, 2);
static void remapping_off(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(TT.remap_note, sizeof(TT.remap_note), fmt, ap);
	va_end(ap);
	if (!TT.remapping)
		return;
	remap_release(TT.remap);
	for (struct dev *d = TT.devs; d; d = d->next)
		grab(d, 0);
	vkbd_close(&TT.vk);
	TT.remapping = 0;
	log_info("input: remapping %s", TT.remap_note);
}

static void remapping_on(int nkeys)
{
	if (!TT.remapping) {
		if (TT.vk.fd < 0 && vkbd_open(&TT.vk, TT.vk_file) < 0) {
			snprintf(TT.remap_note, sizeof(TT.remap_note), "off: %s; keyboards are only read", last_error());
			log_warn("input: layers: %s", TT.remap_note);
			return;
		}
		TT.remapping = 1;
		TT.vk_errors = 0;
		for (struct dev *d = TT.devs; d; d = d->next)
			grab(d, 1);
	}
	snprintf(TT.remap_note, sizeof(TT.remap_note), "on: %d %s remapped, out through %s", nkeys,
		nkeys == 1 ? "key" : "keys", TT.vk.what);
	log_info("input: remapping %s", TT.remap_note);
}

static void bad_layer(const char *what, const char *why)
{
	log_error("input: [profiles.%s.input.layers] %s: %s", config_default_profile(TT.r.conf), what, why);
}

static void layers_load(void)
{
	const char *p = config_default_profile(TT.r.conf);
	char path[160], apps[160], tap[160];
	int n;

	snprintf(path, sizeof(path), "profiles.%s.input.layers", p);
	snprintf(apps, sizeof(apps), "profiles.%s.input.apps", p);
	snprintf(tap, sizeof(tap), "profiles.%s.input.tap_timeout_ms", p);
	n = remap_load(TT.remap, config_get(TT.r.conf, path), config_get(TT.r.conf, apps),
		(int)config_int(TT.r.conf, tap, 200), bad_layer);
	TT.panicked = 0;
	if (n)
		remapping_on(n);
	else
		remapping_off("off: no key is remapped in [%s]", path);
}

/* --- devices ------------------------------------------------------------ */

static void dev_close(struct dev *d, const char *why)
{
	for (struct dev **p = &TT.devs; *p; p = &(*p)->next)
		if (*p == d) {
			*p = d->next;
			break;
		}
	epoll_ctl(TT.ep, EPOLL_CTL_DEL, d->fd, NULL);
	grab(d, 0);
	close(d->fd);
	TT.ndevs--;
	log_info("input: %s (%s) %s", d->path, d->name, why);
	if (!TT.ndevs && strcmp(why, "closed"))
		log_warn("input: no keyboard left; bindings wait for one");
	free(d);
}

/* Open path if it is a keyboard (or the test pipe); 1 if added. */
static int dev_open(const char *path, int pipe)
{
	unsigned long bits[KEY_MAX / (8 * sizeof(long)) + 1] = { 0 };
	struct epoll_event ev = { .events = EPOLLIN };
	struct dev *d;
	int fd;

	for (d = TT.devs; d; d = d->next)
		if (!strcmp(d->path, path))
			return 0;
	if (TT.ndevs >= MAX_DEVICES)
		return 0;
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		if (errno == EACCES || errno == EPERM)
			TT.denied++;
		if (pipe)
			log_error("input: %s: %s", path, strerror(errno));
		return 0;
	}
	if (!pipe && (ioctl(fd, EVIOCGBIT(EV_KEY, sizeof(bits)), bits) < 0 ||
	    !has_bit(bits, KEY_A) || !has_bit(bits, KEY_Z) || !has_bit(bits, KEY_ENTER))) {
		close(fd);
		return 0;
	}
	d = xcalloc(1, sizeof(*d));
	d->fd = fd;
	d->pipe = pipe;
	snprintf(d->path, sizeof(d->path), "%s", path);
	if (pipe || ioctl(fd, EVIOCGNAME(sizeof(d->name) - 1), d->name) < 0)
		snprintf(d->name, sizeof(d->name), "%s", pipe ? "test event pipe" : "?");
	if (!pipe && !strcmp(d->name, VKBD_NAME)) {
		free(d);	/* its own virtual keyboard: what it sends, not what is typed */
		close(fd);
		return 0;
	}
	for (char *c = d->name; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	ev.data.ptr = d;
	if (epoll_ctl(TT.ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		log_error("input: %s: epoll: %s", path, strerror(errno));
		close(fd);
		free(d);
		return 0;
	}
	d->next = TT.devs;
	TT.devs = d;
	TT.ndevs++;
	log_info("input: reading %s (%s)", d->path, d->name);
	if (TT.remapping)
		grab(d, 1);
	return 1;
}

static void scan(void)
{
	DIR *dir = opendir(INPUT_DIR);
	struct dirent *e;
	char path[PATH_MAX];

	TT.denied = 0;
	if (dir) {
		while ((e = readdir(dir)))
			if (!strncmp(e->d_name, "event", 5) &&
			    snprintf(path, sizeof(path), "%s/%s", INPUT_DIR, e->d_name) < (int)sizeof(path))
				dev_open(path, 0);
		closedir(dir);
	}
	if (TT.pipe_path)
		dev_open(TT.pipe_path, 1);
	if (!TT.ndevs)
		log_warn("input: no keyboard to read%s; bindings wait for one", TT.denied ?
			" (some devices are not readable: add the user to the input group)" :
			dir ? "" : " (there is no " INPUT_DIR ")");
}

/* Read what d has; raw: feed the bindings only (what the session got
 * before the grab). */
static void dev_read(struct dev *d, int raw)
{
	for (;;) {
		ssize_t n = read(d->fd, d->buf + d->have, sizeof(d->buf) - d->have);

		if (n > 0) {
			d->have += (size_t)n;
			if (d->have == sizeof(d->buf)) {
				struct input_event ev;

				memcpy(&ev, d->buf, sizeof(ev));
				d->have = 0;
				if (ev.type != EV_KEY)
					continue;
				if (!raw && TT.remapping && d->grabbed) {
					if (remap_key(TT.remap, ev.code, ev.value, role_now_ms())) {
						TT.panicked = 1;
						log_warn("input: the panic keys (backspace+escape+enter): every keyboard let go");
						remapping_off("off: let go by the panic keys (backspace+escape+enter) until "
							"the configuration changes");
					}
				} else {
					key(ev.code, ev.value);
				}
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			/* Grabbed now: what is still queued reached the session too. */
			if (!raw && d->want_grab && TT.remapping && (grab(d, 1), d->grabbed))
				dev_read(d, 1);
			return;
		}
		if (d->pipe && n == 0) {
			struct epoll_event ev = { .events = EPOLLIN, .data.ptr = d };
			struct stat sb;
			int fd;

			/* The writer went: wait for the next one (a FIFO: reopened,
			 * or its hang-up would be reported forever), or stop (a file). */
			if (fstat(d->fd, &sb) < 0 || !S_ISFIFO(sb.st_mode)) {
				dev_close(d, "read to its end");
				return;
			}
			if ((fd = open(d->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
				dev_close(d, strerror(errno));
				return;
			}
			epoll_ctl(TT.ep, EPOLL_CTL_DEL, d->fd, NULL);
			close(d->fd);
			d->fd = fd;
			d->have = 0;
			if (epoll_ctl(TT.ep, EPOLL_CTL_ADD, fd, &ev) < 0)
				dev_close(d, strerror(errno));
			return;
		}
		dev_close(d, n == 0 || errno == ENODEV ? "is gone" : strerror(errno));
		return;
	}
}

static void hotplug(void)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(TT.ino, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + n; ) {
			struct inotify_event *e = (struct inotify_event *)p;
			char path[PATH_MAX];

			if (e->len && !strncmp(e->name, "event", 5) &&
			    snprintf(path, sizeof(path), "%s/%s", INPUT_DIR, e->name) < (int)sizeof(path))
				dev_open(path, 0);
			p += sizeof(*e) + e->len;
		}
}

/* --- requests -------------------------------------------------------------- */

static void status(const struct wire_msg *m)
{
	char text[256] = "";

	wire_begin(&out, m->type, WIRE_F_REPLY, m->id);
	wire_put_str(&out, WF_PROFILE, config_default_profile(TT.r.conf));
	for (const struct dev *d = TT.devs; d; d = d->next) {
		char line[PATH_MAX + 160];

		snprintf(line, sizeof(line), "%s: %s", d->path, d->name);
		wire_put_str(&out, WF_DEVICE, line);
	}
	if (!TT.ndevs)
		snprintf(text, sizeof(text), "no keyboard to read%s", TT.denied ?
			" (some devices are not readable: add the user to the input group)" : "");
	wire_put_str(&out, WF_TEXT, text);
	wire_put_str(&out, WF_REMAP, TT.remap_note);
	for (const struct bind *b = TT.binds; b; b = b->next) {
		wire_put_str(&out, WF_BINDING, b->combo);
		wire_put_str(&out, WF_COMMAND, b->cmd);
	}
	for (unsigned i = 0; i < RING && i < TT.nfired; i++) {
		const struct fired *f = &TT.ring[(TT.nfired - 1 - i) % RING];

		wire_put_str(&out, WF_FIRED, f->combo);
		wire_put_u64(&out, WF_TIME, f->time);
		wire_put_str(&out, WF_COMMAND, f->cmd);
		wire_put_str(&out, WF_STATE, f->state);
	}
	role_send(&TT.r, &out);
}

/* Remapping: whether, which keyboards, which application, each layer. */
static void layers(const struct wire_msg *m)
{
	const char *name, *state;
	int count;

	wire_begin(&out, m->type, WIRE_F_REPLY, m->id);
	wire_put_str(&out, WF_REMAP, TT.remap_note);
	for (const struct dev *d = TT.devs; d; d = d->next) {
		char line[PATH_MAX + 160];

		if (!d->grabbed)
			continue;
		snprintf(line, sizeof(line), "%s: %s", d->path, d->name);
		wire_put_str(&out, WF_DEVICE, line);
	}
	wire_put_str(&out, WF_APP_ID, remap_app(TT.remap));
	for (int i = 0; remap_layer(TT.remap, i, &name, &count, &state) == 0; i++) {
		wire_put_str(&out, WF_LAYER, name);
		wire_put_u32(&out, WF_REMAPS, (uint32_t)count);
		wire_put_str(&out, WF_STATE, state);
	}
	role_send(&TT.r, &out);
}

/* daemon-wm's focus, from its events: WF_STATE then the window. */
static void focus_event(const struct wire_msg *m)
{
	char state[16] = "", app[128] = "";
	uint32_t win = 0;

	wire_get_str(m, WF_STATE, state, sizeof(state));
	wire_get_str(m, WF_APP_ID, app, sizeof(app));
	wire_get_u32(m, WF_WINDOW, &win);
	if (!strcmp(state, "focused")) {
		TT.focus_win = win;
		remap_set_app(TT.remap, app);
	} else if (!strcmp(state, "closed") && win == TT.focus_win) {
		TT.focus_win = 0;
		remap_set_app(TT.remap, NULL);
	}
}

/* And from its window list at connect: WF_WINDOW, WF_APP_ID, WF_TITLE,
 * WF_STATE per window. */
static void focus_list(const struct wire_msg *m)
{
	size_t pos = 0;
	uint16_t tag, len;
	const uint8_t *v;
	char app[128] = "";
	uint32_t win = 0;

	while (wire_next(m, &pos, &tag, &v, &len))
		if (tag == WF_WINDOW)
			win = (uint32_t)wire_uint(v, len);
		else if (tag == WF_APP_ID)
			snprintf(app, sizeof(app), "%.*s", len < sizeof(app) ? (int)len : (int)sizeof(app) - 1,
				(const char *)v);
		else if (tag == WF_STATE && len == 7 && !memcmp(v, "focused", 7)) {
			TT.focus_win = win;
			remap_set_app(TT.remap, app);
			return;
		}
}

static void follow_focus(void)
{
	wire_begin(&out, WIRE_SUBSCRIBE, 0, 1);
	wire_put_str(&out, WF_ROLE, "wm");
	role_send(&TT.r, &out);
	wire_begin(&out, WIRE_WM_LIST, 0, 2);
	role_send(&TT.r, &out);
}

static void handle(const struct wire_msg *m)
{
	if (m->flags & WIRE_F_EVENT && m->type == WIRE_EVENT)
		focus_event(m);
	if (m->flags & WIRE_F_REPLY && m->id == 2 && m->type == WIRE_WM_LIST)
		focus_list(m);
	if (m->flags & (WIRE_F_REPLY | WIRE_F_EVENT))
		return;
	if (m->type == WIRE_INPUT_STATUS)
		status(m);
	else if (m->type == WIRE_INPUT_LAYERS)
		layers(m);
	else
		role_reply_error(&TT.r, m->id, WIRE_E_UNKNOWN_TYPE, "daemon-input does not serve %s",
			wire_type_name(m->type));
}

static void enter_sandbox(void)
{
	char pipe_dir[PATH_MAX] = "";
	const char *slash = TT.pipe_path ? strrchr(TT.pipe_path, '/') : NULL;

	/* The test pipe's directory: it is opened again when its writer goes. */
	if (slash)
		snprintf(pipe_dir, sizeof(pipe_dir), "%.*s", slash == TT.pipe_path ? 1 : (int)(slash - TT.pipe_path),
			TT.pipe_path);
	else if (TT.pipe_path)
		snprintf(pipe_dir, sizeof(pipe_dir), ".");

	const struct sandbox_path paths[] = {
		{ INPUT_DIR, SB_READ }, { *pipe_dir ? pipe_dir : NULL, SB_READ },
		{ TT.self, SB_READ | SB_EXEC }, { "/usr/lib", SB_READ | SB_EXEC }, { "/lib", SB_READ | SB_EXEC },
		{ "/lib64", SB_READ | SB_EXEC }, { "/etc/ld.so.cache", SB_READ }, { "/dev/null", SB_READ | SB_WRITE },
		{ "/etc/localtime", SB_READ }, { "/usr/share/zoneinfo", SB_READ },
		/* Layers switched on by a reload make their virtual keyboard then. */
		{ TT.vk_file ? TT.vk_file : "/dev/uinput", SB_READ | SB_WRITE },
	};

	xrole_sandbox(&TT.r, paths, ARRAY_LEN(paths));
}

int daemon_input_main(int argc, char **argv)
{
	struct xkb_rule_names names = { 0 };
	ssize_t n;
	int o;

	while ((o = getopt_long(argc, argv, OPTSTR_daemon_input, longopts_daemon_input, NULL)) != -1) {
		if (o == OPT_EVENT_PIPE)
			TT.pipe_path = optarg;
		else if (o == OPT_UINPUT_FILE)
			TT.vk_file = optarg;
		else
			usage_option("daemon-input", argv, o, longopts_daemon_input);
	}
	if (optind < argc)
		usage_error("daemon-input", "unexpected argument '%s'", argv[optind]);
	if (sandbox_limits() < 0)
		die("daemon-input: %s", last_error());
	if ((n = readlink("/proc/self/exe", TT.self, sizeof(TT.self) - 1)) <= 0)
		die("daemon-input: cannot find its own executable: %s", strerror(errno));
	TT.self[n] = 0;
	if (desk_load_xkb() < 0)
		die("daemon-input: %s", last_error());
	if (!(TT.ctx = xkb_context_new(XKB_CONTEXT_NO_FLAGS)))
		die("daemon-input: cannot create an xkbcommon context");
	if (!(TT.km = xkb_keymap_new_from_names(TT.ctx, &names, XKB_KEYMAP_COMPILE_NO_FLAGS)))
		die("daemon-input: cannot compile the keymap (XKB_DEFAULT_LAYOUT=%s; is xkb-data installed?)",
			getenv("XKB_DEFAULT_LAYOUT") ? getenv("XKB_DEFAULT_LAYOUT") : "");
	TT.st = xkb_state_new(TT.km);
	TT.mod_shift = xkb_keymap_mod_get_index(TT.km, XKB_MOD_NAME_SHIFT);
	TT.mod_ctrl = xkb_keymap_mod_get_index(TT.km, XKB_MOD_NAME_CTRL);
	TT.mod_alt = xkb_keymap_mod_get_index(TT.km, XKB_MOD_NAME_ALT);
	TT.mod_super = xkb_keymap_mod_get_index(TT.km, XKB_MOD_NAME_LOGO);
	xrole_setup(&TT.r, "input");
	TT.r.status = "reading keyboards";
	if ((TT.ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		die("daemon-input: epoll: %s", strerror(errno));
	if ((TT.ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0 ||
	    inotify_add_watch(TT.ino, INPUT_DIR, IN_CREATE | IN_ATTRIB) < 0) {
		log_warn("input: cannot watch %s (%s): keyboards plugged in later are not seen", INPUT_DIR,
			strerror(errno));
	} else {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

		epoll_ctl(TT.ep, EPOLL_CTL_ADD, TT.ino, &ev);
	}
	TT.remap = remap_new(emit, NULL);
	TT.vk.fd = -1;
	binds_load();
	scan();
	layers_load();	/* grabs what scan found; opens /dev/uinput before the sandbox */
	enter_sandbox();
	for (;;) {
		struct pollfd pf[1] = { { TT.ep, POLLIN, 0 } };
		long long due = TT.remapping ? remap_deadline(TT.remap) : -1, now = role_now_ms();
		int wait = running() ? 100 : -1, ev;

		if (due >= 0 && (wait < 0 || due - now < wait))
			wait = due > now ? (int)(due - now) : 0;
		ev = xrole_poll(&TT.r, pf, 1, wait);
		if (ev & ROLE_STOP)
			break;
		if (TT.remapping)
			remap_tick(TT.remap, role_now_ms());
		if (ev & ROLE_CONNECTED)
			follow_focus();
		if (pf[0].revents & POLLIN) {
			struct epoll_event evs[16];
			int k = epoll_wait(TT.ep, evs, 16, 0);

			for (int i = 0; i < k; i++) {
				struct dev *d = evs[i].data.ptr;

				if (!d) {
					hotplug();
					continue;
				}
				/* Still open?  An earlier event may have closed it. */
				for (struct dev *e = TT.devs; e; e = e->next)
					if (e == d) {
						dev_read(d, 0);
						break;
					}
			}
		}
		if (ev & ROLE_BUS)
			role_dispatch(&TT.r, handle);
		if (ev & ROLE_RELOADED) {
			binds_load();
			layers_load();
		}
		reap();
	}
	log_info("input: stopping");
	remapping_off("off: stopping");
	remap_free(TT.remap);
	while (TT.devs)
		dev_close(TT.devs, "closed");
	binds_free();
	xkb_state_unref(TT.st);
	xkb_keymap_unref(TT.km);
	xkb_context_unref(TT.ctx);
	if (TT.ino >= 0)
		close(TT.ino);
	close(TT.ep);
	return role_close(&TT.r);
}
