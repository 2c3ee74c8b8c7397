/*
 * netrate.c - see netrate.h.
 */
#include <errno.h>
#include <stddef.h>

#include "netrate.h"

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* One unsigned decimal number, no sign, no blanks; *end after it. */
static int
parse_u64(const char *s, uint64_t *v, const char **end)
{
	uint64_t n = 0;
	unsigned int d;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		d = (unsigned int)(*s - '0');
		if (n > (UINT64_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*v = n;
	*end = s;
	return 0;
}

int
nb_rate_parse(const char *s, uint64_t *bytes, uint64_t *usec)
{
	uint64_t b, u;
	const char *e;

	/*
	 * libxl_nic.c: "%"PRIu64",%"PRIu32, rate_bytes_per_interval then
	 * rate_interval_usecs.  Linux xen_net_read_rate wants a number, a
	 * comma, a number and the end of the string; so do we, and a number
	 * that does not fit is an error rather than a wrapped value.
	 */
	if (s == NULL || parse_u64(s, &b, &e) == -1 || *e != ',' ||
	    parse_u64(e + 1, &u, &e) == -1 || *e != '\0') {
		errno = EINVAL;
		return -1;
	}
	*bytes = b;
	*usec = u;
	return 0;
}

void
nb_rate_set(struct nb_rate *r, uint64_t bytes, uint64_t usec, uint64_t now_us)
{
	if (bytes == 0 || usec == 0)
		bytes = usec = 0;
	r->bytes = bytes;
	r->usec = usec;
	/* Linux connect(): remaining_credit = credit_bytes. */
	r->remaining = bytes;
	r->window_start = now_us;
	r->limited = false;
}

/*
 * Linux tx_add_credit tops up by bytes, up to max(bytes, 128 KiB) ("a
 * burst big enough to transmit a jumbo packet"), without wrapping.  We
 * allow one window plus one largest packet (but never less than 128 KiB):
 * with Linux's cap, the credit a waiting 64 KiB GSO packet could not use
 * is thrown away at the top-up, and a guest sending GSO frames gets up to
 * a fifth less than the rate when bytes is near 128 KiB (20 Mbit/s in
 * 50 ms windows measured 17.9).  The burst stays bounded by bytes + 64 KiB.
 */
static void
add_credit(struct nb_rate *r)
{
	uint64_t max_burst, max_credit;

	max_burst = sat_add(r->bytes, NB_RATE_PKT_MAX);
	if (max_burst < NB_RATE_MIN_BURST)
		max_burst = NB_RATE_MIN_BURST;
	max_credit = sat_add(r->remaining, r->bytes);
	r->remaining = max_credit < max_burst ? max_credit : max_burst;
}

static bool
refuse(uint64_t now, uint64_t when, uint64_t *wait_us)
{
	if (wait_us != NULL)
		*wait_us = when > now ? when - now : 1;
	return false;
}

bool
nb_rate_take(struct nb_rate *r, uint64_t now_us, uint32_t size,
    uint64_t *wait_us)
{
	uint64_t next;

	if (wait_us != NULL)
		*wait_us = 0;
	if (r->bytes == 0 || r->usec == 0)
		return true;

	if (r->limited) {
		/* Linux tx_credit_exceeded: "Timer could already be pending". */
		if (now_us < r->window_start)
			return refuse(now_us, r->window_start, wait_us);
		/* Linux xenvif_tx_credit_callback: the timer tops up. */
		add_credit(r);
		r->limited = false;
	}

	/* Linux xenvif_tx_build_gops: the credit is looked at only now. */
	if (size > r->remaining) {
		next = sat_add(r->window_start, r->usec);
		if (now_us >= next) {
			/* A window has passed: a new one starts now. */
			r->window_start = now_us;
			add_credit(r);
			next = sat_add(now_us, r->usec);
		}
		if (size > r->remaining) {
			/* Linux: mod_timer(next); credit_window_start = next. */
			r->limited = true;
			r->window_start = next;
			return refuse(now_us, next, wait_us);
		}
	}
	r->remaining -= size;
	return true;
}
