/* vkbd.h - daemon-input's virtual keyboard: where remapped keys go.  A
 * uinput device ("sesame virtual keyboard"), or for tests a file or FIFO
 * that receives the same struct input_event records uinput would. */
#ifndef SESAME_VKBD_H
#define SESAME_VKBD_H

#define VKBD_NAME "sesame virtual keyboard"

struct vkbd {
	int fd;			/* -1: closed */
	int uinput;
	char what[128];		/* "/dev/uinput (sesame virtual keyboard)" or the file */
};

/* Make the device (file NULL: through /dev/uinput).  -1 with a reason. */
int vkbd_open(struct vkbd *v, const char *file);
/* Send one key event and its EV_SYN report.  -1 with a reason (logged by
 * the caller once: a full FIFO drops events). */
int vkbd_key(struct vkbd *v, unsigned code, int value);
/* Destroy the device; every key it held is released by the kernel. */
void vkbd_close(struct vkbd *v);

#endif
