/* nodesktop.c - the Wayland roles' names, symlinks and help in a build
 * without Wayland (DESKTOP=0: make static, or no libwayland-client): each
 * says so and exits 1.  Built instead of daemon_wm.c, daemon_clipboard.c
 * and daemon_input.c (which needs xkbcommon, not Wayland, but is a
 * desktop role all the same). */
#include "applets/applet.h"

/*APPLET daemon-wm - role nodesktop "window list and focus on Wayland (not in this build)"
usage: daemon-wm

This build has no Wayland support (it was built with DESKTOP=0).
Build with DESKTOP=1 and libwayland-client for the window role.
*/

/*APPLET daemon-clipboard - role nodesktop "clipboard history (not in this build)"
usage: daemon-clipboard

This build has no Wayland support (it was built with DESKTOP=0).
Build with DESKTOP=1 and libwayland-client for the clipboard role.
*/

/*APPLET daemon-input - role nodesktop "key bindings from input devices (not in this build)"
usage: daemon-input

This build has no desktop roles (it was built with DESKTOP=0).
Build with DESKTOP=1 and libxkbcommon for the input role.
*/
