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
 *   evwrite --decode          read struct input_event records from stdin
 *                             (what daemon-input's virtual keyboard got)
 *                             and print their keys on one line, "CODE:VALUE"
 *                             words; "NOSYN" where a key has no EV_SYN after
 *                             it, "TYPE?" for anything else
 *   evwrite --grabbed NAME    exit 0 if the input device called NAME is
 *                             grabbed (EVIOCGRAB by someone: EBUSY), 1 if
 *                             not, 2 if there is no such device
 *   evwrite --read NAME N     print the first N key events of the input
 *                             device called NAME as --decode does (waits
 *                             up to 10 s for the device to appear)
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

static int decode(int fd, long max)
{
	struct input_event ev;
	int pending = 0, n = 0;

	while (max && read(fd, &ev, sizeof(ev)) == (ssize_t)sizeof(ev)) {
		if (ev.type == EV_SYN && ev.code == SYN_REPORT) {
			pending = 0;
			continue;
		}
		if (pending)
			printf(" NOSYN");
		if (ev.type == EV_KEY) {
			printf("%s%u:%d", n++ ? " " : "", ev.code, ev.value);
			pending = 1;
			max--;
		} else if (ev.type != EV_MSC) {
			printf("%s%u?", n++ ? " " : "", ev.type);
		}
	}
	if (pending && max < 0)
		printf(" NOSYN");
	printf("\n");
	return 0;
}

/* The event device called name, opened; -1 if none. */
static int find_device(const char *name, int wait_ms)
{
	for (int waited = 0; waited <= wait_ms; waited += 100) {
		for (int i = 0; i < 64; i++) {
			char path[64], got[256] = "";
			int fd;

			snprintf(path, sizeof(path), "/dev/input/event%d", i);
			if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
				continue;
			if (ioctl(fd, EVIOCGNAME(sizeof(got) - 1), got) >= 0 && !strcmp(got, name))
				return fd;
			close(fd);
		}
		pause_ms(100);
	}
	return -1;
}

int main(int argc, char **argv)
{
	int fd = 1, uinput = argc >= 3 && !strcmp(argv[1], "--uinput");
	long delay = argc > (uinput ? 3 : 1) ? atol(argv[uinput ? 3 : 1]) : 20;
	unsigned code;
	int value;

	if (argc >= 2 && !strcmp(argv[1], "--decode"))
		return decode(0, -1);
	if (argc >= 3 && !strcmp(argv[1], "--grabbed")) {
		if ((fd = find_device(argv[2], 0)) < 0)
			return 2;
		if (ioctl(fd, EVIOCGRAB, 1) < 0)
			return errno == EBUSY ? 0 : 3;
		ioctl(fd, EVIOCGRAB, 0);
		return 1;
	}
	if (argc >= 4 && !strcmp(argv[1], "--read")) {
		if ((fd = find_device(argv[2], 10000)) < 0)
			return 2;
		return decode(fd, atol(argv[3]));
	}
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
