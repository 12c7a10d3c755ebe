/* layer.h - keyboard layers as written in the configuration (keyd-like):
 *
 *   [profiles.default.input.layers.main]	# always on: the base layer
 *   capslock = "overload(nav, esc)"		# held: layer nav; tapped: esc
 *   rightalt = "layer(nav)"			# held: layer nav
 *   scrolllock = "toggle(nav)"			# pressed: nav on, again: off
 *   leftmeta = "overload(ctrl, leftmeta)"	# held: ctrl; tapped: super
 *   insert = "noop"				# does nothing
 *   [profiles.default.input.layers.nav]
 *   h = "left"
 *   w = "ctrl+right"			# with modifiers
 *
 * Each key of a layer is an evdev key name: the KEY_ constant in lower
 * case without its prefix ("a", "capslock", "leftctrl", "f5", "102nd"),
 * or an alias (esc, ctrl, control, shift, alt, super, meta, altgr,
 * return).  A value is a key (optionally after shift+, ctrl+, alt+,
 * super+ as in binding.h), "noop", or layer(L), toggle(L), overload(L, KEY)
 * where L is a layer's name or a modifier (ctrl, shift, alt, super).
 */
#ifndef SESAME_LAYER_H
#define SESAME_LAYER_H

#include <stdint.h>

#define LAYER_NAME_MAX 32

enum layer_kind { LAYER_KEY, LAYER_NOOP, LAYER_HOLD, LAYER_TOGGLE, LAYER_OVERLOAD };

struct layer_action {
	uint8_t kind;		/* enum layer_kind */
	uint8_t mods;		/* KEY, OVERLOAD's tap: BIND_* modifiers sent with code */
	uint8_t hold_mods;	/* HOLD, OVERLOAD: a modifier held instead of a layer */
	uint16_t code;		/* KEY, OVERLOAD's tap: the evdev key */
	char layer[LAYER_NAME_MAX];	/* HOLD, TOGGLE, OVERLOAD: a layer (unless hold_mods) */
};

/* The evdev code of a key name, or -1. */
int layer_key_code(const char *name);
/* The name of an evdev key code ("capslock"), or NULL. */
const char *layer_key_name(unsigned code);
/* 1 if s can name a layer: letters, digits, '_', '-', at most 31, not a
 * modifier's name. */
int layer_name_valid(const char *s);
/* Parse a layer entry's value s into a.  -1 with a reason. */
int layer_action_parse(const char *s, struct layer_action *a);
/* The action written back canonically into out ("overload(nav, esc)"). */
void layer_action_format(const struct layer_action *a, char *out, unsigned outsz);

#endif
