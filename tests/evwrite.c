/* evwrite - key events for daemon-input's tests.
 *
 *   evwrite [DELAY_MS]        read "CODE VALUE" lines (evdev key codes,
 *                             1 press, 0 release) from stdin; write each as
 *                             a struct input_event (EV_KEY) and an EV_SYN
 *                             to stdout, DELAY_MS apart
 *   evwrite --uinput NAME [DELAY_MS]
 *                             the same through a uinput keyboard called
 *                             NAME (needs /dev/uinput), made first and
 *                             left a second to be noticed
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/uinput.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void emit(int fd, unsigned type, unsigned code, int value)
{
	struct input_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = (unsigned short)type;
	ev.code = (unsigned short)code;
	ev.value = value;
	if (write(fd, &ev, sizeof(ev)) != (ssize_t)sizeof(ev)) {
		perror("evwrite: write");
		exit(1);
	}
}

static int make_uinput(const char *name)
{
	struct uinput_setup us;
	int fd = open("/dev/uinput", O_WRONLY | O_CLOEXEC);

	if (fd < 0) {
		perror("evwrite: /dev/uinput");
		exit(77);
	}
	ioctl(fd, UI_SET_EVBIT, EV_KEY);
	for (int k = 1; k < 128; k++)
		ioctl(fd, UI_SET_KEYBIT, k);
	memset(&us, 0, sizeof(us));
	us.id.bustype = BUS_USB;
	us.id.vendor = 0x1234;
	us.id.product = 0x5678;
	snprintf(us.name, UINPUT_MAX_NAME_SIZE, "%s", name);
	if (ioctl(fd, UI_DEV_SETUP, &us) < 0 || ioctl(fd, UI_DEV_CREATE) < 0) {
		perror("evwrite: uinput setup");
		exit(1);
	}
	pause_ms(1000);
	return fd;
}

int main(int argc, char **argv)
{
	int fd = 1, uinput = argc >= 3 && !strcmp(argv[1], "--uinput");
	long delay = argc > (uinput ? 3 : 1) ? atol(argv[uinput ? 3 : 1]) : 20;
	unsigned code;
	int value;

	if (uinput)
		fd = make_uinput(argv[2]);
	while (scanf("%u %d", &code, &value) == 2) {
		emit(fd, EV_KEY, code, value);
		emit(fd, EV_SYN, SYN_REPORT, 0);
		pause_ms(delay);
	}
	if (uinput) {
		pause_ms(300);
		ioctl(fd, UI_DEV_DESTROY);
		close(fd);
	}
	return 0;
}
