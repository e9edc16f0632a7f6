// SPDX-License-Identifier: GPL-2.0-only
#include "xen_glue.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "consumer.h"

static bool xs_put(struct xs_handle *xs, const char *path, const char *fmt, uint32_t v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), fmt, v);

	return xs_write(xs, XBT_NULL, path, buf, (unsigned int)n);
}

int gntinput_xen_open(struct gntinput_xen *x, uint16_t backend, char *err, size_t errlen)
{
	xenevtchn_port_or_error_t port;
	const char *what;

	memset(x, 0, sizeof(*x));
	x->backend = backend;
	what = "xengntshr_open (/dev/xen/gntalloc)";
	x->gs = xengntshr_open(NULL, 0);
	if (!x->gs)
		goto fail;
	what = "sharing the ring page";
	x->page = xengntshr_share_pages((xengntshr_handle *)x->gs, backend, 1, &x->ref, 1);
	if (!x->page)
		goto fail;
	gntinput_page_init(x->page);
	what = "xenevtchn_open (/dev/xen/evtchn)";
	x->xe = xenevtchn_open(NULL, 0);
	if (!x->xe)
		goto fail;
	what = "allocating an event channel";
	port = xenevtchn_bind_unbound_port((xenevtchn_handle *)x->xe, backend);
	if (port < 0)
		goto fail;
	x->port = (uint32_t)port;
	what = "xs_open";
	x->xs = xs_open(0);
	if (!x->xs)
		goto fail;
	what = "publishing in XenStore (" GNTINPUT_XS_DIR ")";
	xs_rm(x->xs, XBT_NULL, GNTINPUT_XS_DIR);
	if (!xs_put(x->xs, GNTINPUT_XS_RING_REF, "%u", x->ref) ||
	    !xs_put(x->xs, GNTINPUT_XS_EVTCHN, "%u", x->port) ||
	    !xs_put(x->xs, GNTINPUT_XS_VERSION, "%u.0", GNTINPUT_VERSION_MAJOR) ||
	    !xs_write(x->xs, XBT_NULL, GNTINPUT_XS_STATE, "connected", 9))
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", what, strerror(errno));
	gntinput_xen_close(x);
	return -1;
}

int gntinput_file_open(struct gntinput_xen *x, const char *page_path, const char *fifo_path,
		       char *err, size_t errlen)
{
	int fd;
	void *p;

	memset(x, 0, sizeof(*x));
	x->file = true;
	x->file_fifo = -1;
	fd = open(page_path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	p = mmap(NULL, GNTINPUT_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		goto fail;
	x->page = p;
	gntinput_page_init(x->page);
	x->file_fifo = open(fifo_path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (x->file_fifo < 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "file backend (%s, %s): %s", page_path, fifo_path, strerror(errno));
	gntinput_xen_close(x);
	return -1;
}

void gntinput_xen_close(struct gntinput_xen *x)
{
	if (x->file) {
		if (x->page)
			munmap(x->page, GNTINPUT_PAGE_SIZE);
		if (x->file_fifo >= 0)
			close(x->file_fifo);
		memset(x, 0, sizeof(*x));
		return;
	}
	if (x->xs) {
		xs_rm(x->xs, XBT_NULL, GNTINPUT_XS_DIR);
		xs_close(x->xs);
	}
	if (x->xe) {
		if (x->port)
			xenevtchn_unbind((xenevtchn_handle *)x->xe, x->port);
		xenevtchn_close((xenevtchn_handle *)x->xe);
	}
	if (x->gs) {
		if (x->page)
			xengntshr_unshare((xengntshr_handle *)x->gs, x->page, 1);
		xengntshr_close((xengntshr_handle *)x->gs);
	}
	memset(x, 0, sizeof(*x));
}

int gntinput_xen_fd(const struct gntinput_xen *x)
{
	if (x->file)
		return x->file_fifo;
	return xenevtchn_fd((xenevtchn_handle *)x->xe);
}

void gntinput_xen_ack(struct gntinput_xen *x)
{
	xenevtchn_port_or_error_t p;
	char buf[64];

	if (x->file) {
		while (read(x->file_fifo, buf, sizeof(buf)) > 0)
			;
		return;
	}
	p = xenevtchn_pending((xenevtchn_handle *)x->xe);

	if (p >= 0)
		xenevtchn_unmask((xenevtchn_handle *)x->xe, (evtchn_port_t)p);
}

int gntinput_xen_notify(struct gntinput_xen *x)
{
	if (x->file)
		return 0; /* the test producer does not wait for room */
	return xenevtchn_notify((xenevtchn_handle *)x->xe, x->port);
}
