/*
 * worker.h - what the three files of the netbackd worker share.
 * worker.c owns the process and the xenbus side (features, connect, rate,
 * teardown); nettx.c the guest-TX path (ring -> TAP); netrx.c the guest-RX
 * path (TAP -> ring).  Private to the worker.
 */
#ifndef WORKER_H
#define WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_net.h>

#include "ring.h"		/* first: the Xen interface version for io/ring.h */
#include "gnt.h"
#include "netbackd.h"
#include "nethdr.h"
#include "netif.h"
#include "netrate.h"
#include "sandbox.h"

struct ev;
struct journal_hdr;
struct nj;
struct nj_queue;
struct wproc;
struct xb_dev;
struct xsc;
struct xsc_watch;

/*
 * Packets moved per queue and direction per event before yielding to the
 * loop, so one busy queue (or an event storm, XSA-332) cannot starve the
 * others.
 */
#define NB_BUDGET		64u
/* Packets per grant-copy batch, each direction (Linux: 64 copy ops). */
#define NB_TX_BATCH		32u
#define NB_RX_BATCH		16u
/* A packet buffer: the largest frame, page-rounded. */
#define NB_BUF_SIZE		(65536u + 4096u)
/*
 * A frame read from the TAP that the guest has no room for waits at most
 * this long (Linux rx_drain_timeout_msecs 10000; 30 ms for frontends that
 * do not promise feature-rx-notify).
 */
#define NB_RX_DRAIN_MS		10000u
#define NB_RX_DRAIN_NONOTIFY_MS	30u
/* Without feature-rx-notify, look for new RX requests this often while blocked. */
#define NB_RX_POLL_MS		5u
/*
 * A queue whose guest posts no RX buffers while frames wait for it this
 * long is reported once per connection as stalled (Linux xen-netback
 * "Guest Rx stalled", rx_stall_timeout_msecs 60000; shorter here, since
 * all it does is tell the administrator).  The frames themselves wait in
 * the TAP's kernel queue, bounded by its txqueuelen: the kernel drops
 * and counts the rest, the worker holds at most one per queue.
 */
#define NB_RX_STALL_MS		2000u
/*
 * Event-channel storm guard (XSA-332 analogue): more than this many
 * wake-ups that find no work in one second and the port is unmasked only
 * after NB_STORM_DELAY_MS.
 */
#define NB_STORM_EMPTY		2000u
#define NB_STORM_DELAY_MS	10u

struct nb_worker;

/* Per-vif counters; drops by reason.  Logged on disconnect and SIGUSR1. */
struct nb_stats {
	uint64_t	tx_pkts, tx_bytes, tx_drop[NB_TXW_COUNT],
			tx_hdr_drop[NB_HDRW_COUNT], tx_gnt_err, tx_tap_err,
			tx_dummy, tx_rate_waits, tx_zero_frags;
	uint64_t	rx_pkts, rx_bytes, rx_hdr_drop[NB_HDRW_COUNT],
			rx_too_big, rx_mcast_drop, rx_expired, rx_gnt_err,
			rx_short_frame, rx_stalls;
	uint64_t	storms, empty_wakeups;
};

/* A packet between the TAP and a ring: header + data in a reused buffer. */
struct nb_buf {
	struct virtio_net_hdr	 vh;
	uint8_t			*data;		/* NB_BUF_SIZE bytes */
	uint32_t		 len;
};

/* The guest-TX state of one packet taken into a batch. */
struct nb_txent {
	struct nb_txpkt		 p;
	unsigned int		 seg0;		/* first grant-copy segment */
	enum nb_tx_verdict	 v;
	bool			 bad;		/* copy failed or header unusable */
};

/* Slots one RX frame may use: 16 pages of data, the GSO extra, spare. */
#define NB_RX_MAX_SLOTS		18u

/* The guest-RX plan of one packet in a batch. */
struct nb_rxent {
	uint16_t		 ids[NB_RX_MAX_SLOTS];	/* request ids, per slot */
	RING_IDX		 start;		/* first request slot it uses */
	unsigned int		 nslots;	/* data slots + extra */
	unsigned int		 seg0, nseg;	/* its grant-copy segments */
	struct nb_rxmeta	 m;
	uint32_t		 len;
};

struct nb_queue {
	struct nb_worker	*w;
	unsigned int		 idx;
	int			 tapfd;
	void			*txs, *rxs;	/* mapped shared rings */
	netif_tx_back_ring_t	 tx;
	netif_rx_back_ring_t	 rx;
	int			 port_tx, port_rx; /* equal without split channels */
	uint32_t		 rport_tx, rport_rx; /* the frontend's ports */
	uint32_t		 tx_ref, rx_ref;	/* the rings' grant refs */
	struct nj_queue		*jq;		/* its journal record (netjournal.h) */
	bool			 halted;	/* the frontend broke a ring */
	struct ev		*ev_tap;	/* TAP readable; enabled only with RX room */
	struct ev		*ev_tx_more, *ev_rx_more; /* budget continuations */
	struct ev		*ev_rx_poll;	/* no rx-notify: poll, and drain expiry */
	struct ev		*ev_unmask;	/* storm guard: delayed unmask */
	struct ev		*ev_rx_stall;	/* stall notice (NB_RX_STALL_MS) */
	bool			 tap_on;
	bool			 in_tx, in_rx;	/* nb_*_serve running (no re-entry) */

	/* Guest TX. */
	netif_tx_request_t	 txslots[NB_TX_RING_SIZE];
	struct nb_txent		 txent[NB_TX_BATCH];
	struct nb_buf		 txbuf[NB_TX_BATCH];
	struct gnt_batch	 txgb;

	/* Guest RX: bufs[] read from the TAP; held = read, waiting for room. */
	struct nb_buf		 rxbuf[NB_RX_BATCH];
	struct nb_rxent		 rxent[NB_RX_BATCH];
	struct gnt_batch	 rxgb;
	bool			 held;		/* rxbuf[0] waits for ring room */
	unsigned int		 held_need;	/* slots it needs */
	uint64_t		 held_since;	/* ms, monotonic */
	/* RX blocked on the guest since (ms; 0: not blocked); notice. */
	uint64_t		 blocked_since;
	bool			 stall_armed, stall_logged;

	/* Storm guard. */
	RING_IDX		 rx_prod_seen;	/* rx req_prod at the last wake-up */
	uint64_t		 storm_window;	/* s */
	unsigned int		 storm_empty;
	bool			 storm_masked;
	int			 storm_port;
};

struct nb_worker {
	struct wproc		*wp;		/* event base, parent channel, signals */
	struct xsc		*xsc;
	struct xb_dev		*dev;
	xengnttab_handle	*xgt;
	xenevtchn_handle	*xce;
	struct ev		*ev_evtchn, *ev_rate;
	struct xsc_watch	*rate_watch;
	unsigned int		 domid, devid;
	struct net_opts		 opts;
	char			 ifname[16];
	uint8_t			 mac[NB_ETH_ALEN];

	int			 tapfd[NET_MAX_QUEUES];	/* all the TAP's queues */
	unsigned int		 ntap;

	/* Restart journal (a memfd the parent keeps) and the resume state. */
	struct journal_hdr	*jh;
	size_t			 jsize;
	struct nj		*j;
	bool			 resume;	/* -R: resume from j if it checks */
	bool			 reattach;	/* -A: take over after a clean stop */
	bool			 stopping;	/* sup_stop(): take nothing new */
	struct ev		*ev_stop;	/* ... then record and exit 0 */

	/* Rings, valid while connected. */
	bool			 connected;
	struct nb_queue		*q;
	unsigned int		 nq;
	struct nb_fe_feat	 feat;
	struct nb_mcast		 mcast;
	struct nb_rate		 rate;		/* one budget for all queues */
	bool			 rate_blocked;

	struct nb_stats		 st;
	bool			 warned;
};

/* Monotonic time in microseconds / milliseconds. */
uint64_t	 nb_now_us(void);

/* Log once per connection (the first bad packet); the rest are counted. */
void		 nb_warn_once(struct nb_worker *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/* The frontend broke queue q: error node, Closing, that queue stops. */
void		 nb_queue_fatal(struct nb_queue *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/* Allocate / free a queue's buffers and batches.  Returns 0 or -1. */
int		 nb_queue_bufs_init(struct nb_queue *);
void		 nb_queue_bufs_free(struct nb_queue *);

/* Guest TX: take, copy and forward what the guest queued on q (nettx.c). */
void		 nb_tx_serve(struct nb_queue *);

/*
 * Guest RX: deliver frames from the TAP into the buffers the guest posted
 * on q (netrx.c); reads the TAP only while the guest has room.
 */
void		 nb_rx_serve(struct nb_queue *);

/* Stop reading the TAP for q (the queue halts or goes away). */
void		 nb_rx_stop(struct nb_queue *);

/* ev callbacks (netrx.c / nettx.c; nb_unmask_cb: worker.c). */
void		 nb_unmask_cb(int fd, void *arg);
void		 nb_tap_cb(int fd, void *arg);
void		 nb_tx_more_cb(int fd, void *arg);
void		 nb_rx_more_cb(int fd, void *arg);
void		 nb_rx_poll_cb(int fd, void *arg);
void		 nb_rx_stall_cb(int fd, void *arg);

/* The rate budget refilled: resume guest TX on every queue (nettx.c). */
void		 nb_rate_cb(int fd, void *arg);

/* Shared by the connect (worker.c) and the re-attach (netstop.c). */
bool		 nb_fe_flag(struct nb_worker *, const char *key, bool def);
void		 nb_read_feat(struct nb_worker *);	/* w->feat from the frontend */
int		 nb_queues_alloc(struct nb_worker *, unsigned int nq);
void		 nb_queues_free(struct nb_worker *);
int		 nb_queue_events(struct nb_worker *, struct nb_queue *);
void		 nb_tap_setup(struct nb_worker *);	/* queues, offloads, rate */
void		 nb_journal_connect(struct nb_worker *);	/* the connection record */
/*
 * Before a stop or a quiesce: publish q's answered responses (recorded in
 * the journal as pushed) and notify the guest where the ring asks.
 */
void		 nb_queue_push(struct nb_worker *, struct nb_queue *);
/*
 * Taking over live rings (resume, re-attach): unmask and notify every port
 * once and look at both rings, for what came while no worker listened.
 */
void		 nb_kick(struct nb_worker *);

/*
 * Stop and start (netstop.c, docs/ARCHITECTURE.md "Stop and start").
 * nb_stop: the wproc stop hook (take nothing new, then nb_stop_cb from
 * w->ev_stop: record and exit 0).  nb_reattach: the first connect of a -A
 * worker; 0 re-attached, 1 no usable record or rings (*why), -1 reported.
 * nb_rm_quiesced: remove the record (used once, or stale).
 */
void		 nb_stop(void *arg);
void		 nb_stop_cb(int fd, void *arg);
int		 nb_reattach(struct nb_worker *, const char **why);
void		 nb_rm_quiesced(struct nb_worker *);

/* Log the counters (disconnect, SIGUSR1). */
void		 nb_stats_log(const struct nb_worker *, const char *when);

/* The worker's seccomp rows (sandbox.c; common/sandbox.h). */
extern const struct sandbox_rule net_sandbox[];
extern const size_t net_sandbox_len;

#endif
