#!/usr/bin/env python3
"""tests/sync_random.py — randomized sync across three replicas and one bare remote.

Hundreds of rounds of random edits, deletes, undeletes, creations and syncs, then every replica
syncs until quiet. Asserts the sync invariants of HACKING.md on the result:
  * all replicas hold byte-identical snapshots and the same records in their databases;
  * every value ever written is either current or kept as a conflict — unless a later write to
    the same field was made by someone who had already seen it (a deliberate overwrite).
Causality is tracked here, outside rapport: a replica has seen its own writes and everything
the remote held when it last synced.

Usage: sync_random.py RAPPORT_BIN WORKDIR [ROUNDS] [SEED]
"""
import json
import os
import random
import subprocess
import sys

BIN, WORK = sys.argv[1], sys.argv[2]
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 200
SEED = int(sys.argv[4]) if len(sys.argv) > 4 else 7
rng = random.Random(SEED)
REPLICAS = ["A", "B", "C"]
FIELDS = ["industry", "region", "website"]
env = dict(os.environ, RAPPORT_QUIET="1")
clock = [0]


def rp(ws, *args, check=True):
    clock[0] += 1  # a moving clock: revs order writes as time does
    e = dict(env, RAPPORT_NOW="2026-11-22T%02d:%02d:%02dZ" % (
        10 + clock[0] // 3600, clock[0] // 60 % 60, clock[0] % 60))
    p = subprocess.run([BIN, "-C", os.path.join(WORK, ws)] + list(args), env=e,
                       capture_output=True, text=True)
    for bad in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
        if bad in p.stderr:
            sys.exit("sanitizer report from rapport %s:\n%s" % (" ".join(args), p.stderr))
    if check and p.returncode != 0:
        sys.exit("rapport -C %s %s: exit %d\n%s" % (ws, " ".join(args), p.returncode, p.stderr))
    return p


def git(*args):
    return subprocess.run(["git"] + list(args), capture_output=True, text=True, check=True).stdout


os.chdir(WORK)
subprocess.run(["git", "init", "-q", "--bare", "-b", "main", "remote.git"], check=True)
rp(".", "init", "A", check=False)
subprocess.run([BIN, "init", os.path.join(WORK, "A")], env=env, capture_output=True)
ids = []
for i in range(4):
    ids.append(rp("A", "add", "customer", "name=Seed%d" % i).stdout.strip())
rp("A", "remote", "add", "origin", os.path.join(WORK, "remote.git"))
rp("A", "sync")
for r in ("B", "C"):
    subprocess.run([BIN, "clone", os.path.join(WORK, "remote.git"), os.path.join(WORK, r)],
                   env=env, capture_output=True, check=True)

writes = []  # (id, replica, record, field, value, seen-before-write)
known = {r: set() for r in REPLICAS}
remote_known = set()
deleted = {}  # what each replica believes, to pick plausible actions
n = 0
for rnd in range(ROUNDS):
    r = rng.choice(REPLICAS)
    act = rng.random()
    if act < 0.22:
        rp(r, "sync")
        known[r] |= remote_known
        remote_known = set(known[r])
        continue
    rec = rng.choice(ids)
    n += 1
    if act < 0.80:
        field, value = rng.choice(FIELDS), "v%d%s" % (n, r)
        p = rp(r, "set", rec, "%s=%s" % (field, value), check=False)
        if p.returncode == 2 and "is deleted" in p.stderr:
            continue
        if p.returncode == 2 and "no record" in p.stderr:
            continue  # created elsewhere, not synced here yet
        if p.returncode != 0:
            sys.exit("set failed: " + p.stderr)
    elif act < 0.88:
        p = rp(r, "rm", rec, check=False)
        if p.returncode != 0:
            continue
        field, value = "deleted", "true"
    elif act < 0.94:
        p = rp(r, "undelete", rec, check=False)
        if p.returncode != 0:
            continue
        field, value = "deleted", "false"
    else:
        new = rp(r, "add", "customer", "name=New%d" % n).stdout.strip()
        ids.append(new)
        field, value, rec = "name", "New%d" % n, new
    wid = len(writes)
    writes.append((wid, r, rec, field, value, set(known[r])))
    known[r].add(wid)

# Quiet down: everyone syncs until nothing moves.
for _ in range(3):
    for r in REPLICAS:
        rp(r, "sync")
        known[r] |= remote_known
        remote_known = set(known[r])

fail = []
trees = {r: subprocess.run(["git", "--git-dir", os.path.join(WORK, r, ".rapport/snapshots.git"),
                            "rev-parse", "main^{tree}"], capture_output=True, text=True).stdout
         for r in REPLICAS}
if len(set(trees.values())) != 1:
    fail.append("snapshots differ: %s" % trees)
dumps = {}
for r in REPLICAS:
    p = subprocess.run(["sqlite3", os.path.join(WORK, r, ".rapport/rapport.db"),
                        "select id, name, industry, region, website, deleted, conflicts "
                        "from customer order by id"], capture_output=True, text=True)
    dumps[r] = p.stdout
if len(set(dumps.values())) != 1:
    fail.append("databases differ")


def record_file(rec):
    path = "customer/%s/%s" % (rec[:2], rec)
    return git("--git-dir", os.path.join(WORK, "remote.git"), "show", "main:" + path)


state = {}
for rec in ids:
    cur, conf = {}, {}
    for line in record_file(rec).split("\n"):
        if not line or line.startswith("  "):
            continue
        name, _, rest = line.partition(" ")
        if name.startswith("!"):
            value = rest[42:] if len(rest) > 41 else None
            conf.setdefault(name[1:], set()).add(value)
        else:
            cur[name] = rest
    state[rec] = (cur, conf)

# Every write not knowingly overwritten survives: current, or kept as a conflict.
lost = 0
for wid, r, rec, field, value, _ in writes:
    superseded = any(w2[2] == rec and w2[3] == field and w2[0] != wid and wid in w2[5]
                     for w2 in writes)
    if superseded:
        continue
    cur, conf = state[rec]
    current = cur.get(field, "false" if field == "deleted" else None)
    kept = conf.get(field, set())
    if value == current or value in kept or (field == "deleted" and value == "false" and None in kept):
        continue
    lost += 1
    if lost <= 5:
        fail.append("write %d (%s set %s.%s=%s) lost: current %r, conflicts %r" %
                    (wid, r, rec[:8], field, value, current, kept))
print("rounds %d, writes %d, records %d, lost %d" % (ROUNDS, len(writes), len(ids), lost))
if fail:
    print("\n".join(fail))
    sys.exit(1)
