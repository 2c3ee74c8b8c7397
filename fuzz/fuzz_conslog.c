/*
 * fuzz_conslog.c - where the bytes taken from a console ring go: the
 * guest's log file (conslog.c).  The guest chooses every byte and how
 * they are split across writes; consoled's own notes come in between.
 * Checked on the files written (every rotated one too): no control byte
 * a terminal would act on, no line that looks like one of consoled's
 * "[consoled: ...]" notes unless it is one, a timestamp at every line
 * start when asked for, no file past the rotation size, and every guest
 * byte accounted for.
 *
 * Input: flags (timestamps, rotation, raw), the rotation size, then
 * chunks: a length byte (0xff: a note instead) and that many bytes.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <unistd.h>

#include "conslog.h"
#include "fuzz.h"

/*
 * With MAX_IN bytes of input and files of at least 2 KiB, rotations
 * cannot pass KEEP (a byte makes at most a 45-byte note): no file is lost.
 */
#define KEEP		64u
#define MAX_IN		2048u
#define NOTE		"[consoled: fuzz note]"
#define C0_OK(c)	((c) == '\b' || (c) == '\t' || (c) == '\n' || (c) == '\r')

static char dir[PATH_MAX], path[PATH_MAX];
static uint8_t file[1 << 20];

static bool
is_ts(const uint8_t *p, size_t n)
{
	static const char pat[] = "[dddd-dd-dd dd:dd:dd] ";
	size_t i;

	if (n < sizeof(pat) - 1)
		return false;
	for (i = 0; i < sizeof(pat) - 1; i++)
		if (pat[i] == 'd' ? (p[i] < '0' || p[i] > '9') : p[i] != pat[i])
			return false;
	return true;
}

/* Check one file; returns the notes found at line starts. */
static unsigned int
check_file(const char *name, const struct conslog_opts *o)
{
	unsigned int notes = 0;
	size_t n, i, at;
	ssize_t r;
	int fd;

	if ((fd = open(name, O_RDONLY)) == -1)
		return 0;
	r = read(fd, file, sizeof(file));
	close(fd);
	FUZZ_CHECK(r >= 0 && (size_t)r < sizeof(file));
	n = (size_t)r;
	if (o->rotate_size != 0)
		FUZZ_CHECK(n <= o->rotate_size);
	for (i = 0; i < n && !o->raw; i++)
		FUZZ_CHECK(file[i] >= 0x20 || C0_OK(file[i]));
	/* Every line start: the file's first byte and each after a LF. */
	for (i = 0; i < n; i = at) {
		const uint8_t *l = file + i;
		size_t ll;

		at = i;
		while (at < n && file[at] != '\n')
			at++;
		if (at < n)
			at++;
		ll = at - i;
		if (o->timestamps) {
			FUZZ_CHECK(is_ts(l, ll));
			l += 22;
			ll -= 22;
		}
		if (!o->raw && ll >= 10 && memcmp(l, "[consoled:", 10) == 0) {
			FUZZ_CHECK(ll >= sizeof(NOTE) - 1 &&
			    memcmp(l, NOTE, sizeof(NOTE) - 1) == 0);
			notes++;
		}
	}
	return notes;
}

static void
cleanup(void)
{
	char name[PATH_MAX + 16];
	unsigned int i;

	unlink(path);
	for (i = 1; i <= KEEP; i++) {
		snprintf(name, sizeof(name), "%s.%u", path, i);
		if (unlink(name) == -1)
			break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size > MAX_IN ? MAX_IN : size };
	struct conslog_opts o;
	struct conslog l;
	char name[PATH_MAX + 16];
	uint64_t total = 0;
	unsigned int notes = 0, found, i;
	uint8_t f;

	if (dir[0] == '\0') {
		const char *t = getenv("TMPDIR");

		snprintf(dir, sizeof(dir), "%s/fuzz_conslog.XXXXXX",
		    t != NULL ? t : "/tmp");
		FUZZ_CHECK(mkdtemp(dir) != NULL);
		snprintf(path, sizeof(path), "%s/guest-fuzz.log", dir);
	}
	cleanup();
	f = fuzz_u8(&in);
	memset(&o, 0, sizeof(o));
	o.timestamps = f & 1;
	o.raw = (f & 4) != 0;
	o.rotate_size = f & 2 ? 2048 + fuzz_u16(&in) % 4096 : 0;
	o.keep = KEEP;
	o.mode = 0600;
	memset(&l, 0, sizeof(l));
	FUZZ_CHECK(conslog_open(&l, path, &o) == 0);
	while (in.n > 0) {
		uint8_t c = fuzz_u8(&in);
		size_t k;

		if (c == 0xff) {
			conslog_note(&l, "fuzz note");
			notes++;
			continue;
		}
		k = (size_t)(c & 0x7f) + 1;
		if (k > in.n)
			k = in.n;
		FUZZ_CHECK(conslog_write(&l, in.p, k) == 0);
		in.p += k;
		in.n -= k;
		total += k;
	}
	/* tmpfs never fails a write: every byte is in a file or held back. */
	FUZZ_CHECK(l.lost == 0);
	FUZZ_CHECK(l.written + l.nhold == total);
	FUZZ_CHECK(l.rotations < KEEP);
	found = check_file(path, &o);
	for (i = 1; i <= l.rotations; i++) {
		snprintf(name, sizeof(name), "%s.%u", path, i);
		found += check_file(name, &o);
	}
	FUZZ_CHECK(found <= notes);
	conslog_close(&l);
	cleanup();
	return 0;
}
