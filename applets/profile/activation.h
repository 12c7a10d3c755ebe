/* activation.h - context activation: the facts daemon-profile gathers
 * (USB devices present, the WiFi network, the time) and the rules of
 * [profiles.<name>.activation] they are checked against.  A profile with
 * rules is active by context while any one of them matches.
 *
 * Gathering never blocks: USB ids are read from sysfs (a directory of
 * devices, each with idVendor and idProduct; configurable so tests can
 * fake it); the SSID comes from a child process (iwgetid -r, or nmcli) or
 * a wpa_supplicant control socket, read when ready.
 */
#ifndef SESAME_ACTIVATION_H
#define SESAME_ACTIVATION_H

#include "lib/config/config.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define ACTIVATION_MAX_USB 128

struct activation_facts {
	uint32_t usb[ACTIVATION_MAX_USB];	/* vendor << 16 | product */
	size_t nusb;
	char ssid[33];			/* "" if not connected or unknown */
	time_t now;
};

/* USB devices under dir; how many were stored, or -1 with a reason. */
int activation_usb_scan(const char *dir, uint32_t *ids, size_t max);

/* Is the profile active by context?  1 with why ("usb 1050:0407",
 * "wifi home-net", "time mon-fri 09:00-17:00"), 0 if no rule matches or it
 * has none. */
int activation_match(const struct config *c, const char *profile, const struct activation_facts *f,
	char *why, size_t n);
/* Does any profile have a rule of this kind ("wifi_ssids", ...)? */
int activation_uses(const struct config *c, const char *kind);
int activation_time_match(const struct time_rule *r, const struct tm *tm);

/* A running SSID query. */
struct wifi_probe {
	int fd;			/* watch this; -1 when idle */
	pid_t pid;		/* child (iwgetid, nmcli), or 0 for a wpa_supplicant socket */
	int kind;
	char buf[1024];
	size_t len;
	long long deadline_ms;
};

/* Start a query with source "auto", "iwgetid", "wpa_supplicant" or
 * "networkmanager"; 0 started (watch p->fd), -1 with a reason. */
int wifi_probe_start(struct wifi_probe *p, const char *source, const char *wpa_dir, long long now_ms);
/* p->fd is readable: 1 when the answer is complete (ssid filled, "" if
 * none), 0 if more is to come, -1 with a reason (probe ended). */
int wifi_probe_read(struct wifi_probe *p, char ssid[33]);
/* Where prog is in $PATH (buf, n bytes); 1 if found. */
int activation_which(const char *prog, char *buf, size_t n);
/* The SSID in a probe's answer (at most 1024 bytes are looked at): kind
 * WIFI_IWGETID (one line), WIFI_NMCLI ("yes:SSID", backslash escapes) or
 * WIFI_WPA (STATUS lines; only when wpa_state=COMPLETED).  "" if none.
 * Exposed for the fuzz target; the SSID comes from the air. */
enum { WIFI_IWGETID = 1, WIFI_NMCLI, WIFI_WPA };
void wifi_parse(int kind, const char *answer, size_t len, char ssid[33]);
/* Stop and reap whatever is running. */
void wifi_probe_stop(struct wifi_probe *p);

#endif
