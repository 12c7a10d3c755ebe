/* wire.h - the bus wire format.  This comment is its one description.
 *
 * FRAMES.  A connection to bus.sock carries frames: a 4-byte big-endian
 * length L (1 <= L <= 65535), then L bytes.  The client's first frame is
 * one byte naming the handshake, then its Noise message 1 (prologue
 * "sesame-bus/1"); the server answers with message 2, payload empty:
 *   1  Noise_IK_25519_ChaChaPoly_BLAKE2b: a daemon role, with the static
 *      key daemon-profile gave it (keys/ROLE.key) and bus.pub's key.
 *   2  Noise_NNpsk0_25519_ChaChaPoly_BLAKE2b: the CLI.  The PSK is cli.psk
 *      in the runtime directory (fresh at each start of daemon-profile,
 *      0600), so only the bus owner's uid can speak; SO_PEERCRED checks
 *      that uid too.  An anonymous static key would authenticate nothing,
 *      and this costs three X25519 operations instead of ten.  Message 1's
 *      payload may be the first request (0-RTT), or a WIRE_BATCH of such
 *      requests so that several questions cost one round trip, at most
 *      WIRE_EARLY_MAX bytes.  Message 1 is encrypted under the PSK alone,
 *      without forward secrecy, and whoever captured it can send it again
 *      (without reading the answer or sending anything after it): so only
 *      read-only, idempotent requests that hold no password, signature or
 *      value may ride in it (wire_type_early).  The hub decides, not the
 *      client: any other request in message 1 is answered with
 *      WIRE_E_DENIED and not carried out.
 * A client that uses IK with a static key the hub did not issue to a role
 * is refused (the CLI has NNpsk0), and so is a second connection for a role
 * whose connection is alive (stopped, even): a live role is never replaced.
 * The key is not enough to be a role: the process that wrote message 1
 * (SCM_CREDENTIALS; SO_PASSCRED is on) must run the hub's executable as
 * that role, as the bus owner's uid, untraced (applets/profile/peer.h says how it is
 * checked); every later byte on the connection must come from that same
 * process; and the role's first transport message must be WIRE_ROLE_INFO.
 * Until then it is routed nothing.  A role stays dumpable until message 2
 * (so that its executable can be read), then hardens; the hub takes it
 * back after WIRE_REKEY as the same process (pid and start time), but no
 * other hub can check it, so a role that loses its hub stops.
 * Every later frame is one Noise transport message, which decrypts to one
 * message.  A length of 0 or over 65535 closes the connection.
 *
 * MESSAGES (the plaintext, at most 65519 bytes):
 *
 *   0       1       2               4                               8
 *   +-------+-------+---------------+-------------------------------+
 *   |version| type  |  flags (BE)   |       request id (BE)         |
 *   +-------+-------+---------------+-------------------------------+
 *   | fields: tag (u16 BE), length (u16 BE), value; repeated ...    |
 *
 * version is WIRE_VERSION; a message with another version is answered with
 * an error.  A request with WIRE_F_LAST set is its sender's last: the hub
 * closes the connection once everything asked on it is answered and
 * written (then the client's own close wakes no one; the hub does not pass
 * the flag on).  A reply carries the request's id and type with WIRE_F_REPLY
 * set in flags; an error reply has type WIRE_ERROR and fields WF_CODE (u32)
 * and WF_TEXT.  Fields may come in any order and repeat (lists); unknown
 * tags are skipped; a field that runs past the end makes the whole message
 * invalid.  Integers are big-endian, u32 or u64 by the field's definition;
 * strings are UTF-8 without a NUL.  Each type's fields are listed below.
 */
#ifndef SESAME_WIRE_H
#define SESAME_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define WIRE_VERSION 1
#define WIRE_HEADER 8
#define WIRE_MAX_FRAME 65535
#define WIRE_MAX_MESSAGE (WIRE_MAX_FRAME - 16)	/* a Noise tag is 16 bytes */
#define WIRE_EARLY_MAX 4096	/* message 1's payload, as the client sends it */
#define WIRE_PROLOGUE "sesame-bus/1"
#define WIRE_HS_IK 1
#define WIRE_HS_CLI 2
#define WIRE_NOISE_IK "Noise_IK_25519_ChaChaPoly_BLAKE2b"
#define WIRE_NOISE_CLI "Noise_NNpsk0_25519_ChaChaPoly_BLAKE2b"

#define WIRE_F_REPLY 0x0001
#define WIRE_F_EVENT 0x0002	/* an event the hub passes to subscribers (id 0) */
#define WIRE_F_LAST 0x0004	/* the sender's last request: close when answered */

/* The roles: daemon-profile (the hub, which serves its own requests)
 * and the daemons it issues keys to.  Their names are lib/bus/wire.c's; the
 * hub's tables of connected roles are indexed by these. */
enum wire_role { WR_PROFILE, WR_SECRETS, WR_LAUNCHER, WR_SNIPPETS, WR_WM, WR_CLIPBOARD, WR_INPUT, WR_COUNT };
/* "secrets" for WR_SECRETS; NULL out of range. */
const char *wire_role_name(int role);
/* The role called name ("secrets"), or -1. */
int wire_role_index(const char *name);
/* 1 for a desktop role (Wayland or input devices: not in a DESKTOP=0 build). */
int wire_role_desktop(int role);

/* Message types.  Who serves each, who may send it, whether it may ride
 * in message 1 and its deadline are one row each in lib/bus/wire.c's table. */
enum wire_type {
	WIRE_ERROR = 0x00,	/* reply only: WF_CODE, WF_TEXT */
	WIRE_PING = 0x01,	/* hub; reply echoes WF_DATA */
	WIRE_STATUS = 0x02,	/* hub; reply: WF_VERSION, WF_UPTIME_MS, WF_CLIENTS,
				 * WF_PID and WF_SANDBOX of the hub, then WF_ROLE and
				 * WF_PID for each connected role, WF_CONNECTS and
				 * WF_SINCE_MS, and its WF_SANDBOX if it sent
				 * WIRE_ROLE_INFO; then WF_GONE, WF_CONNECTS and
				 * WF_SINCE_MS for each role that was connected and
				 * is not */
	/* daemon-profile (the hub's own role): profiles and their state. */
	WIRE_PROFILE_LIST = 0x03,	/* reply: WF_DEFAULT once, then per profile WF_PROFILE,
					 * WF_STATE "active" or "inactive", WF_REASON */
	WIRE_PROFILE_ACTIVATE = 0x04,	/* WF_PROFILE */
	WIRE_PROFILE_DEACTIVATE = 0x05,	/* WF_PROFILE */
	WIRE_PROFILE_DEFAULT = 0x06,	/* WF_PROFILE: make it the default (persists); without
					 * it: forget that choice; reply WF_DEFAULT, the
					 * configuration's default */
	WIRE_SUBSCRIBE = 0x07,	/* hub; WF_ROLE (repeated): that role's events come to this
				 * connection from now on, as messages with WIRE_F_EVENT
				 * set and id 0 (bus_request skips them); a subscriber
				 * that does not read is cut off like any slow reader */
	WIRE_EVENT = 0x08,	/* sent by a daemon role, never answered: the hub stamps
				 * WF_CALLER_ROLE and passes it to the role's subscribers.
				 * daemon-input: WF_FIRED, WF_TIME, WF_COMMAND, WF_STATE
				 * for a binding fired and again when its command ends;
				 * daemon-wm: WF_STATE ("opened", "focused", "closed"),
				 * then the window; daemon-clipboard: WF_STATE "recorded",
				 * WF_CLIP, WF_PROFILE, WF_TIME, WF_KIND (never the text) */
	WIRE_BATCH = 0x09,	/* WF_MSG per request: only as message 1's payload (see
				 * FRAMES); the hub handles each as if it had come alone,
				 * in order, and never answers the batch itself.  Anywhere
				 * else it is answered with an error, as by a hub older
				 * than batches; a client then sends each request alone */
	WIRE_ROLE_INFO = 0x0a,	/* a daemon role's first message (FRAMES), never answered:
				 * WF_SANDBOX, what confines it ("landlock=abi7
				 * seccomp=on", "none"); the hub keeps it for
				 * WIRE_STATUS.  From anyone else: an error */
	WIRE_ROTATE_KEYS = 0x0b,	/* hub: new keys for the hub (bus.pub), the CLI (cli.psk)
				 * and every role (keys/ROLE.key), nothing restarted.
				 * Each connected role is sent WIRE_REKEY and comes
				 * back with its new key; its old key is refused from
				 * then on.  Reply: WF_ROLE per role told */
	WIRE_REKEY = 0x0c,	/* hub to a role, never answered: reconnect, reading its
				 * key file and bus.pub again.  From anyone else: an
				 * error */
	/* daemon-secrets; every request names WF_PROFILE. */
	WIRE_SECRET_GET = 0x10,	/* WF_KEY; reply WF_VALUE */
	WIRE_VAULT_INIT = 0x11,	/* WF_PASSWORD; creates the vault, never over one */
	WIRE_UNLOCK = 0x12,	/* WF_PASSWORD; reply WF_TEXT "unlocked" or "already unlocked" */
	WIRE_LOCK = 0x13,	/* no WF_PROFILE: every profile; reply WF_PROFILE per locked one */
	WIRE_SECRET_SET = 0x14,	/* WF_KEY, WF_VALUE */
	WIRE_SECRET_DELETE = 0x15,	/* WF_KEY */
	WIRE_SECRET_LIST = 0x16,	/* reply WF_KEY per secret, sorted (WF_AFTER, WF_MORE) */
	WIRE_VAULT_STATUS = 0x17,	/* no fields; reply WF_PROFILE + WF_STATE per vault,
				 * and WF_SANDBOX of daemon-secrets */
	WIRE_PASSWD = 0x18,	/* WF_PASSWORD (current), WF_NEW_PASSWORD: rewrap the vault key */
	WIRE_VAULT_AUTH = 0x19,	/* reply: WF_POLICY, WF_FACTOR per enrolled factor, and for
				 * "ssh" WF_SSH_KEY and WF_SSH_NONCE */
	WIRE_SSH_ENROLL = 0x1a,	/* WF_FACTOR (default "ssh"), the new factor (ssh: WF_SSH_KEY,
				 * WF_SSH_NONCE, WF_SSH_SIG) and what proves the request */
	WIRE_SSH_REVOKE = 0x1b,	/* WF_FACTOR (default "ssh") and what proves the request */
	WIRE_CLIPBOARD_KEY = 0x1c,	/* daemon-clipboard only; reply WF_VALUE: the profile's
				 * 32-byte clipboard history key, derived from the vault
				 * key (secret: wipe after use) */
	WIRE_VAULT_MARK = 0x1d,	/* WF_TEXT "backup" or "restore", from the CLI, the vault
				 * unlocked: recorded in the audit log as vault.backup or
				 * vault.restore (sesame vault backup|restore) */
	/* Unlock factors: WIRE_VAULT_INIT and WIRE_UNLOCK take WF_PASSWORD,
	 * WF_SSH_SIG, WF_TPM2_SECRET, WF_KEYFILE_SECRET, as the policy needs
	 * (init: WF_SSH_KEY, WF_SSH_NONCE, WF_*_DATA, WF_POLICY too);
	 * WIRE_PASSWD takes WF_SSH_SIG under policy all. */
	/* daemon-launcher.  WF_PROFILE is optional (default: the config's
	 * default profile): it picks the frecency and the launch profiles. */
	WIRE_LAUNCH_SEARCH = 0x20,	/* WF_QUERY, WF_LIMIT (optional); reply per result, best
					 * first: WF_ENTRY, WF_NAME, WF_GENERIC, WF_SCORE, WF_ICON */
	WIRE_LAUNCH_RUN = 0x21,	/* WF_ENTRY, WF_TAG and WF_ARG (each repeated, optional);
				 * reply WF_ENTRY (the id it resolved to), WF_PID; an
				 * error WIRE_E_LOCKED also names the WF_PROFILE */
	/* daemon-snippets; every request names WF_PROFILE. */
	WIRE_SNIPPET_LIST = 0x28,	/* reply WF_TRIGGER + WF_TEMPLATE per snippet, sorted */
	WIRE_SNIPPET_ADD = 0x29,	/* WF_TRIGGER, WF_TEMPLATE; reply WF_TEXT "added" or "replaced" */
	WIRE_SNIPPET_REMOVE = 0x2a,	/* WF_TRIGGER */
	WIRE_SNIPPET_EXPAND = 0x2b,	/* WF_TRIGGER; reply WF_VALUE (may hold secrets) */
	/* daemon-clipboard; WF_PROFILE is optional (default: the config's
	 * default profile, the one it records into).  The history is sealed
	 * under WIRE_CLIPBOARD_KEY, so reading it needs the profile unlocked. */
	WIRE_CLIPBOARD_GET = 0x30,	/* WF_CLIP (optional: the newest); reply WF_VALUE,
					 * WF_MIME, WF_KIND */
	WIRE_CLIPBOARD_HISTORY = 0x31,	/* WF_LIMIT (optional); reply per entry, newest first:
					 * WF_CLIP, WF_TIME, WF_MIME, WF_KIND, WF_EXPIRES,
					 * WF_TEXT (a preview; empty for a sensitive entry) */
	WIRE_CLIPBOARD_CLEAR = 0x32,	/* reply WF_TEXT "N entries removed" */
	WIRE_CLIPBOARD_DELETE = 0x33,	/* WF_CLIP; reply WF_TEXT */
	WIRE_CLIPBOARD_COPY = 0x34,	/* WF_CLIP (optional: the newest): make it the selection
					 * again (a sensitive one cleared after sensitive_ttl_s);
					 * reply WF_CLIP, WF_KIND */
	WIRE_CLIPBOARD_SET = 0x35,	/* WF_VALUE (secret), WF_TTL_S (optional): make it the
					 * selection, marked a password manager's, never
					 * recorded, cleared after WF_TTL_S seconds (0: not);
					 * reply WF_TEXT */
	/* daemon-wm.  A window is WF_WINDOW, WF_APP_ID, WF_TITLE, WF_STATE
	 * ("focused" or ""), in that order, and in a list WF_HINT. */
	WIRE_WM_LIST = 0x38,	/* reply: every window, most recently focused first */
	WIRE_WM_FOCUS = 0x39,	/* WF_TARGET: a window id, or an app id (its most recent
				 * window; the next one if that is focused); reply the window,
				 * WF_STATE "focused" once the compositor says so, else
				 * "requested" */
	WIRE_WM_OVERLAY = 0x3b,	/* WF_BACKWARD, WF_LAUNCHER, WF_ALT (optional): show the switcher
				 * (or the launcher: a search field, results from
				 * daemon-launcher), or move its selection if shown;
				 * reply WF_WINDOW selected (0: none, or the launcher) */
	WIRE_WM_SWITCH = 0x3a,	/* WF_BACKWARD (u32, optional): focus the previous window
				 * in focus order (backward: the least recent); reply as
				 * WIRE_WM_FOCUS, nothing if there is no other window */
	/* daemon-input. */
	WIRE_INPUT_STATUS = 0x40,	/* reply: WF_PROFILE (whose bindings), WF_DEVICE per
					 * keyboard read, WF_TEXT (what is missing, if any);
					 * per binding WF_BINDING + WF_COMMAND; per binding
					 * fired, newest first: WF_FIRED, WF_TIME, WF_COMMAND,
					 * WF_STATE ("running", "exit N", "signal N",
					 * "not started: ...") */
	WIRE_INPUT_LAYERS = 0x41,	/* reply: WF_REMAP, WF_DEVICE per keyboard grabbed,
					 * WF_APP_ID (the focused application, may be empty),
					 * per layer WF_LAYER, WF_REMAPS, WF_STATE ("main",
					 * "held", "toggled", "app" or "") */
	WIRE_TYPE_MAX = 0xff
};

/* Error codes in WF_CODE; each maps to an exit code in the CLI. */
enum wire_error {
	WIRE_E_BAD_MESSAGE = 1,	/* malformed, wrong version: exit 1 */
	WIRE_E_UNKNOWN_TYPE = 2,/* exit 1 */
	WIRE_E_DENIED = 3,	/* exit 77 */
	WIRE_E_UNAVAILABLE = 4,	/* the serving role is not connected: exit 69 */
	WIRE_E_TIMEOUT = 5,	/* the serving role did not answer in time: exit 75 */
	WIRE_E_BUSY = 6,	/* too many requests in flight: exit 75 */
	WIRE_E_FAILED = 7,	/* the role failed: exit 1 */
	WIRE_E_LOCKED = 8,	/* the profile's vault is locked: exit 77 */
	WIRE_E_NOT_FOUND = 9,	/* no such secret or vault: exit 1 */
	WIRE_E_EXISTS = 10,	/* the vault already exists: exit 1 */
};

/* Field tags. */
enum wire_field {
	WF_CODE = 1,		/* u32 */
	WF_TEXT = 2,		/* string */
	WF_DATA = 3,		/* bytes */
	WF_ROLE = 4,		/* string: a connected role's name */
	WF_UPTIME_MS = 5,	/* u64 */
	WF_CLIENTS = 6,		/* u32: connections right now */
	WF_PROFILE = 7,		/* string */
	WF_KEY = 8,		/* string */
	WF_VALUE = 9,		/* bytes (secret: wipe after use) */
	WF_VERSION = 10,	/* string: sesame version */
	WF_PASSWORD = 11,	/* bytes (secret: wipe after use) */
	WF_STATE = 12,		/* string: "locked" or "unlocked" */
	WF_NEW_PASSWORD = 13,	/* bytes (secret) */
	WF_DEFAULT = 14,	/* string: the default profile */
	WF_REASON = 15,		/* string: why a profile is active ("manual", "usb 1050:0407", ...) */
	WF_POLICY = 16,		/* string: "any" or "all" */
	WF_FACTOR = 17,		/* string: "password", "ssh", "tpm2" or "keyfile" */
	WF_SSH_KEY = 18,	/* bytes: an SSH public key blob */
	WF_SSH_NONCE = 19,	/* bytes: 32, part of the challenge the agent signs */
	WF_SSH_SIG = 20,	/* bytes (secret: a key is derived from it) */
	/* Stamped by the hub on every request it routes (a client's own are
	 * removed first): who asked. */
	WF_CALLER = 21,		/* u64: the requester's connection */
	WF_CALLER_ROLE = 22,	/* string: "cli" (an unregistered key) or the role's name */
	WF_PID = 23,		/* u32: in status replies, after WF_ROLE (or for the replier) */
	WF_SANDBOX = 24,	/* string: the replier's sandbox ("landlock=abi7 seccomp=on") */
	WF_QUERY = 25,		/* string: what was typed */
	WF_LIMIT = 26,		/* u32: at most this many results */
	WF_ENTRY = 27,		/* string: a desktop entry id ("org.gnome.Nautilus.desktop") */
	WF_NAME = 28,		/* string: a display name */
	WF_GENERIC = 29,	/* string: a generic name ("Web Browser"), may be empty */
	WF_SCORE = 30,		/* u32: a rank score, higher is better */
	WF_TAG = 31,		/* string: a launch profile, "name" or "profile:name" */
	WF_ARG = 32,		/* string: an extra argument */
	WF_TRIGGER = 33,	/* string: a snippet's trigger */
	WF_TEMPLATE = 34,	/* string: a snippet's template (template.h) */
	WF_WINDOW = 35,		/* u32: a window, numbered by daemon-wm (not kept across restarts) */
	WF_APP_ID = 36,		/* string: a window's app id ("foot", "firefox") */
	WF_TITLE = 37,		/* string: a window's title */
	WF_TARGET = 38,		/* string: a window id or an app id */
	WF_BACKWARD = 39,	/* u32: 1 to go backward */
	WF_CLIP = 40,		/* u64: a clipboard history entry */
	WF_MIME = 41,		/* string: a MIME type ("text/plain;charset=utf-8") */
	WF_TIME = 42,		/* u64: milliseconds since the epoch */
	WF_KIND = 43,		/* string: why an entry is sensitive ("github-token",
				 * "password-manager"...), empty if it is not */
	WF_EXPIRES = 44,	/* u64: when an entry goes (ms since the epoch), 0: never */
	WF_DEVICE = 45,		/* string: an input device ("/dev/input/event3: AT keyboard") */
	WF_BINDING = 46,	/* string: a key combination ("ctrl+alt+t") */
	WF_COMMAND = 47,	/* string: the sesame command line a binding runs */
	WF_FIRED = 48,		/* string: the combination of a binding that fired */
	WF_LAUNCHER = 49,	/* u32: 1 for the overlay's launcher mode */
	WF_MSG = 50,		/* bytes: one whole message, in a WIRE_BATCH */
	/* In status replies, after a WF_ROLE or a WF_GONE: */
	WF_CONNECTS = 51,	/* u32: times the role connected since the hub started */
	WF_GONE = 52,		/* string: a role that connected before and is not connected now */
	WF_SINCE_MS = 53,	/* u64: milliseconds since the role connected, or went */
	/* On a request: by when it must be done, in CLOCK_MONOTONIC
	 * milliseconds (one clock for every process of the machine).  A client
	 * sends its own; the hub replaces it with the earlier of that, less
	 * WIRE_DEADLINE_MARGIN_MS for the reply's way back, and its own
	 * deadline for the role.  A role drops a request it reads past its
	 * deadline, and does not apply the result of work that ends past it:
	 * a requester that gave up (exit 75) never sees its request carried
	 * out afterwards, even if the role was stopped for a while. */
	WF_DEADLINE = 54,	/* u64 */
	/* A secret.list reply holds what fits in one message; WF_MORE says
	 * some are left, and the next request asks for those after the last
	 * name received. */
	WF_AFTER = 55,		/* string: list the names sorted after this one */
	WF_MORE = 56,		/* u32: 1 when a list reply was cut short */
	/* The machine factors (vault.h): the 32-byte secret the CLI got from
	 * the TPM or the key file, and the factor's public data (the vault
	 * keeps it, the CLI reads it back in vault.auth replies).  In an
	 * enroll (WF_FACTOR "tpm2" or "keyfile"), the named factor's secret
	 * and data are the new ones; the other factors prove the request. */
	WF_TPM2_SECRET = 57,	/* bytes: 32 (secret: a key is derived from it) */
	WF_TPM2_DATA = 58,	/* bytes: sealed blobs and policy (lib/tpm2/tpm2.h) */
	WF_KEYFILE_SECRET = 59,	/* bytes: 32 (secret) */
	WF_KEYFILE_DATA = 60,	/* bytes: the key file's path */
	WF_HINT = 61,		/* string: a window's switcher hint ("m", "fa") */
	WF_ALT = 62,		/* u32: 1 when the overlay's caller holds Alt (an Alt+Tab binding) */
	WF_TTL_S = 63,		/* u32: seconds */
	WF_ICON = 64,		/* string: a desktop entry's Icon= value */
	WF_LAYER = 65,		/* string: a keyboard layer's name */
	WF_REMAPS = 66,		/* u32: how many keys a layer remaps */
	WF_REMAP = 67,		/* string: whether keys are remapped ("on: ...", "off: why") */
	/* Several SSH keys per vault (vault.h: slots 0 to 7).  A vault.auth
	 * reply gives each enrolled key as WF_SSH_SLOT, WF_SSH_KEY,
	 * WF_SSH_NONCE, WF_SSH_COMMENT, in that order.  A request proves with
	 * WF_SSH_PROOF per key (unlock, passwd, enroll, revoke); WF_SSH_SIG
	 * is the new key's signature in init and enroll, and elsewhere slot
	 * 0's.  An ssh revoke names the key by WF_SSH_SLOT. */
	WF_SSH_SLOT = 68,	/* u32: 0 to 7 */
	WF_SSH_PROOF = 69,	/* bytes: the slot (1 byte), then the agent's signature */
	WF_SSH_COMMENT = 70,	/* string: the key's comment when it was enrolled */
};
#define WIRE_DEADLINE_MARGIN_MS 250

struct wire_msg {
	uint8_t version, type;
	uint16_t flags;
	uint32_t id;
	const uint8_t *fields;	/* points into the decoded buffer */
	size_t fields_len;
};

/* Parse and validate a message (header and every field's bounds); -1
 * with a reason if it is malformed.  Nothing is copied. */
int wire_decode(const uint8_t *buf, size_t len, struct wire_msg *m);

/* Walk fields: start with *pos = 0; returns 1 with a field, 0 at the
 * end.  Only call on a message wire_decode accepted. */
int wire_next(const struct wire_msg *m, size_t *pos, uint16_t *tag,
	const uint8_t **val, uint16_t *len);
/* The next field with this tag, as wire_next; 0 when there is none left. */
int wire_next_tag(const struct wire_msg *m, size_t *pos, uint16_t tag,
	const uint8_t **val, uint16_t *len);
/* The first field with this tag; 0 if absent. */
int wire_find(const struct wire_msg *m, uint16_t tag, const uint8_t **val, uint16_t *len);
/* A field value of 4 or 8 bytes as a number (for walking repeated
 * fields with wire_next); 0 for any other length. */
uint64_t wire_uint(const uint8_t *v, uint16_t len);
/* Typed getters: -1 if absent or of the wrong length. */
int wire_get_u32(const struct wire_msg *m, uint16_t tag, uint32_t *out);
int wire_get_u64(const struct wire_msg *m, uint16_t tag, uint64_t *out);
/* A string field copied into out (size outsz, NUL-terminated); -1 if
 * absent, too long, or holding a NUL. */
int wire_get_str(const struct wire_msg *m, uint16_t tag, char *out, size_t outsz);

/* Building a message into a fixed buffer; an overflow is remembered and
 * reported by wire_end.  The counters come first, on the page of the
 * buffer's start: a short message touches one page, not two (each is a
 * page fault to a command). */
struct wire_out {
	size_t len;
	int overflow;
	uint8_t buf[WIRE_MAX_MESSAGE];
};

void wire_begin(struct wire_out *o, uint8_t type, uint16_t flags, uint32_t id);
void wire_put(struct wire_out *o, uint16_t tag, const void *val, size_t len);
void wire_put_u32(struct wire_out *o, uint16_t tag, uint32_t v);
void wire_put_u64(struct wire_out *o, uint16_t tag, uint64_t v);
void wire_put_str(struct wire_out *o, uint16_t tag, const char *s);
/* -1 with a reason if the message did not fit. */
int wire_end(struct wire_out *o);
/* Set the request id of a message already built (buf: its header). */
void wire_set_id(uint8_t *buf, uint32_t id);
/* An error reply to request m. */
void wire_error(struct wire_out *o, const struct wire_msg *req, uint32_t code, const char *text);

/* Which role serves a request type ("profile" for the hub itself), or
 * NULL if the type is unknown. */
const char *wire_type_role(uint8_t type);
/* The same as an index into the roles (WR_*), or -1 if the type is unknown. */
int wire_type_role_index(uint8_t type);
const char *wire_type_name(uint8_t type);
/* Requests that may run Argon2id in daemon-secrets (init, unlock, passwd,
 * ssh enroll and revoke): its cost is configurable per vault, and a slow
 * machine with a high cost takes seconds, so they are given
 * WIRE_KDF_TIMEOUT_MS where anything else is given far less (the CLI's
 * 5 s, the hub's --request-timeout-ms). */
#define WIRE_KDF_TIMEOUT_MS 120000
int wire_type_kdf(uint8_t type);
/* Requests that may ride in message 1 (0-RTT): read-only, idempotent,
 * holding no secret; the table in wire.c says which and why. */
int wire_type_early(uint8_t type);
/* 1 if the type's request (reply 0) or reply (reply 1) carries secret
 * material: a password, a value, a key. */
int wire_type_secret(uint8_t type, int reply);
/* Whether sender ("cli" or a role's name) may send a request of type (the
 * table in wire.c): NULL if it may, else why not.  The hub asks before it
 * serves or routes anything. */
const char *wire_type_sender_refused(uint8_t type, const char *sender);
/* The kind of failure (util.h) an error reply's code is. */
#include "lib/core/util.h"
enum err wire_error_code(uint32_t code);

/* Reassembling frames from a byte stream (the hub's reader): ask where
 * the next bytes go, then say how many arrived. */
struct wire_reader {
	uint8_t hdr[4];
	size_t hdr_got;
	uint8_t *body;		/* WIRE_MAX_FRAME bytes, owned by the caller */
	uint32_t len, got;
};

/* Where to put the next bytes (*room bytes at most). */
uint8_t *wire_reader_space(struct wire_reader *r, size_t *room);
/* n bytes arrived there: 1 when a frame is complete (r->body, r->len,
 * valid until the next call), 0 if more is needed, -1 with a reason on a
 * bad length. */
int wire_reader_commit(struct wire_reader *r, size_t n);

/* Frame helpers: put the 4-byte length before a payload. */
void wire_frame_header(uint8_t hdr[4], uint32_t len);
uint32_t wire_frame_length(const uint8_t hdr[4]);

#endif
