# -*- coding: utf-8 -*-
"""UDP Lab's tracer: runs a student's script and reports its socket calls.

Usage (UDP Lab starts it; students never call it themselves):

    python -u udplab_trace.py SCRIPT.py [ARGS...]

with UDPLAB_TRACE_PORT and UDPLAB_TRACE_TOKEN in the environment. It wraps
socket.socket, then runs SCRIPT.py as __main__ (as `python SCRIPT.py ARGS`
would: in a module of its own that lives until the end, not runpy's
temporary one, whose globals Python 2 empties when the script's main
thread returns) and sends one JSON line per socket call to UDP Lab's collector on
127.0.0.1, never to the script's stdout. Should the collector be gone or
fail, the tracer goes quiet and the script runs on as if untraced.

It must run on every Python a classroom has, 2.7 and 3.x: no f-strings, no
third-party modules, nothing newer than both allow (CI checks it with
vermin for 2.7 and 3.0).
"""

import atexit
import binascii
import errno
import json
import os
import socket
import sys
import threading
import time
import traceback
import types
import weakref

_PY2 = sys.version_info[0] == 2
_RealSocket = socket.socket
# Frames in these files are the tracer's or the socket module's own; the
# call site reported is the first frame outside them.
_HERE = None  # set below, from a function of this file
_SOCKET_PY = socket.create_connection.__code__.co_filename
# At most this many bytes of a payload are reported (the length always is).
_PREVIEW = 2048
# Linux tells an unconnected UDP socket of the ICMP error its datagram
# brought back ("port unreachable": nothing listens there) only with
# IP_RECVERR on. The tracer turns it on around each send and receive of
# such a socket, reads the error queue, reports what it held and turns it
# off again: the script sees what it would see untraced.
_LINUX = sys.platform.startswith("linux")
_RECVERR = {
    socket.AF_INET: (0, 11),  # IPPROTO_IP, IP_RECVERR
    getattr(socket, "AF_INET6", -1): (41, 25),  # IPPROTO_IPV6, IPV6_RECVERR
}
_MSG_ERRQUEUE = getattr(socket, "MSG_ERRQUEUE", 0x2000)
_ICMP_ERRNOS = (errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH)


def _here():
    return None


_HERE = _here.__code__.co_filename


def _text(value):
    """Text for JSON: bytes (a Python 2 str, a path) decoded leniently."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    try:
        return u"%s" % (value,)
    except Exception:
        return u"?"


class _Reporter(object):
    """The connection to UDP Lab. Every failure turns it off, silently."""

    def __init__(self):
        self.lock = threading.Lock()
        self.conn = None
        self.token = os.environ.pop("UDPLAB_TRACE_TOKEN", "")
        port = os.environ.pop("UDPLAB_TRACE_PORT", "")
        if not self.token or not port:
            return
        try:
            conn = _RealSocket(socket.AF_INET, socket.SOCK_STREAM)
            # A collector that stops reading must not hang the script.
            conn.settimeout(5.0)
            conn.connect(("127.0.0.1", int(port)))
            self.conn = conn
        except Exception:
            self.conn = None

    def send(self, event):
        if self.conn is None:
            return
        event["k"] = self.token
        event["t"] = time.time()
        # How much output came before this call: UDP Lab shows the script's
        # lines and its calls in the order they were made.
        event["o"] = _written[0]
        event["e"] = _written[1]
        try:
            line = json.dumps(event, separators=(",", ":")) + "\n"
            data = line.encode("ascii")
        except Exception:
            # One event that cannot be written is lost; the tracer goes on.
            return
        self.lock.acquire()
        try:
            if self.conn is not None:
                try:
                    self.conn.sendall(data)
                except Exception:
                    self.off()
        finally:
            self.lock.release()

    def off(self):
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass


_reporter = None
# Bytes written so far through sys.stdout and sys.stderr.
_written = [0, 0]


class _Counted(object):
    """sys.stdout or sys.stderr, counting the bytes written through it."""

    def __init__(self, stream, index):
        self.__dict__["_udplab_stream"] = stream
        self.__dict__["_udplab_index"] = index

    def write(self, text):
        result = self._udplab_stream.write(text)
        try:
            if isinstance(text, bytes):
                n = len(text)
            else:
                n = len(text.encode("utf-8", "replace"))
            _written[self._udplab_index] += n
        except Exception:
            pass
        return result

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def __getattr__(self, name):
        return getattr(self._udplab_stream, name)

    def __setattr__(self, name, value):
        # Python 2's print sets `softspace` on the file.
        setattr(self._udplab_stream, name, value)
_next_sock = [0]
_live = weakref.WeakValueDictionary()


def _site():
    """The caller's file and line: the first frame outside the tracer."""
    try:
        f = sys._getframe(1)
    except Exception:
        return None, None
    while f is not None and f.f_code.co_filename in (_HERE, _SOCKET_PY):
        f = f.f_back
    if f is None:
        return None, None
    return _text(f.f_code.co_filename), f.f_lineno


def _const_name(value, prefixes):
    for name in dir(socket):
        for prefix in prefixes:
            if name.startswith(prefix):
                try:
                    if getattr(socket, name) == value:
                        return name
                except Exception:
                    pass
    return None


def _family_name(value):
    return _const_name(value, ("AF_",)) or _text(value)


def _type_name(value):
    try:
        # Linux may add SOCK_NONBLOCK / SOCK_CLOEXEC to the type.
        value = int(value) & 0xF
    except Exception:
        pass
    return _const_name(value, ("SOCK_",)) or _text(value)


# setsockopt's levels, by name: a level's number is another protocol's
# too (SOL_SOCKET is 1 on Linux, as IPPROTO_ICMP is), so only these are
# named, and an option only among its own level's names.
_LEVELS = (
    ("SOL_SOCKET", "SO_"),
    ("IPPROTO_IP", "IP_"),
    ("IPPROTO_IPV6", "IPV6_"),
    ("IPPROTO_TCP", "TCP_"),
    ("IPPROTO_UDP", "UDP_"),
)
# Names with a level's prefix that are no option of that level: other
# protocols' options (J1939, VSOCK) and constants that are values.
_NOT_OPTIONS = (
    "SO_J1939_",
    "SO_VM_SOCKETS_",
    "IP_DEFAULT_MULTICAST_",
    "IP_MAX_MEMBERSHIPS",
    "IPV6_RTHDR_TYPE_",
)


def _level(level):
    """The level's name and its options' prefix, or (None, None)."""
    for name, prefix in _LEVELS:
        try:
            if getattr(socket, name) == level:
                return name, prefix
        except Exception:
            pass
    return None, None


def _level_name(level):
    return _level(level)[0] or _text(level)


def _opt_name(level, opt):
    prefix = _level(level)[1]
    if prefix is None:
        return _text(opt)
    for name in dir(socket):
        if not name.startswith(prefix):
            continue
        if [n for n in _NOT_OPTIONS if name.startswith(n)]:
            continue
        try:
            if getattr(socket, name) == opt:
                return name
        except Exception:
            pass
    return _text(opt)


def _addr(value):
    """An address as JSON: [host, port] for IPv4 and IPv6."""
    if isinstance(value, tuple) and len(value) >= 2:
        host = value[0]
        if isinstance(host, bytes) or not isinstance(host, (int, float)):
            host = _text(host)
        try:
            return [host, int(value[1])]
        except Exception:
            return [host, _text(value[1])]
    return _text(value)


def _data(value):
    """A payload: its type, its length and (the start of) its bytes."""
    info = {"type": type(value).__name__}
    try:
        raw = memoryview(value).tobytes()
    except Exception:
        try:
            info["len"] = len(value)
            info["text"] = _text(value)[:_PREVIEW]
        except Exception:
            pass
        return info
    info["len"] = len(raw)
    info["hex"] = binascii.hexlify(raw[:_PREVIEW]).decode("ascii")
    return info


def _error(exc):
    info = {"type": type(exc).__name__, "text": _text(exc)}
    if isinstance(exc, socket.timeout):
        info["kind"] = "timeout"
    errno = getattr(exc, "errno", None)
    if isinstance(errno, int):
        info["errno"] = errno
    strerror = getattr(exc, "strerror", None)
    if strerror:
        info["strerror"] = _text(strerror)
    winerror = getattr(exc, "winerror", None)
    if isinstance(winerror, int):
        info["winerror"] = winerror
    return info


def _peek_len(sock, bufsize):
    """The real length of the next datagram, on Linux (MSG_TRUNC), so a
    truncated one can be told from one that fitted. None when unknown."""
    trunc = getattr(socket, "MSG_TRUNC", None)
    peek = getattr(socket, "MSG_PEEK", None)
    if trunc is None or peek is None or not sys.platform.startswith("linux"):
        return None
    try:
        if _type_name(sock.type) != "SOCK_DGRAM":
            return None
    except Exception:
        return None
    buf = bytearray(1)
    # Blocks (or times out) exactly as the real call would; its exception
    # is the real call's exception.
    if _PY2:
        return sock._sock.recv_into(buf, 1, peek | trunc)
    return _RealSocket.recv_into(sock, buf, 1, peek | trunc)


class _Traced(_RealSocket):
    """socket.socket, with every call of interest reported."""

    def __init__(self, *args, **kwargs):
        # accept() makes its connection's socket with this: accept reports
        # it (with the id it gets here), not a socket() of the script's.
        accepted = kwargs.pop("_udplab_accepted", None)
        _RealSocket.__init__(self, *args, **kwargs)
        self._udplab_closed = False
        # Its local address was reported (by bind or a first send).
        self._udplab_named = False
        # connect()ed (Linux tells it of ICMP errors itself), or IP_RECVERR
        # set by the script: its ICMP errors are not watched.
        self._udplab_connected = False
        self._udplab_own_recverr = False
        # ICMP errors a send brought, reported after the send itself.
        self._udplab_held = []
        _next_sock[0] += 1
        self._udplab_id = _next_sock[0]
        self._udplab_site = _site()
        if _PY2:
            self._udplab_unshadow()
        _live[self._udplab_id] = self
        if accepted is not None:
            self._udplab_site = accepted
            self._udplab_named = True
            self._udplab_connected = True
            return
        try:
            family, kind = self.family, self.type
        except Exception:
            family, kind = None, None
        self._udplab_report(
            "socket",
            {"family": _family_name(family), "type": _type_name(kind)},
            {"fd": self._udplab_fd()},
            None,
            site=self._udplab_site,
        )

    if _PY2:

        def _udplab_unshadow(self):
            # Python 2 stores recvfrom, sendto... on each instance; drop
            # them so this class's methods are found.
            for name in list(self.__dict__):
                if not name.startswith("_udplab"):
                    del self.__dict__[name]

        def _udplab_orig(self, name):
            return getattr(self._sock, name)

    else:

        def _udplab_orig(self, name):
            return getattr(super(_Traced, self), name)

    def _udplab_fd(self):
        try:
            return self.fileno()
        except Exception:
            return -1

    def _udplab_watch(self):
        """IP_RECVERR's (level, option) when this socket's ICMP errors are
        watched (Linux, UDP, not connected), else None."""
        if not _LINUX or self._udplab_connected or self._udplab_own_recverr:
            return None
        try:
            if _type_name(self.type) != "SOCK_DGRAM":
                return None
            return _RECVERR.get(self.family)
        except Exception:
            return None

    def _udplab_recverr(self, opt, on):
        try:
            self._udplab_orig("setsockopt")(opt[0], opt[1], on)
            return True
        except Exception:
            return False

    def _udplab_icmp(self, first, hold=False):
        """Reads the error queue without waiting; reports each error it held
        (`first`: the errno a call raised for it), or with `hold` keeps the
        reports for after the call's own. True when any."""
        found = False
        try:
            timeout = self._udplab_orig("gettimeout")()
            self._udplab_orig("settimeout")(0.0)
        except Exception:
            return False
        try:
            for _ in range(8):
                try:
                    err = self._udplab_orig("getsockopt")(
                        socket.SOL_SOCKET, socket.SO_ERROR
                    )
                    data, addr = self._udplab_orig("recvfrom")(1, _MSG_ERRQUEUE)
                except Exception:
                    break
                found = True
                event = {"ev": "icmp", "sock": self._udplab_id, "addr": _addr(addr)}
                event["errno"] = err or first or 0
                first = None
                event["file"], event["line"] = _site()
                if hold:
                    self._udplab_held.append(event)
                elif _reporter is not None:
                    _reporter.send(event)
        finally:
            try:
                self._udplab_orig("settimeout")(timeout)
            except Exception:
                pass
        return found

    def _udplab_watched(self, call, hold=False):
        """call() (the real send or receive), with this socket's ICMP
        errors watched: an error only IP_RECVERR brought is reported and
        the call goes on as it would have untraced, for what is left of
        its timeout."""
        opt = self._udplab_watch()
        if opt is None or not self._udplab_recverr(opt, 1):
            return call()
        try:
            timeout = self._udplab_orig("gettimeout")()
        except Exception:
            timeout = None
        start = time.time()
        changed = False
        try:
            while True:
                try:
                    return call()
                except socket.error:
                    exc = sys.exc_info()[1]
                    number = getattr(exc, "errno", None)
                    if number not in _ICMP_ERRNOS or not self._udplab_icmp(number, hold):
                        raise
                if timeout:
                    left = timeout - (time.time() - start)
                    if left <= 0:
                        raise socket.timeout("timed out")
                    self._udplab_orig("settimeout")(left)
                    changed = True
        finally:
            self._udplab_icmp(None, hold)
            if changed:
                try:
                    self._udplab_orig("settimeout")(timeout)
                except Exception:
                    pass
            self._udplab_recverr(opt, 0)
            try:
                # An error that came as it was turned off: untraced, this
                # socket would not have heard of it.
                self._udplab_orig("getsockopt")(socket.SOL_SOCKET, socket.SO_ERROR)
            except Exception:
                pass

    def _udplab_report(
        self, call, args, result, error, site=None, wait=None, start=None
    ):
        if _reporter is None:
            return
        event = {"ev": "call", "call": call, "sock": self._udplab_id, "args": args}
        if start is not None:
            # When the call began: a datagram leaves before sendto returns,
            # and its receiver may note its arrival before this report.
            event["t0"] = start
        if result is not None:
            event["res"] = result
        if error is not None:
            event["err"] = error
        if wait is not None:
            event["wait"] = wait
        if site is None:
            site = _site()
        event["file"], event["line"] = site
        _reporter.send(event)

    def _udplab_call(self, name, args, shown, result_of, watched=False):
        site = _site()
        start = time.time()
        real = self._udplab_orig(name)
        try:
            if watched:
                value = self._udplab_watched(lambda: real(*args), True)
            else:
                value = real(*args)
        except Exception:
            exc = sys.exc_info()[1]
            self._udplab_report(
                name, shown, None, _error(exc), site=site, start=start
            )
            self._udplab_flush()
            raise
        self._udplab_report(
            name, shown, result_of(value), None, site=site, start=start
        )
        self._udplab_flush()
        return value

    def _udplab_flush(self):
        held, self._udplab_held = self._udplab_held, []
        if _reporter is not None:
            for event in held:
                _reporter.send(event)

    def _udplab_sent(self, n):
        """A send's result; the first one of a socket never bound also
        says the address the system gave it (UDP Lab joins the datagram's
        two ends by address)."""
        result = {"n": n}
        if not self._udplab_named:
            self._udplab_named = True
            try:
                result["local"] = _addr(self.getsockname())
            except Exception:
                pass
        return result

    def _udplab_receive(self, name, args, shown, bufsize, result_of):
        """A receive: reported before it blocks (so a wait that never ends
        can be seen) and when it returns."""
        site = _site()
        wait = self._udplab_wait(name, shown, site)
        try:
            real = None
            if bufsize is not None:
                real = self._udplab_watched(lambda: _peek_len(self, bufsize))
            value = self._udplab_watched(lambda: self._udplab_orig(name)(*args))
        except Exception:
            exc = sys.exc_info()[1]
            self._udplab_report(name, shown, None, _error(exc), site=site, wait=wait)
            raise
        result = result_of(value)
        if real is not None:
            result["real_len"] = real
        self._udplab_report(name, shown, result, None, site=site, wait=wait)
        return value

    def _udplab_wait(self, name, shown, site):
        """Says a call that may block has begun (so a wait that never ends
        can be seen); its id, which the call's own report names."""
        if _reporter is None:
            return None
        wait = "%d-%f" % (self._udplab_id, time.time())
        try:
            timeout = self.gettimeout()
        except Exception:
            timeout = None
        event = {
            "ev": "wait",
            "call": name,
            "sock": self._udplab_id,
            "args": shown,
            "timeout": timeout,
            "wait": wait,
        }
        event["file"], event["line"] = site
        _reporter.send(event)
        return wait

    def _udplab_local(self, result):
        """`result` with the address the system gave this socket."""
        self._udplab_named = True
        try:
            result["local"] = _addr(self.getsockname())
        except Exception:
            pass
        return result

    def listen(self, *args):
        shown = {}
        if args:
            shown["backlog"] = args[0]
        return self._udplab_call("listen", args, shown, lambda v: {})

    def accept(self):
        site = _site()
        wait = self._udplab_wait("accept", {}, site)
        try:
            if _PY2:
                real, addr = self._sock.accept()
                conn = _Traced(_sock=real, _udplab_accepted=site)
            else:
                fd, addr = self._accept()
                conn = _Traced(
                    self.family, self.type, self.proto, fileno=fd, _udplab_accepted=site
                )
                # As socket.accept does: a listening socket with a timeout
                # gives blocking connections unless a default is set.
                if socket.getdefaulttimeout() is None and self.gettimeout():
                    _RealSocket.setblocking(conn, True)
        except Exception:
            exc = sys.exc_info()[1]
            self._udplab_report("accept", {}, None, _error(exc), site=site, wait=wait)
            raise
        result = conn._udplab_local({"sock": conn._udplab_id, "addr": _addr(addr)})
        result["fd"] = conn._udplab_fd()
        self._udplab_report("accept", {}, result, None, site=site, wait=wait)
        return conn, addr

    def connect_ex(self, address):
        def result(code):
            if code == 0:
                self._udplab_connected = True
            return self._udplab_local({"code": code})

        return self._udplab_call(
            "connect_ex", (address,), {"addr": _addr(address)}, result
        )

    def sendall(self, *args):
        shown = {}
        if args:
            shown["data"] = _data(args[0])

        def result(value):
            # sendall returns None once every byte is sent.
            return self._udplab_sent(shown.get("data", {}).get("len", 0))

        return self._udplab_call("sendall", args, shown, result)

    def shutdown(self, how):
        name = _const_name(how, ("SHUT_",)) or _text(how)
        return self._udplab_call("shutdown", (how,), {"how": name}, lambda v: {})

    if _PY2:

        def makefile(self, mode="r", bufsize=-1):
            # Python 2's file reads the C socket itself; reading through
            # this one, its recv calls are seen.
            return socket._fileobject(self, mode, bufsize)

    def bind(self, address):
        def result(value):
            self._udplab_named = True
            # The address it got (port 0: the port the system picked).
            try:
                return {"local": _addr(self.getsockname())}
            except Exception:
                return {}

        return self._udplab_call("bind", (address,), {"addr": _addr(address)}, result)

    def connect(self, address):
        def result(value):
            self._udplab_connected = True
            # The port the system gave it: UDP Lab joins a connection's
            # two ends by address.
            return self._udplab_local({})

        return self._udplab_call(
            "connect", (address,), {"addr": _addr(address)}, result
        )

    def sendto(self, *args):
        # sendto(data, address) or sendto(data, flags, address)
        shown = {}
        if args:
            shown["data"] = _data(args[0])
        if len(args) >= 2:
            shown["addr"] = _addr(args[-1])
        return self._udplab_call("sendto", args, shown, self._udplab_sent, True)

    def send(self, *args):
        shown = {}
        if args:
            shown["data"] = _data(args[0])
        return self._udplab_call("send", args, shown, self._udplab_sent, True)

    def recvfrom(self, *args):
        bufsize = args[0] if args else None

        def result(value):
            data, addr = value
            out = _data(data)
            out["addr"] = _addr(addr)
            return out

        return self._udplab_receive(
            "recvfrom", args, {"bufsize": bufsize}, bufsize, result
        )

    def recv(self, *args):
        bufsize = args[0] if args else None
        return self._udplab_receive(
            "recv", args, {"bufsize": bufsize}, bufsize, _data
        )

    def recvfrom_into(self, *args):
        buf = args[0] if args else None
        bufsize = args[1] if len(args) > 1 and args[1] else None
        if bufsize is None and buf is not None:
            try:
                bufsize = len(buf)
            except Exception:
                bufsize = None

        def result(value):
            n, addr = value
            out = _data(memoryview(buf)[:n])
            out["addr"] = _addr(addr)
            return out

        return self._udplab_receive(
            "recvfrom_into", args, {"bufsize": bufsize}, bufsize, result
        )

    def recv_into(self, *args):
        buf = args[0] if args else None
        bufsize = args[1] if len(args) > 1 and args[1] else None
        if bufsize is None and buf is not None:
            try:
                bufsize = len(buf)
            except Exception:
                bufsize = None

        def result(n):
            return _data(memoryview(buf)[:n])

        return self._udplab_receive(
            "recv_into", args, {"bufsize": bufsize}, bufsize, result
        )

    def settimeout(self, value):
        return self._udplab_call(
            "settimeout", (value,), {"timeout": value}, lambda v: {}
        )

    def setblocking(self, flag):
        return self._udplab_call(
            "setblocking", (flag,), {"blocking": bool(flag)}, lambda v: {}
        )

    def setsockopt(self, *args):
        shown = {}
        if len(args) >= 3:
            level, opt, value = args[0], args[1], args[2]
            shown["level"] = _level_name(level)
            for family in _RECVERR:
                if (level, opt) == _RECVERR[family]:
                    self._udplab_own_recverr = True
            shown["opt"] = _opt_name(level, opt)
            if isinstance(value, int):
                shown["value"] = value
            else:
                shown["value"] = _data(value)
        return self._udplab_call("setsockopt", args, shown, lambda v: {})

    def close(self):
        first = not self._udplab_closed
        self._udplab_closed = True
        try:
            value = self._udplab_orig("close")()
        except Exception:
            exc = sys.exc_info()[1]
            if first:
                self._udplab_report("close", {}, None, _error(exc))
            raise
        if _PY2:
            self._udplab_unshadow()
        if first:
            self._udplab_report("close", {}, {}, None)
        return value

    def __del__(self):
        # Collected without close(): the student never closed it.
        try:
            if not self._udplab_closed:
                self._udplab_closed = True
                self._udplab_report(
                    "close", {"gc": True}, {}, None, site=self._udplab_site
                )
        except Exception:
            pass
        parent = getattr(_RealSocket, "__del__", None)
        if parent is not None:
            parent(self)


def _stdlib_dir():
    try:
        return os.path.dirname(os.__file__)
    except Exception:
        return None


def _report_exception(exc_type, exc, tb):
    """The uncaught exception: its last line and where in the script."""
    if _reporter is None:
        return
    frames = []
    try:
        frames = traceback.extract_tb(tb)
    except Exception:
        pass
    ours = [f for f in frames if f[0] != _HERE]
    lib = _stdlib_dir()
    # Frozen modules ("<frozen codecs>") are the standard library's too.
    theirs = [
        f
        for f in ours
        if not (lib and f[0].startswith(lib)) and not f[0].startswith("<frozen")
    ]
    where = (theirs or ours or [None])[-1]
    if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
        # The script did not compile: where Python says the mistake is.
        where = (exc.filename, exc.lineno)
    try:
        last = traceback.format_exception_only(exc_type, exc)[-1].strip()
    except Exception:
        last = _text(exc_type.__name__)
    event = {"ev": "exception", "type": exc_type.__name__, "text": _text(last)}
    if where is not None:
        event["file"] = _text(where[0])
        event["line"] = where[1]
    if isinstance(exc, UnicodeDecodeError):
        try:
            event["decode"] = {
                "encoding": _text(exc.encoding),
                "start": exc.start,
                "end": exc.end,
                "hex": binascii.hexlify(exc.object[:_PREVIEW]).decode("ascii"),
            }
            opened = _decoded_file(exc)
            if opened is not None:
                event["decode"]["opened"] = opened
        except Exception:
            pass
    _reporter.send(event)


# Files the script opened (latest last, at most 16): should decoding fail,
# the tracer checks the failing bytes are one of them, and says which and
# how it was opened (an image read in text mode, or read in binary and then
# decoded to be sent as text).
_opened_files = []
_builtins = sys.modules.get("builtins") or sys.modules.get("__builtin__")
_real_open = getattr(_builtins, "open", None)


def _traced_open(*args, **kwargs):
    """The builtin open(), noting where and how the script opens a file;
    it opens exactly as the real one does."""
    handle = _real_open(*args, **kwargs)
    try:
        mode = args[1] if len(args) > 1 else kwargs.get("mode", "r")
        path = args[0] if args else kwargs.get("file")
        if not isinstance(path, int):
            where = _site()
            lib = _stdlib_dir()
            if where[0] is not None and not (lib and where[0].startswith(lib)):
                _opened_files.append((os.path.abspath(path), mode, where))
                del _opened_files[:-16]
    except Exception:
        pass
    return handle


def _decoded_file(exc):
    """The opened file whose bytes `exc` (a UnicodeDecodeError) failed on,
    as {path, mode, file, line}; None when none holds them."""
    try:
        failed = bytes(exc.object)
    except Exception:
        return None
    if not failed:
        return None
    for path, mode, where in reversed(_opened_files):
        try:
            handle = _real_open(path, "rb")
            try:
                content = handle.read(64 * 1024 * 1024)
            finally:
                handle.close()
        except Exception:
            continue
        if failed in content:
            return {
                "path": _text(path),
                "mode": _text(mode),
                "file": where[0],
                "line": where[1],
            }
    return None


def _report_unclosed():
    if _reporter is None:
        return
    for sock in list(_live.values()):
        try:
            if not sock._udplab_closed:
                # Said once: its collection at shutdown says nothing more.
                sock._udplab_closed = True
                event = {"ev": "unclosed", "sock": sock._udplab_id}
                event["file"], event["line"] = sock._udplab_site
                _reporter.send(event)
        except Exception:
            pass


def _hide_tracer(tb):
    """The traceback without the tracer's frames, so the student sees what
    `python script.py` would have printed."""
    hidden = (_HERE,)
    while tb is not None and tb.tb_frame.f_code.co_filename in hidden:
        tb = tb.tb_next
    if tb is None or sys.version_info < (3, 7):
        return tb
    keep = []
    t = tb
    while t is not None:
        if t.tb_frame.f_code.co_filename not in hidden:
            keep.append(t)
        t = t.tb_next
    try:
        for a, b in zip(keep, keep[1:]):
            a.tb_next = b
        keep[-1].tb_next = None
    except Exception:
        pass
    return keep[0]


def _excepthook(exc_type, exc, tb):
    tb = _hide_tracer(tb)
    if not _PY2 and exc is not None:
        try:
            # Python 3 prints the exception's own traceback, not `tb`.
            exc = exc.with_traceback(tb)
        except Exception:
            pass
    _original_hook(exc_type, exc, tb)


_original_hook = sys.excepthook


def _run(script):
    """Runs the script as the __main__ module, as `python script` does."""
    with open(script, "rb") as f:
        source = f.read()
    # Compiled from bytes: its coding line is honoured, as Python does.
    code = compile(source, script, "exec", 0, True)
    module = types.ModuleType("__main__")
    module.__dict__.update(
        {"__file__": script, "__builtins__": __builtins__, "__package__": None}
    )
    if not _PY2:
        module.__dict__["__spec__"] = None
    # This module stays reachable under its own name (Python 2 empties the
    # globals of a module that is freed, and the tracer's functions use them).
    sys.modules["udplab_trace"] = sys.modules.get("__main__")
    sys.modules["__main__"] = module
    exec(code, module.__dict__)


def _remove_self():
    """The tracer is loaded: its file and private folder can go now, so
    nothing is left behind even if UDP Lab is killed."""
    try:
        here = os.path.abspath(_HERE)
        os.remove(here)
        os.rmdir(os.path.dirname(here))
    except Exception:
        pass


def main():
    global _reporter
    if len(sys.argv) < 2:
        sys.stderr.write("usage: udplab_trace.py SCRIPT.py [ARGS...]\n")
        return 2
    if os.environ.get("UDPLAB_TRACE_TOKEN"):
        # Only when UDP Lab started it (it wrote this copy for the run).
        _remove_self()
    script = sys.argv[1]
    _reporter = _Reporter()
    socket.socket = _Traced
    if _real_open is not None:
        _builtins.open = _traced_open
    if _reporter.conn is not None:
        sys.stdout = _Counted(sys.stdout, 0)
        sys.stderr = _Counted(sys.stderr, 1)
    # As `python SCRIPT.py ARGS` sets them.
    sys.argv = sys.argv[1:]
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    sys.excepthook = _excepthook
    _reporter.send(
        {
            "ev": "hello",
            "py": sys.version.split()[0],
            "script": _text(script),
            "pid": os.getpid(),
        }
    )
    # At exit, after the script's other threads have ended (a threaded
    # server's sockets are still in use when its main thread returns).
    atexit.register(_report_unclosed)
    try:
        _run(script)
    except SystemExit:
        raise
    except BaseException:
        exc_type, exc, tb = sys.exc_info()
        _report_exception(exc_type, exc, tb)
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
