#!/usr/bin/env python3
"""tests/sync_random.py — randomized sync across three replicas, a plain-git clone and one bare remote.

Rounds of random work, then every replica syncs until quiet, then the sync invariants of
HACKING.md are checked on the result. The work, chosen at random each round:
  * `add`, `set`, `rm` and `undelete` on records of every kind the user edits, with values of
    every field type, including the date pairs and amounts that whole-record rules span (due
    not before start, paid no more than the amount), so merges must repair what they combine;
  * custom fields added mid-run, the same name on several replicas with the same type or with
    different types, and values that fit only one of the types;
  * hand edits through plain git in a clone of the remote (commits dated with GIT_AUTHOR_DATE
    and GIT_COMMITTER_DATE): valid values, values that do not validate, and revs from the far
    future;
  * clock skew: one replica's clock runs hours, days or years ahead for a while, then comes back.
Asserted at the end:
  * all replicas hold the same snapshot tree, and the same rows for every record none of them
    holds; they hold the same records, each with its reason;
  * every value ever written is in the remote's tree, current or kept as a conflict (a held
    record keeps the team's bytes there), unless a later write to the same field was made by
    someone who had already seen it (a deliberate overwrite). Causality is tracked here,
    outside rapport: a writer has seen its own writes and everything the remote held when it
    last synced (or, for the plain-git clone, pulled);
  * no replica's clock ran away: each hlc is within sync.max_skew (24 h) of that replica's own
    time, whatever revs arrived, and no rev but a hand-planted one is beyond every clock.

Usage: sync_random.py RAPPORT_BIN WORKDIR [ROUNDS] [SEED]
Prints one summary line; with RAPPORT_RANDOM_VERBOSE=1 also what was refused and why.
"""
import calendar
import collections
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import time

BIN, WORK = sys.argv[1], sys.argv[2]
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 200
SEED = int(sys.argv[4]) if len(sys.argv) > 4 else 7
VERBOSE = os.environ.get("RAPPORT_RANDOM_VERBOSE") == "1"
rng = random.Random(SEED)
REPLICAS = ["A", "B", "C"]
WRITERS = REPLICAS + ["G"]  # G: a plain git clone of the remote, edited by hand
BASE = calendar.timegm((2026, 11, 22, 10, 0, 0))
SKEW_MAX_MS = 24 * 3600 * 1000
env = dict(os.environ, RAPPORT_QUIET="1")
clock = [0]
offset = {r: 0 for r in REPLICAS}  # seconds this replica's clock runs ahead
last_ms = {r: 0 for r in REPLICAS}
refused = collections.Counter()
started = time.time()


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def run(argv, e, what):
    p = subprocess.run(argv, env=e, capture_output=True, text=True)
    for bad in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
        if bad in p.stderr:
            sys.exit("seed %d: sanitizer report from %s:\n%s" % (SEED, what, p.stderr))
    return p


def rp(ws, *args, check=True):
    """Runs rapport in replica ws at its clock. With check=False, exit 2 (bad input: refused,
    nothing changed) is returned to the caller; any other failure ends the test."""
    clock[0] += 1  # a moving clock: revs order writes as time does
    now = BASE + clock[0] + offset.get(ws, 0)
    last_ms[ws] = max(last_ms.get(ws, 0), now * 1000)
    what = "rapport -C %s %s" % (ws, " ".join(args))
    p = run([BIN, "-C", os.path.join(WORK, ws)] + list(args), dict(env, RAPPORT_NOW=iso(now)), what)
    LOG.write("%s %s -> %d %s\n" % (iso(now), what, p.returncode, (p.stdout + p.stderr).strip()[:300]))
    if p.returncode == 0 or (not check and p.returncode == 2 and p.stderr.startswith("rapport:")):
        return p
    sys.exit("seed %d: %s: exit %d\n%s" % (SEED, what, p.returncode, p.stderr))


def git(*args, cwd=None, date=None):
    e = dict(os.environ)
    if date is not None:
        e["GIT_AUTHOR_DATE"] = e["GIT_COMMITTER_DATE"] = "@%d +0000" % date
    p = subprocess.run(["git"] + list(args), cwd=cwd, env=e, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("seed %d: git %s: %s" % (SEED, " ".join(args), p.stderr))
    return p.stdout


def day(lo=0, hi=360):
    return time.strftime("%Y-%m-%d", time.gmtime(calendar.timegm((2026, 1, 1, 0, 0, 0)) +
                                                   rng.randint(lo, hi) * 86400))


def text(n, r):
    return "v%d%s" % (n, r)


def number(lo, hi):
    return lambda n, r: str(rng.randint(lo, hi))


def choice(*vals):
    return lambda n, r: rng.choice(vals)


DATE = lambda n, r: day()  # noqa: E731
EMAIL = lambda n, r: "p%d%s@example.com" % (n, r.lower())  # noqa: E731

# What the random work edits, by kind: the fields (with a value maker) and what `add` needs,
# as (field, kind it refers to, or a value maker).
KINDS = {
    "customer": ({"industry": text, "region": text, "website": text, "note": text,
                  "stage": choice("lead", "prospect", "active", "loyal", "at_risk"),
                  "size": choice("small", "medium", "large")}, []),
    "member": ({"name": text, "role": choice("pm", "finance", "member")},
               [("name", text), ("email", EMAIL)]),
    "contact": ({"title": text, "phone": text, "email": EMAIL,
                 "role": choice("sponsor", "champion", "user")},
                [("customer", "customer"), ("name", text)]),
    "interaction": ({"summary": text, "kind": choice("call", "email", "visit")},
                    [("customer", "customer"), ("kind", choice("call", "meeting")),
                     ("summary", text)]),
    "project": ({"name": text, "status": choice("planned", "active", "paused"),
                 "start": DATE, "due": DATE, "budget": number(1000, 90000)},
                [("customer", "customer"), ("name", text)]),
    "milestone": ({"name": text, "due": DATE, "done": DATE, "deliverable": text},
                  [("project", "project"), ("name", text), ("due", DATE)]),
    "task": ({"name": text, "status": choice("todo", "doing", "review", "done"),
              "start": DATE, "due": DATE, "progress": number(0, 100)},
             [("project", "project"), ("name", text)]),
    "time": ({"hours": number(1, 8), "note": text},
             [("project", "project"), ("member", "member"), ("hours", number(1, 8))]),
    "expense": ({"amount": number(10, 900), "category": text},
                [("project", "project"), ("amount", number(10, 900))]),
    "contract": ({"title": text, "value": number(1000, 90000), "start": DATE, "end": DATE,
                  "status": choice("draft", "active", "expired")},
                 [("customer", "customer"), ("title", text), ("value", number(1000, 90000))]),
    "quote": ({"amount": number(100, 9000), "status": choice("draft", "sent", "accepted")},
              [("customer", "customer"), ("amount", number(100, 9000))]),
    "invoice": ({"amount": number(100, 9000), "issued": DATE, "due": DATE, "number": text},
                [("customer", "customer"), ("amount", number(5000, 9000)),
                 ("issued", lambda n, r: day(0, 100)), ("due", lambda n, r: day(200, 360))]),
    # Receipts add up whoever records them: the invoice's paid amount is their sum everywhere.
    "receipt": ({"amount": number(1, 50), "date": DATE, "method": choice("bank", "cash")},
                [("invoice", "invoice"), ("amount", number(1, 50))]),
    "ticket": ({"title": text, "severity": choice("low", "high", "critical"),
                "status": choice("open", "pending", "resolved")},
               [("customer", "customer"), ("title", text)]),
    "survey": ({"score": number(1, 5), "comment": text},
               [("customer", "customer"), ("kind", choice("nps", "csat")),
                ("score", number(1, 5))]),
    "requirement": ({"title": text, "urgency": choice("low", "high"),
                     "status": choice("new", "accepted", "in_progress")},
                    [("customer", "customer"), ("title", text)]),
    "comment": ({"body": text}, [("on", "*"), ("body", text)]),
    "change": ({"title": text, "scope": text, "description": text},
               [("project", "project"), ("title", text)]),
    "opportunity": ({"name": text, "amount": number(1000, 90000), "probability": number(0, 100),
                     "stage": choice("qualify", "propose", "negotiate", "won", "lost"),
                     "expected_close": DATE},
                    [("customer", "customer"), ("name", text)]),
}
# Custom fields added mid-run: a name may be added on several replicas, with one of its types.
CUSTOM = {("customer", "prio"): [("text",), ("choice", "hi,lo")],
          ("task", "effort"): [("number",), ("number",)],
          ("project", "phase"): [("choice", "hi,lo"), ("choice", "hi,lo")]}
CUSTOM_VALUES = {"prio": lambda n, r: rng.choice(["hi", "lo", "urgent %d" % n]),
                 "effort": number(1, 40), "phase": choice("hi", "lo")}

os.chdir(WORK)
LOG = open(os.path.join(WORK, "actions.log"), "w")  # every command and its answer, to read a failure
git("init", "-q", "--bare", "-b", "main", "remote.git")
run([BIN, "init", os.path.join(WORK, "A")], env, "init")
recs = collections.defaultdict(list)  # kind -> ids
kind_of = {}
have = {r: set() for r in WRITERS}  # record ids each writer knows of
remote_have = set()


order = []  # every record id in creation order: choices by position keep a seed reproducible


def created(r, kind, rec):
    order.append(rec)
    recs[kind].append(rec)
    kind_of[rec] = kind
    have[r].add(rec)


for i in range(3):
    created("A", "customer", rp("A", "add", "customer", "name=Seed%d" % i).stdout.strip())
m = rp("A", "add", "member", "name=Seed Member", "email=seed@example.com").stdout.strip()
created("A", "member", m)
p = rp("A", "add", "project", "customer=" + recs["customer"][0], "name=Seed project",
       "start=2026-03-01", "due=2026-09-01").stdout.strip()
created("A", "project", p)
# A process every project follows, with nothing to approve, so replicas advance projects at
# once: the same transitions must come out of it, and every replica must derive the same phase.
with open(os.path.join(WORK, "rt.process"), "w") as f:
    f.write("process rt\nkind project\ndefault true\nstage a\nstage b\nstage c\nstage d\n")
rp("A", "process", "load", os.path.join(WORK, "rt.process"))
rp("A", "set", "erp-implementation", "default=false")
rp("A", "remote", "add", "origin", os.path.join(WORK, "remote.git"))
rp("A", "sync")
remote_have |= have["A"]
for r in ("B", "C"):
    p = run([BIN, "clone", os.path.join(WORK, "remote.git"), os.path.join(WORK, r)], env, "clone")
    if p.returncode:
        sys.exit("clone %s: %s" % (r, p.stderr))
    have[r] |= remote_have
git("clone", "-q", os.path.join(WORK, "remote.git"), "G")
git("config", "user.name", "Hand Editor", cwd="G")
git("config", "user.email", "hand@example.com", cwd="G")

writes = []  # (id, writer, record, field, value, writes seen before this one)
known = {r: set() for r in WRITERS}
base = {r: frozenset() for r in WRITERS}  # what each writer had seen when it last synced
remote_known = set()
planted_revs = set()
custom_ids = {}


def write(r, rec, field, value):
    wid = len(writes)
    writes.append((wid, r, rec, field, value, frozenset(known[r]), base[r]))
    LOG.write("  write %d: %s %s.%s=%s\n" % (wid, r, rec, field, value))
    known[r].add(wid)


def sync(r):
    global remote_known, remote_have
    rp(r, "sync")
    known[r] |= remote_known
    remote_known = set(known[r])
    base[r] = frozenset(known[r])
    have[r] |= remote_have
    remote_have = set(have[r])


def refusal(what, p):
    refused[what + ": " + re.sub(r"[0-9a-f]{32}|'[^']*'", "…", p.stderr.strip())[:90]] += 1


def add(r, n):
    kind = rng.choice(list(KINDS))
    args, vals = [], {}
    for field, src in KINDS[kind][1]:
        if callable(src):
            vals[field] = src(n, r)
        else:
            pool = [x for x in order if x in have[r] and (src == "*" or kind_of[x] == src)]
            if not pool:
                return
            vals[field] = rng.choice(pool)
        args.append("%s=%s" % (field, vals[field]))
    p = rp(r, "add", kind, *args, check=False)
    if p.returncode:
        return refusal("add " + kind, p)
    rec = p.stdout.strip()
    created(r, kind, rec)
    for field, value in vals.items():
        write(r, rec, field, value)


def edit(r, n):
    rec = rng.choice([x for x in order if x in have[r]])
    kind = kind_of[rec]
    fields = dict(KINDS[kind][0])
    for (k, name) in CUSTOM:
        if k == kind:
            fields[name] = CUSTOM_VALUES[name]
    field = rng.choice(sorted(fields))
    value = fields[field](n, r)
    if local_value(r, kind, rec, field) == value:
        return  # a no-op changes nothing, so nobody can lose it
    p = rp(r, "set", rec, "%s=%s" % (field, value), check=False)
    if p.returncode:
        return refusal("set %s.%s" % (kind, field if field in KINDS[kind][0] else "custom"), p)
    write(r, rec, field, value)


def local_value(r, kind, rec, field):
    db = sqlite3.connect("file:%s?mode=ro" % os.path.join(WORK, r, ".rapport/rapport.db"), uri=True)
    try:
        row = db.execute('select "%s" from %s where id = ?' % (field, kind), (rec,)).fetchone()
    except sqlite3.OperationalError:
        row = None  # a custom field this replica does not have yet
    db.close()
    v = row[0] if row else None
    return str(int(v)) if isinstance(v, float) and v == int(v) else (None if v is None else str(v))


def remove(r, undo):
    rec = rng.choice([x for x in order if x in have[r]])
    p = rp(r, "undelete" if undo else "rm", rec, check=False)
    if p.returncode:
        return refusal("undelete" if undo else "rm", p)
    write(r, rec, "deleted", "false" if undo else "true")


def advance(r):
    """Moves a project on through its process, or back to its first stage: no field the oracle
    tracks changes, but transitions are written, and the phase every replica derives from
    them is compared at the end."""
    pool = [x for x in order if x in have[r] and kind_of[x] == "project"]
    if not pool:
        return
    args = ["advance", rng.choice(pool)]
    if rng.random() < 0.2:
        args += ["--to", "a"]
    p = rp(r, *args, check=False)
    if p.returncode:
        refusal("advance", p)


def field_add(r):
    (kind, name), types = rng.choice(sorted(CUSTOM.items()))
    spec = rng.choice(types)
    p = rp(r, "field", "add", kind, name, *spec, check=False)
    if p.returncode:
        return refusal("field add", p)
    fid = p.stdout.strip().split()[0]
    if custom_ids.setdefault((kind, name), fid) != fid:
        sys.exit("seed %d: field %s.%s got two ids: %s and %s" % (SEED, kind, name, fid,
                                                                 custom_ids[(kind, name)]))
    kind_of[fid] = "field"
    write(r, fid, "type", spec[0])


def rev_ahead():
    planted = "%04d-%02d-%02dT10:00:00.000Z-%016x" % (rng.choice([2031, 2099]), rng.randint(1, 12),
                                                      rng.randint(1, 28), rng.getrandbits(64))
    planted_revs.add(planted)
    return planted


def hand_edit(n):
    """A teammate edits a record file in a plain git clone and pushes it: a valid value, a value
    that does not validate, or a change whose rev claims the far future."""
    global remote_known, remote_have
    git("fetch", "-q", "origin", cwd="G")
    git("reset", "-q", "--hard", "origin/main", cwd="G")
    known["G"] |= remote_known
    base["G"] = frozenset(known["G"])
    have["G"] |= remote_have
    pool = [x for x in order if x in have["G"] and kind_of[x] in ("customer", "project")]
    rec = rng.choice(pool)
    kind = kind_of[rec]
    path = os.path.join(WORK, "G", kind, rec[:2], rec)
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    how = rng.random()
    field = "name" if how < 0.4 else ("stage" if kind == "customer" else "status")
    value = ("g%d" % n if field == "name" else
             rng.choice(["active", "loyal"] if kind == "customer" else ["active", "paused"]))
    if 0.4 <= how < 0.65:
        value = "sideways%d" % n  # does not validate: held by every replica, never lost
    if not any(line.startswith(field + " ") for line in lines):
        return
    if "%s %s" % (field, value) in lines:
        return  # nothing to commit
    lines = [("%s %s" % (field, value)) if line.startswith(field + " ") else line for line in lines]
    if how >= 0.85:
        lines = [("rev " + rev_ahead()) if line.startswith("rev ") else line for line in lines]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    clock[0] += 1
    git("commit", "-q", "-am", "hand edit %d" % n, cwd="G", date=BASE + clock[0])
    git("push", "-q", "origin", "HEAD:main", cwd="G")
    LOG.write("%s G hand edit %s %s=%s%s\n" % (iso(BASE + clock[0]), rec, field, value,
                                             " (rev planted)" if how >= 0.85 else ""))
    write("G", rec, field, value)
    remote_known = set(known["G"])


def skew():
    offset["C"] = rng.choice([0, 0, 5 * 3600, 3 * 86400, 5 * 365 * 86400])


n = 0
for rnd in range(ROUNDS):
    r = rng.choice(REPLICAS)
    act = rng.random()
    n += 1
    if act < 0.20:
        sync(r)
    elif act < 0.58:
        edit(r, n)
    elif act < 0.62:
        advance(r)
    elif act < 0.67:
        remove(r, False)
    elif act < 0.74:
        remove(r, True)
    elif act < 0.86:
        add(r, n)
    elif act < 0.89:
        field_add(r)
    elif act < 0.97:
        hand_edit(n)
    else:
        skew()

# Quiet down: clocks back to true, everyone syncs until nothing moves.
offset["C"] = 0
for _ in range(3):
    for r in REPLICAS:
        sync(r)

fail = []


def tree(r):
    return git("--git-dir", os.path.join(WORK, r, ".rapport/snapshots.git"), "rev-parse", "main^{tree}")


trees = {r: tree(r) for r in REPLICAS}
trees["remote"] = git("--git-dir", "remote.git", "rev-parse", "main^{tree}")
if len(set(trees.values())) != 1:
    fail.append("snapshot trees differ: %s" % trees)

held = {}
for r in REPLICAS:
    out = json.loads(rp(r, "--json", "conflicts").stdout or "[]")
    held[r] = {c["id"]: c["held"].get("reason", "") for c in out if c.get("held")}
    for rec, why in held[r].items():
        if not why:
            fail.append("%s holds %s without a reason" % (r, rec[:8]))
if len({frozenset(h) for h in held.values()}) != 1:
    fail.append("replicas hold different records: %s" % {r: sorted(h) for r, h in held.items()})
skip = set().union(*held.values())


def rows(r):
    db = sqlite3.connect("file:%s?mode=ro" % os.path.join(WORK, r, ".rapport/rapport.db"), uri=True)
    out = []
    for kind in sorted(set(KINDS) | {"field", "transition"}):
        cols = sorted(c for (c,) in db.execute("select name from pragma_table_info(?)", (kind,))
                      if c not in ("updated", "created"))
        out.append((kind, tuple(cols)))
        sel = ", ".join('"%s"' % c for c in cols)
        out.extend(row for row in db.execute("select %s from %s order by id" % (sel, kind))
                   if row[cols.index("id")] not in skip)
    db.close()
    return out


dumps = {r: rows(r) for r in REPLICAS}
for r in ("B", "C"):
    if dumps[r] != dumps["A"]:
        diff = [x for x in set(dumps[r]) ^ set(dumps["A"])][:4]
        fail.append("databases of A and %s differ: %s" % (r, diff))

# The remote's tree, every file: current values and the values kept as conflicts.
listing = git("--git-dir", "remote.git", "ls-tree", "-r", "--name-only", "main").split()
paths = [x for x in listing if x.count("/") == 2]
# Bytes: git's sizes count bytes, and record files hold UTF-8 (the default processes' labels).
batch = subprocess.run(["git", "--git-dir", "remote.git", "cat-file", "--batch"],
                       input="".join("main:%s\n" % x for x in paths).encode(),
                       capture_output=True).stdout
state, revs, pos = {}, [], 0
for path in paths:
    header_end = batch.index(b"\n", pos)
    size = int(batch[pos:header_end].split()[2])
    body = batch[header_end + 1:header_end + 1 + size].decode("utf-8")
    pos = header_end + 1 + size + 1
    cur, conf = {}, collections.defaultdict(set)
    for line in body.split("\n"):
        if not line or line.startswith("  "):
            continue
        name, _, rest = line.partition(" ")
        if name.startswith("!"):
            conf[name[1:]].add(rest[42:] if len(rest) > 41 else None)
        else:
            cur[name] = rest
        if name == "rev":
            revs.append(rest)
    state[path.split("/")[2]] = (cur, conf)

# Every write not knowingly overwritten survives: current, or kept as a conflict.
lost = 0
later = collections.defaultdict(list)
for w in writes:
    later[(w[2], w[3])].append(w)


def believed(seen_ids, same, default=None):
    """The values a writer who had seen seen_ids took as the field's latest: the seen writes
    that no other seen write had seen."""
    seen = [w for w in same if w[0] in seen_ids]
    latest = {w[4] for w in seen if not any(w[0] in x[5] for x in seen)}
    return latest or {default}


def superseded(w, same):
    # A later write by someone who had seen w, or who saw w's value as the latest: a three-way
    # merge cannot tell two equal values apart, and neither can the person who overwrote it.
    # w2 may even be older than w in time, when neither saw the other.
    return any(w2[0] != w[0] and w2[0] not in w[5] and
               (w[0] in w2[5] or w[4] in believed(w2[5], same)) for w2 in same)


def undone(w, same):
    """A write that put the field back to what its writer last synced, and was its writer's last
    write to the field before syncing again: the replica's copy is unchanged since, so the
    write is no change to merge (rm then undelete before a sync, as git sees it too)."""
    return (w[4] in believed(w[6], same, "false" if w[3] == "deleted" else None) and
            not any(x[0] > w[0] and x[1] == w[1] and w[0] in x[5] for x in same))


for wid, r, rec, field, value, _, _ in writes:
    if superseded(writes[wid], later[(rec, field)]) or undone(writes[wid], later[(rec, field)]):
        continue
    if rec not in state:
        lost += 1
        fail.append("write %d (%s %s.%s=%s): the record is not in the remote tree" %
                    (wid, r, rec[:8], field, value))
        continue
    cur, conf = state[rec]
    current = cur.get(field, "false" if field == "deleted" else None)
    kept = conf.get(field, set())
    if value == current or value in kept or (field == "deleted" and value == "false" and None in kept):
        continue
    lost += 1
    if lost <= 5:
        fail.append("write %d (%s %s %s.%s=%s) lost: current %r, conflicts %r%s" %
                    (wid, r, kind_of.get(rec, "?"), rec[:8], field, value, current, sorted(kept, key=str),
                     " (held: %s)" % held["A"][rec] if rec in held["A"] else ""))

# Clocks: no replica adopted a rev from beyond its own time plus the allowed skew.
for r in REPLICAS:
    db = sqlite3.connect("file:%s?mode=ro" % os.path.join(WORK, r, ".rapport/rapport.db"), uri=True)
    hlc = int(db.execute("select value from meta where key='hlc'").fetchone()[0])
    db.close()
    if hlc > last_ms[r] + SKEW_MAX_MS + 60000:
        fail.append("%s's clock ran away: hlc %d is %d s past its own time" %
                    (r, hlc, (hlc - last_ms[r]) // 1000))
latest = iso(max(last_ms.values()) // 1000 + SKEW_MAX_MS // 1000 + 60)
for rev in revs:
    if rev not in planted_revs and rev[:20] > latest[:19]:
        fail.append("rev %s is past every clock (%s) and was not planted by hand" % (rev, latest))
        break

kinds_written = len({kind_of.get(w[2]) for w in writes})
print("seed %d: rounds %d, writes %d (%d by hand), records %d of %d kinds, held %d, refused %d, "
      "lost %d, %.0f s" % (SEED, ROUNDS, len(writes), sum(1 for w in writes if w[1] == "G"),
                           len(state), kinds_written, len(skip), sum(refused.values()), lost,
                           time.time() - started))
if VERBOSE:
    for what, count in refused.most_common():
        print("  refused %4d× %s" % (count, what))
if fail:
    print("\n".join(fail[:12]))
    sys.exit(1)
