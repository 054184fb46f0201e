#!/usr/bin/python3
# tests/portal_plant.py — plants a unique marker in every field the portal must never show,
# driven by `rapport fields KIND --json` so new fields are covered without editing this file.
#
# The policy it checks (rapport(1) portal): only fields flagged "visible" (and not finance or
# internal) of customer-facing kinds leave. So every other field of customer A's records, every
# field of A's records of internal and finance kinds, and everything about customer B gets a
# marker; the test then scans the site for them. Prints the markers, one per line, and the
# values that must appear (prefixed "SHOWN ").
import json
import os
import subprocess
import sys

R = os.environ["RAPPORT_BIN"]
FACING = {"customer", "contact", "project", "milestone", "task", "ticket", "requirement"}
markers, shown = [], []
serial = [0]


def rp(*args):
    p = subprocess.run([R, *args], capture_output=True, text=True)
    if p.returncode:
        sys.exit("rapport %s: %s" % (" ".join(args), p.stderr.strip()))
    return p.stdout.strip()


def fields(kind):
    return json.loads(rp("fields", kind, "--json"))


def unique_number():
    serial[0] += 1
    return 7310000 + serial[0] * 1117


def unique_date():
    serial[0] += 1
    return "2091-%02d-%02d" % (1 + serial[0] // 28 % 12, 1 + serial[0] % 28)


ids = {}


def make(kind, owner, extra=None, visible_prefix="Visible"):
    """Adds a record of kind for customer `owner` ('A' or 'B'), every field set."""
    args = []
    dates = []
    for f in fields(kind):
        name, t = f["name"], f["type"]
        facing = kind in FACING and "visible" in f["flags"].split(",") and owner == "A"
        if "derived" in f["flags"].split(","):
            continue  # a stage: only `advance` moves it
        if extra and name in extra:
            if extra[name] is not None:
                args.append("%s=%s" % (name, extra[name]))
            continue
        if t == "ref":
            target = None if f["ref"] == "*" else f["ref"]
            # Ownership references point at the customer's own records; any other reference at
            # customer B's (or a member), whose names are markers.
            own = name in ("customer", "project", "contact", "task", "milestone", "contract", "on")
            who = owner if own else "B"
            key = (target or "project", who if target != "member" else "M")
            if key in ids:
                args.append("%s=%s" % (name, ids[key]))
            continue
        if t in ("choice", "bool", "refs", "int") or t.startswith("set"):
            # Not unique enough to scan for: defaults, or the first choice when required.
            if t == "choice" and f["required"] and not f["default"]:
                args.append("%s=%s" % (name, f["choices"].split(",")[0]))
            continue
        if facing:
            if t in ("text", "long text"):
                v = "%s %s %s" % (visible_prefix, kind, name)
                if t == "text" and kind != "task":
                    shown.append(v)
                args.append("%s=%s" % (name, v))
            elif t == "email":
                args.append("%s=%s.%s@shown.example" % (name, kind, name))
            elif t == "date":
                dates.append(name)
            continue
        if t in ("text", "long text"):
            v = "LEAK%s%s%s" % (owner, kind, name)
        elif t == "email":
            v = "leak%s.%s.%s@marker.example" % (owner, kind, name)
        elif t == "number":
            lo, hi = f.get("min"), f.get("max")
            v = str(unique_number())
            if hi is not None and float(v) > hi:
                v = str(int(hi) - serial[0])
                if float(v) <= 100:
                    # A percentage or hours: too small to be unique, set only when required.
                    if f["required"]:
                        args.append("%s=2" % name)
                    continue
            if lo is not None and float(v) < lo:
                continue
        elif t == "date":
            v = unique_date()
        elif t == "datetime":
            v = unique_date() + "T10:00:00Z"
        else:
            continue
        if kind in FACING or t in ("text", "long text", "email"):
            markers.append(v)
        args.append("%s=%s" % (name, v))
    for i, name in enumerate(dates):
        args.append("%s=2026-1%d-1%d" % (name, 1 + i % 2, i))
    return rp("add", kind, *args)


def add_id(kind, who, out):
    ids[(kind, who)] = out


def main():
    # The team: member names and emails must never leave.
    m = rp("add", "member", "name=LEAKmembername", "email=leak.member@marker.example")
    add_id("member", "M", m)
    markers.extend(["LEAKmembername", "leak.member@marker.example"])
    # Customer B and its records: nothing of B may appear in A's portal.
    for kind in ("customer", "contact", "project", "contract", "milestone", "task", "ticket",
                 "requirement", "invoice"):
        extra = {"name": "OTHERCUST %s" % kind} if kind in ("customer", "contact", "project",
                                                            "milestone", "task") else None
        if kind in ("ticket", "requirement", "contract"):
            extra = {"title": "OTHERCUST %s" % kind}
        if kind == "invoice":
            extra = {"number": "OTHERCUST-INV", "paid_on": None, "paid_amount": None}
        add_id(kind, "B", make(kind, "B", extra, "OTHERCUST"))
    markers.append("OTHERCUST")
    # Customer A: every kind the portal draws from, and every internal and finance kind.
    order = ["customer", "contact", "contract", "project", "milestone", "task", "time",
             "expense", "quote", "invoice", "ticket", "survey", "requirement", "interaction",
             "comment"]
    for kind in order:
        extra = {}
        if kind == "customer":
            extra = {"name": "Acme Portal Co", "stage": "active"}
            shown.append("Acme Portal Co")
        if kind == "survey":
            extra = {"score": "9", "kind": "nps"}
        if kind == "invoice":
            extra = {"paid_on": None, "paid_amount": None}
        if kind == "ticket":
            extra = {"status": "open", "resolved": None}
        if kind == "milestone":
            extra = {"done": None}
        add_id(kind, "A", make(kind, "A", extra))
    # A hidden milestone of A's project.
    rp("add", "milestone", "project=%s" % ids[("project", "A")], "name=LEAKhiddenmilestone",
       "due=2026-12-20", "visible=false")
    markers.append("LEAKhiddenmilestone")
    for v in markers:
        print(v)
    for v in shown:
        print("SHOWN " + v)


main()
