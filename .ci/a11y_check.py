#!/usr/bin/python3
"""Drives UDP Lab's real window through the accessibility tree (AT-SPI), as a
screen reader would: finds Start and Send by name, presses them, waits for
the server's answer to appear, checks every control has a name, and saves a
screenshot that must not be blank.

Run by .ci/a11y-check.sh inside `dbus-run-session` on an Xvfb display; it
needs python3-pyatspi (system Python) and ImageMagick's `import`.
"""

import argparse
import os
import subprocess
import sys
import time

TEXTS = {
    "en": {
        "start": "Start",
        "stop": "Stop",
        "send": "Send",
        "response": "Response from server: Hello, client",
    },
    "ru": {
        "start": "Запустить",
        "stop": "Остановить",
        "send": "Отправить",
        "response": "Ответ сервера: Hello, client",
    },
}

# Roles a person operates; each needs a name a screen reader can say.
CONTROL_ROLES = {
    "push button",
    "toggle button",
    "check box",
    "radio button",
    "combo box",
    "entry",
    "text",
    "spin button",
    "slider",
    "menu item",
    "link",
}


def fail(message):
    print(f"a11y-check: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def log(message):
    print(f"a11y-check: {message}", flush=True)


def enable_accessibility():
    """Tells the session the a11y bus is wanted (a screen reader would).
    AccessKit only publishes the tree once org.a11y.Status.IsEnabled is on."""
    cmd = [
        "dbus-send", "--session", "--print-reply", "--dest=org.a11y.Bus",
        "/org/a11y/bus", "org.freedesktop.DBus.Properties.Set",
        "string:org.a11y.Status", "string:IsEnabled", "variant:boolean:true",
    ]
    deadline = time.monotonic() + 20
    while True:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        if r.returncode == 0:
            return
        if time.monotonic() > deadline:
            fail(f"could not turn the accessibility bus on: {r.stderr.strip()}")
        time.sleep(0.5)


def text_of(acc):
    """A node's name, or its text for labels that carry text, not a name."""
    try:
        name = acc.name or ""
    except Exception:
        name = ""
    if name:
        return name
    try:
        t = acc.queryText()
        return t.getText(0, -1) or ""
    except Exception:
        return ""


def walk(acc, depth=0, limit=60):
    """Every node under acc (depth-first), skipping nodes that vanish."""
    if acc is None or depth > limit:
        return
    yield acc
    try:
        count = acc.childCount
    except Exception:
        return
    for i in range(count):
        try:
            child = acc.getChildAtIndex(i)
        except Exception:
            continue
        yield from walk(child, depth + 1, limit)


def find_app(pyatspi, pid, timeout):
    desktop = pyatspi.Registry.getDesktop(0)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for i in range(desktop.childCount):
            try:
                app = desktop.getChildAtIndex(i)
                if app is not None and app.get_process_id() == pid:
                    return app
            except Exception:
                continue
        time.sleep(0.25)
    names = []
    for i in range(desktop.childCount):
        try:
            names.append(desktop.getChildAtIndex(i).name)
        except Exception:
            pass
    fail(f"UDP Lab (pid {pid}) never showed up on the accessibility bus "
         f"within {timeout} s; applications seen: {names}")


def find(app, role, name, timeout):
    """The node with this role and exact name; waits for it to appear."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for acc in walk(app):
            try:
                if acc.getRoleName() == role and text_of(acc) == name:
                    return acc
            except Exception:
                continue
        time.sleep(0.2)
    return None


def click(acc, what):
    try:
        action = acc.queryAction()
    except Exception as e:
        fail(f"{what} has no actions: {e}")
    names = [action.getName(i) for i in range(action.nActions)]
    index = names.index("click") if "click" in names else 0
    if action.nActions == 0 or not action.doAction(index):
        fail(f"pressing {what} did nothing (actions: {names})")


def unnamed_controls(pyatspi, app):
    """Visible controls whose accessible name is empty (a text field's
    content is not its name: it needs a label)."""
    bad = []
    checked = 0
    for acc in walk(app):
        try:
            role = acc.getRoleName()
            if role not in CONTROL_ROLES:
                continue
            checked += 1
            if (acc.name or "").strip():
                continue
            if acc.getState().contains(pyatspi.STATE_SHOWING):
                bad.append(f"{role} {text_of(acc)!r}")
        except Exception:
            continue
    if checked == 0:
        fail("no controls at all in the accessibility tree")
    return bad, checked


def window_shot(path):
    """Just the UDP Lab window (for the README), by its X window id."""
    r = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^UDP Lab$"],
                       capture_output=True, text=True, timeout=20)
    ids = r.stdout.split()
    if not ids:
        fail("cannot find the UDP Lab window for the window screenshot")
    r = subprocess.run(["import", "-window", ids[0], path],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        fail(f"window screenshot failed: {r.stderr.strip()}")


def distinct_colours(path):
    r = subprocess.run(["identify", "-format", "%k", path],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        fail(f"cannot read the screenshot {path}: {r.stderr.strip()}")
    return int(r.stdout.strip() or 0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--lang", choices=sorted(TEXTS), default="en")
    p.add_argument("--screenshot", required=True)
    p.add_argument("--window-screenshot", help="also save just the window here")
    p.add_argument("--min-colours", type=int, default=64)
    p.add_argument("--timeout", type=float, default=30)
    args = p.parse_args()
    texts = TEXTS[args.lang]

    enable_accessibility()
    import pyatspi  # after the bus is up, so the registry connects to it

    addr = f"127.0.0.1:{args.port}"
    log_path = os.path.join(os.path.dirname(os.path.abspath(args.screenshot)),
                            "udp-lab-a11y-app.log")
    with open(log_path, "w") as app_log:
        proc = subprocess.Popen(
            [args.bin, "--bind", addr, "--to", addr, "--lang", args.lang],
            stdout=app_log, stderr=subprocess.STDOUT)
    try:
        time.sleep(0.5)
        if proc.poll() is not None:
            fail(f"udp-lab exited at once (code {proc.returncode}); see {log_path}")
        app = find_app(pyatspi, proc.pid, args.timeout)
        log(f"found the app on the accessibility bus: {app.name!r}")

        start = find(app, "push button", texts["start"], args.timeout)
        if start is None:
            fail(f"no button named {texts['start']!r} in the tree")
        click(start, texts["start"])
        if find(app, "push button", texts["stop"], args.timeout) is None:
            fail(f"the server did not start: no {texts['stop']!r} button after "
                 f"pressing {texts['start']!r} (bind {addr})")
        log("server started")

        send = find(app, "push button", texts["send"], args.timeout)
        if send is None:
            fail(f"no button named {texts['send']!r} in the tree")
        click(send, texts["send"])
        deadline = time.monotonic() + args.timeout
        found = False
        while time.monotonic() < deadline and not found:
            found = any(text_of(a) == texts["response"] for a in walk(app))
            if not found:
                time.sleep(0.2)
        if not found:
            fail(f"{texts['response']!r} never appeared after pressing "
                 f"{texts['send']!r}")
        log(f"saw {texts['response']!r}")

        bad, checked = unnamed_controls(pyatspi, app)
        if bad:
            fail(f"{len(bad)} control(s) without an accessible name: {bad}")
        log(f"all {checked} controls have a name")

        time.sleep(0.5)  # let the last frame reach the screen
        r = subprocess.run(["import", "-window", "root", args.screenshot],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            fail(f"screenshot failed: {r.stderr.strip()}")
        colours = distinct_colours(args.screenshot)
        if colours < args.min_colours:
            fail(f"the screenshot looks blank: {colours} distinct colours "
                 f"(at least {args.min_colours} expected)")
        log(f"screenshot {args.screenshot}: {colours} distinct colours")
        if args.window_screenshot:
            window_shot(args.window_screenshot)
            log(f"window screenshot {args.window_screenshot}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    log("passed")


if __name__ == "__main__":
    main()
