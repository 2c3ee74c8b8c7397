/*
 * fuzz_ctlstats.c - a worker's stats reply as its parent checks it
 * (common/ctlfmt.c ctl_stats_parse()): the fuzzer's bytes stand for what
 * a compromised worker sends in PROC_STATS_RPL.  Whatever is accepted
 * must name only keys of the table, carry labels and values of the
 * allowed alphabets, and come out as JSON and Prometheus text that no
 * byte of the reply can break: every JSON string closed and escaped,
 * every sample line "xb_name{labels} digits".  The same bytes are also
 * parsed as a control request line (ctl_req_parse()).
 */
#include <stdbool.h>

#include "ctlfmt.h"
#include "fuzz.h"

static const struct ctl_key keys[] = {
	{ "protocol", CTL_INFO, NULL, "ABI." },
	{ "feature", CTL_INFO, "name", "Features." },
	{ "queues", CTL_GAUGE, NULL, "Queues." },
	{ "ring_slots", CTL_GAUGE, "queue", "Slots." },
	{ "requests", CTL_COUNTER, NULL, "Requests." },
	{ "drops", CTL_COUNTER, "reason", "Drops." },
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

static bool
word(const char *s, bool info)
{
	for (; *s != '\0'; s++) {
		char c = *s;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_')
			continue;
		if (info && ((c >= 'A' && c <= 'Z') ||
		    strchr(".,:+/-", c) != NULL))
			continue;
		return false;
	}
	return true;
}

/* JSON: printable ASCII only, and quotes balanced outside escapes. */
static void
check_json(const char *s)
{
	bool in = false;

	for (; *s != '\0'; s++) {
		FUZZ_CHECK(*s >= 0x20 && *s < 0x7f);
		if (in && *s == '\\') {
			s++;
			FUZZ_CHECK(*s != '\0');
			continue;
		}
		if (*s == '"')
			in = !in;
	}
	FUZZ_CHECK(!in);
}

/* Every line a comment or "xb_<name>{k="v",...} <digits>". */
static void
check_prom(const char *s)
{
	const char *nl;

	for (; *s != '\0'; s = nl + 1) {
		nl = strchr(s, '\n');
		FUZZ_CHECK(nl != NULL);
		if (*s == '#')
			continue;
		FUZZ_CHECK(strncmp(s, "xb_", 3) == 0);
		while (*s != '{' && s < nl) {
			FUZZ_CHECK((*s >= 'a' && *s <= 'z') || *s == '_' ||
			    (*s >= '0' && *s <= '9'));
			s++;
		}
		FUZZ_CHECK(*s == '{');
		for (s++; *s != '}';) {
			while (*s != '=') {
				FUZZ_CHECK((*s >= 'a' && *s <= 'z') ||
				    *s == '_');
				s++;
			}
			FUZZ_CHECK(s[1] == '"');
			for (s += 2; *s != '"'; s++) {
				FUZZ_CHECK(*s >= 0x20 && *s < 0x7f);
				if (*s == '\\')
					s++;
			}
			s++;
			if (*s == ',')
				s++;
		}
		FUZZ_CHECK(s[1] == ' ');
		for (s += 2; s < nl; s++)
			FUZZ_CHECK(*s >= '0' && *s <= '9');
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctl_stats st;
	struct ctl_prom_dev dev = { 1, 2, &st };
	struct ctl_req r;
	const char *why;
	char err[128];
	struct cbuf b;
	unsigned int i;

	if (size > 0 && ctl_req_parse((const char *)data, size, &r, &why) == 0)
		FUZZ_CHECK(r.kind == CTL_REQ_STATUS ||
		    r.kind == CTL_REQ_METRICS);
	if (ctl_stats_parse((const char *)data, size, keys, NKEYS, &st, err,
	    sizeof(err)) == -1)
		return 0;
	FUZZ_CHECK(size <= CTL_STATS_MAX && st.n <= CTL_KV_MAX);
	for (i = 0; i < st.n; i++) {
		const struct ctl_kv *kv = &st.kv[i];

		FUZZ_CHECK(kv->key < NKEYS);
		FUZZ_CHECK((keys[kv->key].label != NULL) ==
		    (kv->label[0] != '\0'));
		FUZZ_CHECK(word(kv->label, false));
		if (keys[kv->key].kind == CTL_INFO)
			FUZZ_CHECK(word(kv->s, true));
	}
	cbuf_init(&b, 1 << 20);
	cbuf_puts(&b, "{");
	ctl_stats_json(&b, &st, keys, NKEYS);
	cbuf_puts(&b, "}");
	FUZZ_CHECK(!b.err);
	check_json(b.p);
	cbuf_free(&b);
	cbuf_init(&b, 1 << 20);
	ctl_prom_stats(&b, "d", keys, NKEYS, &dev, 1);
	FUZZ_CHECK(!b.err);
	if (b.p != NULL)
		check_prom(b.p);
	cbuf_free(&b);
	return 0;
}
