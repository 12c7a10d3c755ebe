/* vkbd.c - the virtual keyboard remapped keys go out through (vkbd.h). */
#include "applets/input/vkbd.h"
#include "lib/core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/uinput.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static int make_device(int fd)
{
	struct uinput_setup us;

	if (ioctl(fd, UI_SET_EVBIT, EV_KEY) < 0 || ioctl(fd, UI_SET_EVBIT, EV_SYN) < 0)
		return -1;
	/* The keyboard's keys, and the extra keys past the buttons (KEY_OK to
	 * KEY_KBDINPUTASSIST...); never BTN_*, or udev would call it a mouse or
	 * a joystick. */
	for (unsigned k = 1; k < BTN_MISC; k++)
		if (ioctl(fd, UI_SET_KEYBIT, k) < 0)
			return -1;
	for (unsigned k = KEY_OK; k < BTN_TRIGGER_HAPPY; k++)
		if (ioctl(fd, UI_SET_KEYBIT, k) < 0)
			return -1;
	memset(&us, 0, sizeof(us));
	us.id.bustype = BUS_VIRTUAL;
	us.id.vendor = 0x5e5a;	/* "sesa": not a registered vendor, never a real one's */
	us.id.product = 0x0001;
	snprintf(us.name, UINPUT_MAX_NAME_SIZE, "%s", VKBD_NAME);
	if (ioctl(fd, UI_DEV_SETUP, &us) < 0 || ioctl(fd, UI_DEV_CREATE) < 0)
		return -1;
	return 0;
}

int vkbd_open(struct vkbd *v, const char *file)
{
	struct stat sb;

	v->uinput = !file;
	if (!file) {
		snprintf(v->what, sizeof(v->what), "/dev/uinput (%s)", VKBD_NAME);
		if ((v->fd = open("/dev/uinput", O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
			return v->fd = -1, fail("/dev/uinput: %s%s", strerror(errno), errno == ENOENT ?
				" (load the uinput module)" : errno == EACCES ?
				" (the user needs write access: a udev rule, or the input group)" : "");
		if (make_device(v->fd) < 0) {
			int e = errno;

			close(v->fd);
			v->fd = -1;
			return fail("/dev/uinput: cannot make a keyboard: %s", strerror(e));
		}
		return 0;
	}
	snprintf(v->what, sizeof(v->what), "%s", file);
	/* A FIFO is opened for reading too, so that it never blocks nor fails
	 * for want of a reader. */
	if (stat(file, &sb) == 0 && S_ISFIFO(sb.st_mode))
		v->fd = open(file, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	else
		v->fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (v->fd < 0)
		return fail("%s: %s", file, strerror(errno));
	return 0;
}

static int put(struct vkbd *v, unsigned type, unsigned code, int value)
{
	struct input_event ev;
	ssize_t n;

	memset(&ev, 0, sizeof(ev));
	ev.type = (unsigned short)type;
	ev.code = (unsigned short)code;
	ev.value = value;
	while ((n = write(v->fd, &ev, sizeof(ev))) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(ev))
		return fail("%s: %s", v->what, n < 0 ? strerror(errno) : "a short write");
	return 0;
}

int vkbd_key(struct vkbd *v, unsigned code, int value)
{
	if (v->fd < 0)
		return fail("no virtual keyboard");
	if (put(v, EV_KEY, code, value) < 0 || put(v, EV_SYN, SYN_REPORT, 0) < 0)
		return -1;
	return 0;
}

void vkbd_close(struct vkbd *v)
{
	if (v->fd < 0)
		return;
	if (v->uinput)
		ioctl(v->fd, UI_DEV_DESTROY);
	close(v->fd);
	v->fd = -1;
}
