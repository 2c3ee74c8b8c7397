/*
 * worker.c - the blkbackd worker: one process per guest disk.
 *
 * It owns the xenbus state of its device (common/xenbus.c), maps the
 * frontend's ring, copies each request out once, validates the copy
 * (blkif.c) and moves data between the guest's granted pages and the backing
 * store with batched grant copy.  A broken frontend closes this device only;
 * nothing the guest writes can make this process exit other than by
 * closing its own device.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backing.h"
#include "blkbackd.h"
#include "blkif.h"
#include "ev.h"
#include "gnt.h"
#include "log.h"
#include "parse.h"
#include "proc.h"
#include "ring.h"
#include "xenbus.h"
#include "xs.h"

/* Requests served per event before yielding to the loop (XSA-332). */
#define BLK_BUDGET		64
#define BLK_BUF_SIZE		(BLKIF_MAX_SEGMENTS_PER_REQUEST * XB_PAGE_SIZE)

struct blk_worker {
	struct ev_base		*base;
	struct xsc		*xsc;
	struct xb_dev		*dev;
	xengnttab_handle	*xgt;
	xenevtchn_handle	*xce;
	struct ev		*ev_evtchn, *ev_chan, *ev_more;
	struct ev		*ev_term, *ev_int;
	int			 chan;
	unsigned int		 domid, devid;

	const struct backing_ops *bops;
	void			*store;
	struct backing_info	 info;
	struct blk_limits	 lim;

	/* Ring state, valid while connected. */
	bool			 connected;
	bool			 halted;	/* frontend broke the ring: not served */
	void			*sring;
	unsigned int		 npages;
	blkif_back_ring_t	 ring;
	int			 port;

	struct gnt_batch	 gb;
	uint8_t			*buf;		/* one request's data, reused */

	/* Counters; the first bad request per connection is logged. */
	uint64_t		 nr_req, nr_bad, nr_ioerr;
	bool			 warned;
	int			 exit_status;
	bool			 done;		/* leave the loop (may precede it) */
};

static void	blk_serve(struct blk_worker *);

static void
blk_warn_once(struct blk_worker *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
blk_warn_once(struct blk_worker *w, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (w->warned)
		return;
	w->warned = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("%s (further errors on this connection are counted, not logged)",
	    msg);
}

/*
 * Write one response straight into the ring slot, field by field, so no
 * padding of ours reaches the guest (XSA-216).
 */
static void
blk_respond(struct blk_worker *w, uint64_t id, uint8_t op, int16_t status)
{
	blkif_response_t *rsp;
	int notify;

	rsp = RING_GET_RESPONSE(&w->ring, w->ring.rsp_prod_pvt);
	rsp->id = id;
	rsp->operation = op;
	rsp->status = status;
	w->ring.rsp_prod_pvt++;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&w->ring, notify);
	if (notify)
		xenevtchn_notify(w->xce, (evtchn_port_t)w->port);
}

/* Move the data of a validated request; returns a BLKIF_RSP_* status. */
static int16_t
blk_do_io(struct blk_worker *w, const struct blk_req *r)
{
	size_t bytes = (size_t)r->nr_sectors << BLK_SECTOR_SHIFT;
	uint64_t off = r->sector << BLK_SECTOR_SHIFT;
	unsigned int i, bad;
	size_t pos = 0;
	int gst;

	if (r->flush && w->bops->flush(w->store) == -1) {
		w->nr_ioerr++;
		blk_warn_once(w, "flush failed: %s", strerror(errno));
		return BLKIF_RSP_ERROR;
	}
	if (r->nseg == 0)
		return BLKIF_RSP_OKAY;

	gnt_batch_reset(&w->gb);
	for (i = 0; i < r->nseg; i++) {
		/* Bounds were checked by blk_validate(); this cannot fail. */
		if (gnt_batch_add(&w->gb, !r->writes, w->domid, r->seg[i].gref,
		    r->seg[i].offset, r->seg[i].len, w->buf + pos) == -1)
			return BLKIF_RSP_ERROR;
		pos += r->seg[i].len;
	}

	if (r->writes) {
		if (gnt_batch_run(w->xgt, &w->gb, &bad, &gst) == -1) {
			w->nr_bad++;
			blk_warn_once(w, "grant copy from guest failed "
			    "(segment %u, gref %u, status %d)", bad,
			    r->seg[bad < r->nseg ? bad : 0].gref, gst);
			return BLKIF_RSP_ERROR;
		}
		if (w->bops->write(w->store, w->buf, bytes, off) == -1) {
			w->nr_ioerr++;
			blk_warn_once(w, "write of %zu bytes at %llu failed: %s",
			    bytes, (unsigned long long)off, strerror(errno));
			return BLKIF_RSP_ERROR;
		}
		return BLKIF_RSP_OKAY;
	}

	if (w->bops->read(w->store, w->buf, bytes, off) == -1) {
		w->nr_ioerr++;
		blk_warn_once(w, "read of %zu bytes at %llu failed: %s",
		    bytes, (unsigned long long)off, strerror(errno));
		return BLKIF_RSP_ERROR;
	}
	if (gnt_batch_run(w->xgt, &w->gb, &bad, &gst) == -1) {
		w->nr_bad++;
		blk_warn_once(w, "grant copy to guest failed (segment %u, "
		    "gref %u, status %d)", bad, r->seg[bad < r->nseg ? bad : 0].gref,
		    gst);
		return BLKIF_RSP_ERROR;
	}
	return BLKIF_RSP_OKAY;
}

static void
blk_handle(struct blk_worker *w, const struct blkif_request *req)
{
	struct blk_req r;
	const char *why = "";
	char opbuf[16];
	int16_t st;

	w->nr_req++;
	st = (int16_t)blk_validate(req, &w->lim, &r, &why);
	if (st != BLKIF_RSP_OKAY) {
		w->nr_bad++;
		blk_warn_once(w, "bad request id %llu (%s, %u segments, sector "
		    "%llu): %s", (unsigned long long)req->id,
		    blk_op_name(req->operation, opbuf, sizeof(opbuf)),
		    req->nr_segments, (unsigned long long)req->sector_number, why);
	} else
		st = blk_do_io(w, &r);
	blk_respond(w, req->id, req->operation, st);
}

/* The frontend made the ring state impossible: stop serving it. */
static void
blk_halt(struct blk_worker *w, RING_IDX prod)
{
	w->halted = true;
	ev_disable(w->ev_evtchn);
	xb_dev_fatal(w->dev, EPROTO, "frontend request producer %u is more "
	    "than %u past our response index %u: ring halted", prod,
	    RING_SIZE(&w->ring), w->ring.rsp_prod_pvt);
}

static void
blk_serve(struct blk_worker *w)
{
	unsigned int budget = BLK_BUDGET;
	int more;

	if (!w->connected || w->halted)
		return;
	do {
		RING_IDX rp, rc;

		rp = w->ring.sring->req_prod;
		xen_rmb();	/* see the requests up to rp */
		if (ring_req_prod_overflow(rp, w->ring.rsp_prod_pvt,
		    RING_SIZE(&w->ring))) {
			blk_halt(w, rp);
			return;
		}
		for (rc = w->ring.req_cons; rc != rp; rc = w->ring.req_cons) {
			struct blkif_request req;

			if (RING_REQUEST_CONS_OVERFLOW(&w->ring, rc))
				break;
			if (budget-- == 0) {
				/* Yield; continue from the loop (not the guest). */
				ev_timer_arm(w->ev_more, 0);
				return;
			}
			RING_COPY_REQUEST(&w->ring, rc, &req);
			w->ring.req_cons = rc + 1;
			/* Everything below looks at the private copy only. */
			__asm__ __volatile__("" ::: "memory");
			blk_handle(w, &req);
		}
		RING_FINAL_CHECK_FOR_REQUESTS(&w->ring, more);
	} while (more);
}

static void
blk_more_cb(int fd, void *arg)
{
	(void)fd;
	blk_serve(arg);
}

static void
blk_evtchn_cb(int fd, void *arg)
{
	struct blk_worker *w = arg;
	xenevtchn_port_or_error_t port;

	(void)fd;
	if ((port = xenevtchn_pending(w->xce)) < 0)
		return;
	blk_serve(w);
	/* Unmask only after draining: the userland lateeoi (XSA-332). */
	xenevtchn_unmask(w->xce, (evtchn_port_t)port);
}

/* xb_dev_ops.probe: nothing to advertise before InitWait in this version. */
static int
blk_probe(struct xb_dev *dev, void *arg)
{
	(void)dev;
	(void)arg;
	return 0;
}

static int
blk_connect_keys_txn(struct xsc *xsc, xs_transaction_t t, void *arg)
{
	struct blk_worker *w = arg;
	unsigned int info = w->lim.readonly ? VDISK_READONLY : 0;

	(void)xsc;
	if (xb_dev_printf(w->dev, t, "sectors", "%llu",
	    (unsigned long long)w->lim.sectors) == -1 ||
	    xb_dev_printf(w->dev, t, "info", "%u", info) == -1 ||
	    xb_dev_printf(w->dev, t, "sector-size", "%u", 512) == -1 ||
	    xb_dev_printf(w->dev, t, "physical-sector-size", "%u",
	    w->info.physical_block) == -1 ||
	    xb_dev_printf(w->dev, t, "feature-flush-cache", "%d",
	    w->lim.flush) == -1 ||
	    xb_dev_printf(w->dev, t, "feature-barrier", "%d", w->lim.flush) == -1)
		return -1;
	return 0;
}

/* io/blkif.h: the frontend reads these once it sees Connected. */
static int
blk_write_connect_keys(struct blk_worker *w)
{
	return xsc_txn_run(w->xsc, blk_connect_keys_txn, w);
}

static int
blk_disconnect(struct xb_dev *dev, void *arg)
{
	struct blk_worker *w = arg;

	(void)dev;
	if (!w->connected)
		return 0;
	ev_disable(w->ev_evtchn);
	ring_evtchn_unbind(w->xce, w->port);
	ring_unmap(w->xgt, w->sring, w->npages);
	w->sring = NULL;
	w->port = -1;
	w->connected = false;
	log_info("disconnected: %llu requests, %llu rejected, %llu I/O errors",
	    (unsigned long long)w->nr_req, (unsigned long long)w->nr_bad,
	    (unsigned long long)w->nr_ioerr);
	return 0;
}

static int
blk_connect(struct xb_dev *dev, void *arg)
{
	struct blk_worker *w = arg;
	uint32_t refs[XB_RING_MAX_PAGES];
	uint64_t evtchn, nq;
	blkif_sring_t *s;
	const char *bad = "";
	char *proto, esc[64];
	int n;

	blk_disconnect(dev, arg);	/* precondition, as Linux connect_ring() */
	w->halted = false;
	w->warned = false;

	/*
	 * io/blkif.h: "protocol" names the request layout.  Only the x86_64
	 * layout (native here) is implemented in this version; an absent key
	 * means x86_32 to Linux blkback, so it is refused too.
	 */
	proto = xb_dev_fe_read(dev, "protocol");
	if (proto == NULL || strcmp(proto, XEN_IO_PROTO_ABI_X86_64) != 0) {
		xb_dev_fatal(dev, EINVAL, "unsupported frontend protocol %s",
		    proto ? log_escape(esc, sizeof(esc), proto) : "(none: x86_32)");
		free(proto);
		return -1;
	}
	free(proto);

	/* multi-queue is not advertised: absent or 1 only. */
	if (xb_dev_fe_uint(dev, "multi-queue-num-queues", 1, &nq) == -1 &&
	    errno != ENOENT) {
		xb_dev_fatal(dev, EINVAL, "bad multi-queue-num-queues "
		    "(max-queues is 1)");
		return -1;
	}
	/* max-ring-page-order is not advertised: one page. */
	n = ring_read_refs(dev, xb_dev_fepath(dev), xb_dev_fepath(dev), 0,
	    refs, &bad);
	if (n == -1) {
		xb_dev_fatal(dev, errno, "bad or missing frontend %s", bad);
		return -1;
	}
	if (xb_dev_fe_uint(dev, "event-channel", UINT32_MAX, &evtchn) == -1) {
		xb_dev_fatal(dev, errno, "bad or missing frontend event-channel");
		return -1;
	}

	w->npages = (unsigned int)n;
	if ((w->sring = ring_map(w->xgt, w->domid, refs, w->npages)) == NULL) {
		xb_dev_fatal(dev, errno, "mapping ring-ref %u: %s", refs[0],
		    strerror(errno));
		return -1;
	}
	s = w->sring;
	/* Attach to the ring as it is (Linux xen_blkif_map, BACK_RING_ATTACH). */
	BACK_RING_ATTACH(&w->ring, s, s->rsp_prod, w->npages * XB_PAGE_SIZE);
	if (!ring_attach_ok(s->req_prod, s->rsp_prod, RING_SIZE(&w->ring))) {
		xb_dev_fatal(dev, EPROTO, "ring indexes req_prod %u rsp_prod %u "
		    "impossible", s->req_prod, s->rsp_prod);
		ring_unmap(w->xgt, w->sring, w->npages);
		w->sring = NULL;
		return -1;
	}
	if ((w->port = ring_evtchn_bind(w->xce, w->domid,
	    (uint32_t)evtchn)) == -1) {
		xb_dev_fatal(dev, errno, "binding event channel %llu: %s",
		    (unsigned long long)evtchn, strerror(errno));
		ring_unmap(w->xgt, w->sring, w->npages);
		w->sring = NULL;
		return -1;
	}
	if (blk_write_connect_keys(w) == -1) {
		log_warn("writing connect keys");
		ring_evtchn_unbind(w->xce, w->port);
		ring_unmap(w->xgt, w->sring, w->npages);
		w->sring = NULL;
		w->port = -1;
		return -1;
	}
	w->connected = true;
	ev_enable(w->ev_evtchn);
	log_info("connected: ring-ref %u, %u pages, %u slots, event channel "
	    "%llu, %llu sectors%s", refs[0], w->npages, RING_SIZE(&w->ring),
	    (unsigned long long)evtchn, (unsigned long long)w->lim.sectors,
	    w->lim.readonly ? ", read-only" : "");
	/* Requests may be waiting already (reconnect). */
	ev_timer_arm(w->ev_more, 0);
	return 0;
}

static void
blk_destroy(struct xb_dev *dev, void *arg)
{
	struct blk_worker *w = arg;

	(void)dev;
	w->exit_status = 0;
	w->done = true;
	ev_break(w->base);
}

static const struct xb_dev_ops blk_xb_ops = {
	.probe = blk_probe,
	.connect = blk_connect,
	.disconnect = blk_disconnect,
	.destroy = blk_destroy,
};

static void
blk_chan_cb(int fd, void *arg)
{
	struct blk_worker *w = arg;
	struct proc_msg m;
	int rc;

	rc = proc_recv(fd, &m);
	if (rc == 0) {
		/* The parent is gone; the guest still needs its disk. */
		log_info("parent exited; still serving");
		ev_disable(w->ev_chan);
		return;
	}
	if (rc == -1) {
		if (errno != EAGAIN)
			ev_disable(w->ev_chan);
		return;
	}
	if (m.fd >= 0)
		close(m.fd);
	if (m.type == PROC_SHUTDOWN) {
		log_info("shutdown requested by the parent");
		w->exit_status = 0;
		w->done = true;
		ev_break(w->base);
	}
}

static void
blk_signal_cb(int signo, void *arg)
{
	struct blk_worker *w = arg;

	log_info("signal %d: exiting", signo);
	w->exit_status = 0;
	w->done = true;
	ev_break(w->base);
}

/* Report a setup failure to the parent and to the log; returns 1. */
static int
blk_setup_failed(int chan, const char *what)
{
	char msg[PROC_MSG_MAX];

	snprintf(msg, sizeof(msg), "%s: %s", what, strerror(errno));
	log_warnx("%s", msg);
	proc_send(chan, PROC_ERROR, msg, strlen(msg), -1);
	return 1;
}

int
worker_main(unsigned int domid, unsigned int devid, int verbose, int foreground)
{
	struct blk_worker w;
	struct proc_msg m;
	unsigned int self;
	char *mode;

	(void)verbose;
	(void)foreground;
	memset(&w, 0, sizeof(w));
	w.chan = PROC_CHAN_FD;
	w.domid = domid;
	w.devid = devid;
	w.port = -1;
	w.exit_status = 1;
	log_set_prefix("vbd d%u/%u", domid, devid);

	/* The parent opened the store; we only get its fd. */
	if (proc_recv(w.chan, &m) != 1 || m.type != PROC_FD || m.fd < 0)
		return blk_setup_failed(w.chan, "no backing fd from the parent");

	if ((w.base = ev_base_new()) == NULL)
		return blk_setup_failed(w.chan, "event base");
	if ((w.xsc = xsc_open(w.base)) == NULL)
		return blk_setup_failed(w.chan, "xenstore");
	if (xsc_self_domid(w.xsc, &self) == -1)
		return blk_setup_failed(w.chan, "reading own domid");
	if ((w.xgt = xengnttab_open(NULL, 0)) == NULL)
		return blk_setup_failed(w.chan, "opening gntdev");
	if ((w.xce = xenevtchn_open(NULL, 0)) == NULL)
		return blk_setup_failed(w.chan, "opening evtchn");
	if (gnt_batch_init(&w.gb, BLKIF_MAX_SEGMENTS_PER_REQUEST) == -1 ||
	    (w.buf = aligned_alloc(XB_PAGE_SIZE, BLK_BUF_SIZE)) == NULL)
		return blk_setup_failed(w.chan, "allocating buffers");

	if ((w.dev = xb_dev_new(w.xsc, BLK_TYPE, self, domid, devid,
	    &blk_xb_ops, &w)) == NULL)
		return blk_setup_failed(w.chan, "reading the backend directory");

	mode = xb_dev_be_read(w.dev, "mode");
	w.lim.readonly = !parse_mode_writable(mode);
	free(mode);

	w.bops = &backing_raw;
	if ((w.store = w.bops->open(m.fd, w.lim.readonly, &w.info)) == NULL)
		return blk_setup_failed(w.chan, "backing store");
	w.lim.sectors = w.info.size >> BLK_SECTOR_SHIFT;
	w.lim.flush = true;

	w.ev_evtchn = ev_read(w.base, xenevtchn_fd(w.xce), false,
	    blk_evtchn_cb, &w);
	w.ev_more = ev_timer(w.base, blk_more_cb, &w);
	w.ev_chan = ev_read(w.base, w.chan, true, blk_chan_cb, &w);
	w.ev_term = ev_signal(w.base, SIGTERM, blk_signal_cb, &w);
	w.ev_int = ev_signal(w.base, SIGINT, blk_signal_cb, &w);
	if (w.ev_evtchn == NULL || w.ev_more == NULL || w.ev_chan == NULL ||
	    w.ev_term == NULL || w.ev_int == NULL)
		return blk_setup_failed(w.chan, "registering events");
	signal(SIGPIPE, SIG_IGN);

	log_info("serving %s store of %llu bytes (%s)", w.bops->name,
	    (unsigned long long)w.info.size, w.lim.readonly ? "read-only" :
	    "read-write");
	xb_dev_set_ready(w.dev, true);
	xb_dev_start(w.dev);
	proc_send(w.chan, PROC_READY, NULL, 0, -1);

	if (!w.done)
		ev_dispatch(w.base);

	blk_disconnect(w.dev, &w);
	xb_dev_free(w.dev);
	w.bops->close(w.store);
	gnt_batch_free(&w.gb);
	free(w.buf);
	ev_free(w.ev_evtchn);
	ev_free(w.ev_more);
	ev_free(w.ev_chan);
	ev_free(w.ev_term);
	ev_free(w.ev_int);
	xenevtchn_close(w.xce);
	xengnttab_close(w.xgt);
	xsc_close(w.xsc);
	ev_base_free(w.base);
	return w.exit_status;
}
