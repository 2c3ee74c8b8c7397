#!/usr/bin/env python3
"""Write the seed corpora fuzz/corpus/<target>/ deterministically.

Each seed is a small valid or edge input in the format its harness reads
(see the comment at the top of fuzz/fuzz_<target>.c).  Run from anywhere:
    python3 fuzz/mkcorpus.py
The files are checked in; rerun after changing a harness's input format.
Crashers found by fuzzing are added by hand as regress-* files and are
left alone here.
"""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- frames (shared by netif and nethdr) ------------------------------------
def eth(etype, vlan=False):
    h = bytes.fromhex("00163e010203") + bytes.fromhex("00163e0a0b0c")
    if vlan:
        h += struct.pack(">HH", 0x8100, 5)
    return h + struct.pack(">H", etype)


def ipv4(proto, payload):
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0,
                       64, proto, 0, bytes([10, 0, 0, 1]),
                       bytes([10, 0, 0, 2])) + payload


def ipv6(nh, payload, ext=b""):
    return struct.pack(">IHBB16s16s", 0x60000000, len(ext) + len(payload),
                       nh, 64, b"\xfe\x80" + b"\0" * 13 + b"\1",
                       b"\xfe\x80" + b"\0" * 13 + b"\2") + ext + payload


def tcp(data=b"", opts=b""):
    off = (20 + len(opts)) // 4
    return struct.pack(">HHIIBBHHH", 40000, 80, 1, 0, off << 4, 0x18,
                       65535, 0, 0) + opts + data


def udp(data=b""):
    return struct.pack(">HHHH", 5353, 5353, 8 + len(data), 0) + data


F_V4_TCP = eth(0x0800) + ipv4(6, tcp(b"x" * 40))
F_V4_UDP_VLAN = eth(0x0800, vlan=True) + ipv4(17, udp(b"hello"))
F_V6_TCP_HBH = eth(0x86dd) + ipv6(0, tcp(b"y" * 64), ext=bytes([6, 0]) + b"\1\4\0\0\0\0")
F_V6_TCP = eth(0x86dd) + ipv6(6, tcp(b"z" * 100, opts=b"\1\1\1\1"))
F_V4_FRAG = eth(0x0800) + ipv4(6, tcp())[:6] + b"\x20\x00" + ipv4(6, tcp())[8:]
F_ARP = eth(0x0806) + b"\0" * 28

# ---- blkif ------------------------------------------------------------------
RW64 = dict(nseg=1, handle=2, id=8, sector=16, seg=24, slot=112)
RW32 = dict(nseg=1, handle=2, id=4, sector=12, seg=20, slot=108)
IND64 = dict(op=1, nseg=2, id=8, sector=16, handle=24, grefs=28)
IND32 = dict(op=1, nseg=2, id=4, sector=12, handle=20, grefs=24)


def blk_rw(l, op, rid, sector, segs):
    s = bytearray(l["slot"])
    s[0] = op
    s[l["nseg"]] = len(segs)
    struct.pack_into("<Q", s, l["id"], rid)
    struct.pack_into("<Q", s, l["sector"], sector)
    for i, (gref, first, last) in enumerate(segs[:11]):
        struct.pack_into("<IBB", s, l["seg"] + 8 * i, gref, first, last)
    return bytes(s)


def blk_discard(l, rid, sector, nr, secure=0):
    s = bytearray(l["slot"])
    s[0] = 5
    s[1] = secure
    struct.pack_into("<QQQ", s, l["id"], rid, sector, nr)
    return bytes(s)


def blk_indirect(l, il, iop, rid, sector, nseg, grefs):
    s = bytearray(l["slot"])
    s[0] = 6
    s[il["op"]] = iop
    struct.pack_into("<H", s, il["nseg"], nseg)
    struct.pack_into("<Q", s, il["id"], rid)
    struct.pack_into("<Q", s, il["sector"], sector)
    for i, g in enumerate(grefs):
        struct.pack_into("<I", s, il["grefs"] + 4 * i, g)
    return bytes(s)


def blk_seed(flags, npages, sectors, slots, prod=None, rsp=0, prod2=None,
             pgmax=4, lag=0, gpages=b""):
    prod = rsp + len(slots) if prod is None else prod
    prod2 = prod if prod2 is None else prod2
    ring = struct.pack("<IIII", prod, 0, rsp, 0).ljust(64, b"\0")
    # Slots from rsp on, as a ring that started at 0 would hold them.
    nslot = len(slots[0]) if slots else 112
    body = bytearray(nslot * max(len(slots), 1))
    for i, s in enumerate(slots):
        body[i * nslot:(i + 1) * nslot] = s
    ring += bytes(body)
    return struct.pack("<BBQIBBH", flags, npages - 1, sectors, prod2, pgmax,
                       lag, len(ring)) + ring + gpages


def blk_corpus():
    ABI64, RO, FLUSH, DISC, SEC, SCRIB = 1, 2, 4, 8, 16, 32
    IND256, IND32N = 1 << 6, 2 << 6
    dsk = 1 << 21
    for abi, l, il, name in ((ABI64, RW64, IND64, "64"), (0, RW32, IND32, "32")):
        rw = [blk_rw(l, 0, 1, 0, [(10, 0, 7)]),
              blk_rw(l, 1, 2, 8, [(11, 0, 3), (12, 4, 7)]),
              blk_rw(l, 3, 3, 0, []),                       # flush, no data
              blk_rw(l, 2, 4, 16, [(13, 0, 7)])]            # barrier write
        write("blkif", "rw-" + name, blk_seed(abi | FLUSH | IND256, 1, dsk, rw,
                                              lag=2))
        write("blkif", "discard-" + name, blk_seed(
            abi | DISC | SEC, 1, dsk,
            [blk_discard(l, 7, 0, 2048, 1), blk_discard(l, 8, dsk - 1, 2)]))
        # One indirect read of 16 segments from gref 1 (gpage 1).
        desc = b"".join(struct.pack("<IBBH", 100 + i, 0, 7, 0) for i in range(16))
        gp = desc      # repeated over every granted page
        write("blkif", "indirect-" + name, blk_seed(
            abi | IND256, 1, dsk,
            [blk_indirect(l, il, 0, 9, 64, 16, [1])], gpages=gp))
    # Edges: a read-only disk asked to write, segments past 7, the disk end,
    # a producer far past the consumer, one going backwards, 16 pages,
    # a slot rewritten after the copy, unknown operations.
    write("blkif", "readonly-write", blk_seed(
        ABI64 | RO, 1, dsk, [blk_rw(RW64, 1, 1, 0, [(1, 0, 7)])]))
    write("blkif", "bad-segs", blk_seed(ABI64, 1, 16, [
        blk_rw(RW64, 0, 1, 0, [(1, 0, 8)]), blk_rw(RW64, 0, 2, 0, [(1, 5, 4)]),
        blk_rw(RW64, 0, 3, 15, [(1, 0, 1)]), blk_rw(RW64, 0, 4, 2**64 - 1, [(1, 0, 0)]),
        blk_rw(RW64, 0, 5, 0, [(1, 0, 7)] * 12), blk_rw(RW64, 77, 6, 0, [])]))
    write("blkif", "prod-overflow", blk_seed(
        ABI64, 1, dsk, [blk_rw(RW64, 0, 1, 0, [(1, 0, 7)])], prod=1000))
    # Three requests still in flight when the producer goes back to 1.
    write("blkif", "prod-backwards", blk_seed(
        ABI64, 1, dsk, [blk_rw(RW64, 0, 1, 0, [(1, 0, 7)])] * 3, prod2=1,
        lag=8))
    write("blkif", "order4", blk_seed(
        ABI64 | FLUSH | IND32N, 16, dsk,
        [blk_rw(RW64, 0, i, i * 8, [(i, 0, 7)]) for i in range(40)]))
    write("blkif", "scribble", blk_seed(
        ABI64 | SCRIB | IND256, 1, dsk,
        [blk_indirect(RW64, IND64, 1, 1, 0, 600, list(range(8)))]))


# ---- netif TX ---------------------------------------------------------------
CSUM, VALID, MORE, EXTRA = 1, 2, 4, 8


def tx(gref, off, flags, rid, size):
    return struct.pack("<IHHHH", gref, off, flags, rid, size)


def ex_gso(size, gtype, more=False):
    return struct.pack("<BBHBBH", 1, 1 if more else 0, size, gtype, 0, 0).ljust(12, b"\0")


def ex_mcast(add, mac, more=False):
    return struct.pack("<BB", 2 if add else 3, 1 if more else 0) + mac + b"\0" * 4


def net_seed(slots, start=0, prod=None, prod2=None, gpages=b""):
    prod = (start + len(slots)) % 2**32 if prod is None else prod
    prod2 = prod if prod2 is None else prod2
    # Up to the last slot used; the harness repeats it over the page
    # (the repeated part lies past req_prod, never read).
    last = max(((start + i) % 256 for i in range(len(slots))), default=0)
    ring = bytearray(64 + 12 * (last + 1))
    struct.pack_into("<IIII", ring, 0, prod, 0, start, 0)
    for i, s in enumerate(slots):
        at = 64 + 12 * ((start + i) % 256)
        ring[at:at + 12] = s
    return struct.pack("<IIH", start, prod2, len(ring)) + bytes(ring) + gpages


def net_corpus():
    # The frames end to end, repeated over every granted page.
    frames = (F_V4_TCP, F_V4_UDP_VLAN, F_V6_TCP, F_V6_TCP_HBH)
    gp = b"".join(frames)
    at = [sum(len(f) for f in frames[:i]) for i in range(len(frames))]
    n = len(F_V4_TCP)
    write("netif", "one-slot", net_seed([tx(0, 0, 0, 1, n)], gpages=gp))
    write("netif", "csum-udp-vlan", net_seed(
        [tx(1, at[1], CSUM, 1, len(F_V4_UDP_VLAN))], gpages=gp))
    write("netif", "three-slots", net_seed(
        [tx(0, 0, CSUM | MORE, 1, n), tx(0, 40, MORE, 2, 20), tx(0, 60, 0, 3, n - 60)],
        gpages=gp))
    write("netif", "gso-v6", net_seed(
        [tx(2, at[2], CSUM | EXTRA, 1, len(F_V6_TCP)), ex_gso(1440, 2)], gpages=gp))
    write("netif", "gso-v4-no-csum", net_seed(
        [tx(0, 0, EXTRA, 1, n), ex_gso(1448, 1)], gpages=gp))
    write("netif", "mcast", net_seed(
        [tx(0, 0, EXTRA, 1, 0), ex_mcast(True, bytes.fromhex("01005e000001"), True),
         ex_mcast(False, bytes.fromhex("01005e000002"))], gpages=gp))
    write("netif", "zero-frag", net_seed(
        [tx(0, 0, MORE, 1, n), tx(3, at[3], MORE, 2, 0), tx(0, 60, 0, 3, n - 60)],
        gpages=gp))
    many = [tx(0, 0, MORE, 0, 19 * 64)] + \
        [tx(0, 64 * i, MORE if i < 19 else 0, i, 64) for i in range(1, 20)]
    write("netif", "nineteen-frags", net_seed(many, gpages=gp))
    write("netif", "cross-page", net_seed([tx(0, 4090, 0, 1, 60)], gpages=gp))
    write("netif", "wrap", net_seed(
        [tx(0, 0, 0, i, n) for i in range(8)], start=0xfffffffc, gpages=gp))
    write("netif", "prod-overflow", net_seed([tx(0, 0, 0, 1, n)], prod=300))
    write("netif", "incomplete", net_seed([tx(0, 0, MORE, 1, n)]))


# ---- netif headers and control ----------------------------------------------
def nethdr_seed(frame, flags=CSUM, gso=0, gsz=0, feat=0x1f, vh=b"\0" * 10,
                nq=4, ctrl=()):
    return struct.pack("<HBHB", flags, gso, gsz, feat) + vh + \
        bytes([nq - 1, len(ctrl)]) + b"".join(ctrl) + frame


def ctrl(rtype, d0=0, d1=0, d2=0, rid=1):
    return struct.pack("<HHIII", rid, rtype, d0, d1, d2)


def nethdr_corpus():
    write("nethdr", "v4-tcp-csum", nethdr_seed(F_V4_TCP))
    write("nethdr", "v4-udp-vlan", nethdr_seed(F_V4_UDP_VLAN))
    write("nethdr", "v6-hbh-gso", nethdr_seed(F_V6_TCP_HBH, gso=2, gsz=1440))
    write("nethdr", "v4-gso-nocsum", nethdr_seed(F_V4_TCP, flags=0, gso=1, gsz=1448))
    write("nethdr", "v4-fragment", nethdr_seed(F_V4_FRAG))
    write("nethdr", "not-ip", nethdr_seed(F_ARP, flags=VALID))
    # virtio-net header from the TAP: NEEDS_CSUM, GSO TCPv4, size 1448.
    vh = struct.pack("<BBHHHH", 1, 1, 54, 1448, 34, 16)
    write("nethdr", "rx-gso", nethdr_seed(F_V4_TCP, vh=vh))
    # The key (gref 1) and mapping (gref 1) come from the frame's bytes.
    key = bytes(range(40))
    write("nethdr", "hash-toeplitz", nethdr_seed(key + F_V4_TCP, ctrl=(
        ctrl(7, 1), ctrl(2, 0xf), ctrl(3, 1, 40))))
    write("nethdr", "hash-mapping", nethdr_seed(
        struct.pack("<8I", *[i % 4 for i in range(8)]) + F_V6_TCP, ctrl=(
            ctrl(7, 1), ctrl(5, 8), ctrl(6, 1, 8, 0))))
    write("nethdr", "mapping-overflow", nethdr_seed(F_V4_TCP, ctrl=(
        ctrl(5, 128), ctrl(6, 1, 2, 0xffffffff), ctrl(6, 1, 129, 0))))


# ---- xenstore values ---------------------------------------------------------
def xs(sel, value, mx=2**64 - 1):
    return struct.pack("<BQ", sel, mx) + value


def xs_corpus():
    for i, (v, mx) in enumerate(((b"0", 10), (b"007", 10), (b"4294967295", 2**32 - 1),
                                 (b"18446744073709551615", 2**64 - 1),
                                 (b"18446744073709551616", 2**64 - 1), (b"-1", 10),
                                 (b" 1", 10), (b"1x", 10), (b"", 10))):
        write("xsparse", "uint-%d" % i, xs(0, v, mx))
    for i, v in enumerate((b"4", b"9", b"1/51712", b"32752/1", b"64K", b"16g",
                           b"w!", b"r", b"10000000,50000", b"1,", b"8,00")):
        write("xsparse", "misc-%d" % i, xs(1, v, 2**40))
    for i, v in enumerate((b"x86_64-abi", b"x86_32-abi", b"native", b"",
                           b"00:16:3e:01:02:03", b"00:16:3E:01:02:0", b"00-16-3e-01-02-03")):
        write("xsparse", "names-%d" % i, xs(2, v))
    for i, v in enumerate((b"/var/lib/xen/images/g1.img",
                           b"nbd+unix:///exp?socket=/run/g1.sock",
                           b"nbd://[::1]:10809/e%20x", b"nbd://host/", b"nbds://h/e",
                           b"nbd:unix:/s.sock:exportname=e", b"nbd:host:10809",
                           b"nbd://h/%zz", b"relative/path")):
        write("xsparse", "target-%d" % i, xs(3, v, 40))
    write("xsparse", "escape-0", xs(4, b"\x1b[31mred\\n\n\xff", 100))
    write("xsparse", "escape-1", xs(4, b"abc\x01", 6))
    # xb_next views: be/fe states and the online/hotplug/ready bits.
    for i, bits in enumerate((0x3f04, 0x3f44, 0x3f46, 0x3f54, 0x3764, 0x3f26,
                              0x1304, 0x7f44, 0x0f00, 0x3e76)):
        write("xsparse", "xenbus-%d" % i, xs(5, b"", bits))


# ---- console ring ----------------------------------------------------------
def cring_seed(idx, ops):
    return struct.pack("<IIII", *idx) + bytes([len(ops)]) + b"".join(ops)


def cop_take(mx):
    return struct.pack("<BH", 0, mx)


def cop_put(data, n=None):
    n = len(data) if n is None else n
    return struct.pack("<BH", 1, n) + data[:16]


def cop_set(which, v):
    return struct.pack("<BI", 2 | (which << 2), v)


def cop_produce(k):
    return struct.pack("<BH", 3, k)


def cring_corpus():
    write("cring", "basic", cring_seed((0, 0, 0, 0), [
        cop_produce(100), cop_take(4095), cop_put(b"hello\n"), cop_take(10)]))
    w = 0xfffffff0
    write("cring", "wrap", cring_seed((w, w, w, w), [
        cop_produce(40), cop_take(30), cop_take(30), cop_put(b"x" * 16, 1500)]))
    write("cring", "full", cring_seed((0, 1024, 0, 2048), [
        cop_put(b"k"), cop_take(2048), cop_produce(2048), cop_take(100)]))
    write("cring", "screwed", cring_seed((0, 0, 0, 5000), [
        cop_take(100), cop_put(b"a"), cop_set(2, 4000), cop_put(b"b"),
        cop_set(1, 4990), cop_take(100)]))
    write("cring", "backwards", cring_seed((10, 10, 10, 10), [
        cop_set(0, 5), cop_take(100), cop_set(3, 20), cop_put(b"c")]))


# ---- console log ---------------------------------------------------------------
def conslog_seed(flags, chunks, rot=0):
    out = struct.pack("<B", flags) + (struct.pack("<H", rot) if flags & 2 else b"")
    for c in chunks:
        out += b"\xff" if c is None else bytes([len(c) - 1]) + c
    return out


def conslog_corpus():
    TS, ROT, RAW = 1, 2, 4
    boot = [b"Linux version 6.1\r\n", b"\x1b[31mred\x1b[0m\n", b"no newline"]
    write("conslog", "plain", conslog_seed(0, boot + [None, b"more\n"]))
    write("conslog", "timestamps", conslog_seed(TS, boot + [b"\n\r\n", None]))
    write("conslog", "forge-note", conslog_seed(0, [b"[consoled: fake]\n",
                                                 b"[cons", b"oled: split]\n",
                                                 b"x[consoled: mid]\n"]))
    write("conslog", "rotate", conslog_seed(TS | ROT, [b"y" * 100] * 12 + [None], rot=0))
    write("conslog", "raw", conslog_seed(RAW, [b"\x00\x07\x1b[consoled: raw]\n"]))


if __name__ == "__main__":
    blk_corpus()
    net_corpus()
    nethdr_corpus()
    xs_corpus()
    cring_corpus()
    conslog_corpus()
