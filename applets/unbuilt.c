/* unbuilt.c - roles declared before they are written, so that their
 * names, daemon-ROLE symlinks and help exist; each says it is not
 * implemented and exits 1 until its own file lands (and this block goes).
 * Listed last in the Makefile, so they come last in --help. */
#include "../lib/applet.h"

/*APPLET daemon-input - role "keyboard bindings from input devices"
usage: daemon-input

Compositor-independent key bindings from evdev keyboards.
*/
