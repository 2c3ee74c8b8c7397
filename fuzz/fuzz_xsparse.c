/*
 * fuzz_xsparse.c - the parsers of values read from xenstore: parse.c
 * (numbers, states, sizes, modes; every frontend key goes through
 * parse_uint()), the blkif "protocol" name, the vif "mac" and "rate",
 * the vbd "params" target, log_escape() (how any of them reaches a log
 * line) and xb_next(), the xenbus state machine over whatever states
 * both ends show.
 *
 * Input: a selector, a bound, then the value (as a NUL-terminated string
 * of exactly its length, so ASan sees a read past the NUL).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>

#include "blkring.h"
#include "log.h"
#include "netif.h"
#include "netrate.h"
#include "parse.h"
#include "target.h"
#include "xenbus.h"
#include "fuzz.h"

static bool
all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static void
fz_uint(const char *s, uint64_t max)
{
	uint64_t v = 0xdeadbeef;
	const char *why;
	char back[32];
	const char *z = s;

	why = parse_uint_why(s, max);
	if (parse_uint(s, max, &v) == -1) {
		/* The log line's reason agrees with the verdict. */
		FUZZ_CHECK(why != NULL && why[0] != '\0');
		FUZZ_CHECK(errno == EINVAL || errno == ERANGE);
		FUZZ_CHECK(v == 0xdeadbeef);
		FUZZ_CHECK(errno == ERANGE || !all_digits(s));
		return;
	}
	FUZZ_CHECK(why == NULL);
	FUZZ_CHECK(v <= max && all_digits(s));
	/* The value is the digits, leading zeros aside. */
	while (z[0] == '0' && z[1] != '\0')
		z++;
	snprintf(back, sizeof(back), "%" PRIu64, v);
	FUZZ_CHECK(strcmp(back, z) == 0);
}

static void
fz_misc(const char *s, uint64_t max)
{
	unsigned int dom, dev;
	uint64_t v, b, u;
	int st;

	st = parse_xenbus_state(s);
	FUZZ_CHECK(st >= XenbusStateUnknown && st <= XenbusStateReconfigured);
	if (parse_domdev(s, &dom, &dev) == 0)
		FUZZ_CHECK(dom < 0x7ff0 && dev < (1u << 28));
	if (parse_size(s, max, &v) == 0)
		FUZZ_CHECK(v <= max);
	FUZZ_CHECK(parse_mode_writable(s) == (strchr(s, 'w') != NULL));
	if (nb_rate_parse(s, &b, &u) == 0)
		FUZZ_CHECK(strchr(s, ',') != NULL);
}

static void
fz_names(const char *s)
{
	enum blk_abi abi, abi2;
	uint8_t mac[NB_ETH_ALEN];
	char back[32];

	if (blk_abi_parse(s, &abi) == 0) {
		FUZZ_CHECK(abi == BLK_ABI_X86_32 || abi == BLK_ABI_X86_64);
		FUZZ_CHECK(blk_abi_parse(blk_abi_name(abi), &abi2) == 0 &&
		    abi2 == abi);
	}
	if (nb_mac_parse(s, mac) == 0) {
		FUZZ_CHECK(strlen(s) == 17);
		snprintf(back, sizeof(back), "%02x:%02x:%02x:%02x:%02x:%02x",
		    mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
		FUZZ_CHECK(strncasecmp(back, s, 17) == 0);
	}
}

static void
fz_target(const char *s, size_t dlen)
{
	static struct target t;
	char err[256], buf[512], *small;
	size_t n = dlen % 64 + 1;
	int rc;

	err[0] = '\0';
	rc = target_parse(s, &t, err, sizeof(err));
	FUZZ_CHECK(strlen(err) < sizeof(err));
	if (rc == -1) {
		FUZZ_CHECK(err[0] != '\0');
		return;
	}
	FUZZ_CHECK(t.kind == TARGET_FILE || t.kind == TARGET_NBD);
	FUZZ_CHECK(strlen(t.path) < sizeof(t.path) &&
	    strlen(t.host) < sizeof(t.host) && strlen(t.port) < sizeof(t.port) &&
	    strlen(t.export_name) < sizeof(t.export_name));
	if (t.kind == TARGET_FILE)
		FUZZ_CHECK(t.path[0] == '/');
	/* Short buffers: the results are cut, never overrun. */
	small = malloc(n);
	FUZZ_CHECK(small != NULL);
	rc = target_store_arg(&t, small, n);
	FUZZ_CHECK(rc == -1 || (size_t)rc < n);
	target_describe(&t, small, n);
	FUZZ_CHECK(strlen(small) < n);
	target_describe(&t, buf, sizeof(buf));
	free(small);
}

static void
fz_escape(const char *s, size_t dstlen)
{
	char *d = malloc(dstlen ? dstlen : 1);
	size_t i;

	FUZZ_CHECK(d != NULL);
	log_escape(d, dstlen, s);
	if (dstlen > 0) {
		FUZZ_CHECK(strlen(d) < dstlen);
		/* Nothing a terminal or a log reader would act on. */
		for (i = 0; d[i] != '\0'; i++)
			FUZZ_CHECK(d[i] >= 0x20 && d[i] < 0x7f);
	}
	free(d);
}

/*
 * xb_next() applied as xb_eval() applies it: each action changes the
 * backend state; the loop must settle well inside XB_EVAL_MAX (16).
 */
static void
fz_xenbus(uint64_t bits)
{
	struct xb_view v;
	enum xb_action a;
	const char *why;
	bool may_reattach = bits & (1u << 14), connected = false;
	int step;

	memset(&v, 0, sizeof(v));
	v.be_state = (int)(bits % 9);
	v.fe_state = (int)((bits >> 4) % 9);
	v.be_present = bits & (1u << 8);
	v.fe_present = bits & (1u << 9);
	v.fe_unwritten = !v.fe_present && (bits & (1u << 10));
	v.online = bits & (1u << 11);
	v.hotplug_ok = bits & (1u << 12);
	v.ready = bits & (1u << 13);
	for (step = 0; step < 8; step++) {
		v.reattach = may_reattach && !connected;
		why = NULL;
		a = xb_next(&v, &why);
		FUZZ_CHECK(why != NULL);
		FUZZ_CHECK(a >= XB_NONE && a <= XB_FATAL);
		FUZZ_CHECK(a == XB_NONE || why[0] != '\0');
		switch (a) {
		case XB_NONE:
		case XB_DESTROY:
			return;
		case XB_INITWAIT:
			v.be_state = XenbusStateInitWait;
			break;
		case XB_CONNECT:
			/* Only for a frontend that published its rings. */
			FUZZ_CHECK(v.online && v.ready && v.hotplug_ok);
			FUZZ_CHECK(v.fe_state == XenbusStateInitialised ||
			    v.fe_state == XenbusStateConnected);
			connected = true;
			v.be_state = XenbusStateConnected;
			break;
		case XB_CLOSING:
		case XB_FATAL:
			v.be_state = XenbusStateClosing;
			break;
		case XB_CLOSE:
			connected = false;
			v.be_state = XenbusStateClosed;
			break;
		}
	}
	FUZZ_CHECK(!"xenbus state machine does not settle");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t sel;
	uint64_t max;
	char *s;

	sel = fuzz_u8(&in);
	max = fuzz_u64(&in);
	s = malloc(in.n + 1);
	FUZZ_CHECK(s != NULL);
	memcpy(s, in.p, in.n);
	s[in.n] = '\0';
	switch (sel % 6) {
	case 0:
		fz_uint(s, max);
		break;
	case 1:
		fz_misc(s, max);
		break;
	case 2:
		fz_names(s);
		break;
	case 3:
		fz_target(s, (size_t)max);
		break;
	case 4:
		fz_escape(s, (size_t)(max % 128));
		break;
	case 5:
		fz_xenbus(max);
		break;
	}
	free(s);
	return 0;
}
