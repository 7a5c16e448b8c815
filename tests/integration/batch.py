#!/usr/bin/env python3
"""batch.py MEMSCRY SOURCE_DIR DATA_DIR

memscry batch over every corpus dump (every format of every Linux machine,
the Windows samples) plus broken files (truncated kdump and LiME, empty, a
directory, a FIFO, unreadable, a path that vanished after it was listed):

- jsonl: exactly the bytes made from single `memscry -r json` runs of the
  same plugins (each row of the single run's tree, in order, with its
  depth), one error record per broken file whose message is the single
  run's error line, an error record per plugin of the other OS; exit 3;
  -j 1 -r json gives the same objects;
- --sqlite: the real sqlite3 shell answers a join (processes per dump)
  with the single runs' counts and truth.json's, the errors table holds
  the same errors, a dump's rows equal its single run's;
- --shard I/N for N in 1..5: the shards are disjoint, each holds exactly
  the dumps whose position modulo N is I, and together they are the whole
  output; shards' databases merged with scripts/batch-merge.sh equal the
  whole run's database."""
import json
import lzma
import os
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

memscry, source, data = sys.argv[1:4]
root = corpus.require_corpus(source)
if shutil.which("sqlite3") is None:
    print("FAIL: the sqlite3 shell is missing (scripts/deps.sh --dev installs it)")
    sys.exit(1)
symdirs = ["-s", os.path.join(root, "symbols"), "-s", os.path.join(root, "..", "isf")]
PLUGINS = ["linux.pslist.PsList", "windows.pslist.PsList"]
failures = []

names = ["dev-small.raw", "dev-small.lime", "dev-small.elf", "dev-small.kdump",
         "dev-small.kdump-flat", "dev-1k.raw", "dev-1k.lime", "dev-1k.elf", "dev-1k.kdump",
         "dev-1k.kdump-flat", "dev-612.raw", "dev-612.lime", "dev-612.elf", "dev-la57.raw",
         "dev-la57.lime", "dev-la57.elf", "dev-vmcore.vmcore"]
good = [corpus.dump_path(root, data, n) for n in names]
windows = ["win10-22h2-19045.raw", "win11-21h2-22000.bitmap.dmp", "win7sp1-7601.full.dmp",
           "win81-9600.raw"]
good += [os.path.join(data, "windows", w) for w in windows]
for w in windows:  # unpacked as winsamples.py does, when it has not run yet
    dst = os.path.join(data, "windows", w)
    src = os.path.join(root, "windows-samples", w + ".xz")
    if not os.path.exists(dst) and os.path.exists(src):
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        fd, part = tempfile.mkstemp(dir=os.path.dirname(dst))
        with os.fdopen(fd, "wb") as out, lzma.open(src) as f:
            shutil.copyfileobj(f, out, 1 << 20)
        os.replace(part, dst)
for g in good:
    if not os.path.exists(g):
        print(f"SKIP: {g} not unpacked")
        sys.exit(corpus.SKIP)

tmp = tempfile.mkdtemp(prefix="memscry-batch-")
small_kdump = corpus.dump_path(root, data, "dev-small.kdump")
small_lime = corpus.dump_path(root, data, "dev-small.lime")


def prefix_copy(src, dst, n):
    with open(src, "rb") as f, open(dst, "wb") as g:
        g.write(f.read(n) if n is not None else f.read())
    return dst


broken = {  # path -> True when root can still read it (then it is good)
    prefix_copy(small_kdump, os.path.join(tmp, "truncated.kdump"), 3000): False,
    prefix_copy(small_lime, os.path.join(tmp, "truncated.lime"), 100000): False,
    prefix_copy(small_kdump, os.path.join(tmp, "empty.raw"), 0): False,
    os.path.join(tmp, "a-directory"): False,
    prefix_copy(small_kdump, os.path.join(tmp, "unreadable.kdump"), None): os.geteuid() == 0,
    os.path.join(tmp, "vanished.raw"): False,
    os.path.join(tmp, "a-fifo"): False,
}
os.mkfifo(os.path.join(tmp, "a-fifo"))
os.mkdir(os.path.join(tmp, "a-directory"))
os.chmod(os.path.join(tmp, "unreadable.kdump"), 0)
prefix_copy(small_kdump, os.path.join(tmp, "vanished.raw"), 4096)
# Interleaved, so broken files sit between good ones on every thread.
dumps = []
for i, g in enumerate(good):
    dumps.append(g)
    if i < len(broken):
        dumps.append(list(broken)[i])
listing = os.path.join(tmp, "dumps.txt")
with open(listing, "w") as f:
    f.write("".join(d + "\n" for d in dumps) + "\n")  # an empty line is skipped
os.unlink(os.path.join(tmp, "vanished.raw"))  # listed, then gone


def single(dump, plugin):
    res = subprocess.run([memscry, "-q", *symdirs, "-f", dump, "-r", "json", plugin],
                         capture_output=True)
    return res.returncode, res.stdout, res.stderr.decode("utf-8", "replace")


def flat(rows, depth=0):
    for r in rows:
        kids = r.pop("__children", [])
        yield depth, r
        yield from flat(kids, depth + 1)


def error_line(dump, message):
    """The single CLI's stderr line for an error the library reported."""
    named = message.startswith(dump) and message[len(dump):len(dump) + 1] in (":", " ")
    return "memscry: " + (message if named else f"{dump}: {message}")


def err_record(dump, plugin, status, message):
    return json.dumps({"dump": dump, "message": message, "plugin": plugin, "status": status})


def batch(*args, stdin=None):
    res = subprocess.run([memscry, "batch", "-q", *symdirs, *args], capture_output=True,
                         input=stdin)
    return res.returncode, res.stdout, res.stderr.decode("utf-8", "replace")


# ---------------------------------------------------------------- singles
singles = {}   # (dump, plugin) -> rows [(depth, row)] or None
messages = {}  # (dump, plugin) -> the single run's stderr line when it failed
for d in dumps:
    for p in PLUGINS:
        rc, out, err = single(d, p)
        if rc in (0, 3):
            singles[(d, p)] = list(flat(json.loads(out)))
        else:
            singles[(d, p)] = None
            messages[(d, p)] = err.splitlines()[0] if err else ""

# ------------------------------------------------------------ jsonl, exact
rc, out, err = batch("-j", "2", "--from", listing, "linux.pslist", ",", "windows.pslist")
if rc != 3:
    failures.append(f"batch exit {rc}, want 3 (errors among the records); stderr {err[:500]}")
lines = out.decode().splitlines(keepends=True)
want = []
errors_seen = {}  # dump -> [(plugin, status, message)]
pos = 0
for d in dumps:
    open_fails = d in broken and not broken[d]
    if open_fails:
        # One record for the file, whatever the plugins: take its message
        # from the batch and require the single run's error line.
        line = lines[pos] if pos < len(lines) else ""
        rec = json.loads(line) if line.startswith("{") else {}
        msg = rec.get("message", "")
        if error_line(d, msg) != messages.get((d, PLUGINS[0])):
            failures.append(f"{d}: batch says {error_line(d, msg)!r}, single run "
                            f"{messages.get((d, PLUGINS[0]))!r}")
        if rec.get("plugin", "x") is not None:
            failures.append(f"{d}: the open error names plugin {rec.get('plugin')!r}")
        want.append(err_record(d, None, rec.get("status", "?"), msg) + "\n")
        errors_seen.setdefault(d, []).append((None, rec.get("status"), msg))
        pos += 1
        continue
    for p in PLUGINS:
        rows = singles[(d, p)]
        if rows is None:
            line = lines[pos] if pos < len(lines) else ""
            rec = json.loads(line) if line.startswith("{") else {}
            msg = rec.get("message", "")
            if error_line(d, msg) != messages[(d, p)]:
                failures.append(f"{d} {p}: batch says {error_line(d, msg)!r}, single run "
                                f"{messages[(d, p)]!r}")
            want.append(err_record(d, p, rec.get("status", "?"), msg) + "\n")
            errors_seen.setdefault(d, []).append((p, rec.get("status"), msg))
            pos += 1
            continue
        for depth, row in rows:
            want.append(json.dumps({"depth": depth, "dump": d, "plugin": p}, ensure_ascii=True)[:-1]
                        + ", \"row\": " + json.dumps(row, sort_keys=True) + "}\n")
            pos += 1
wanted = "".join(want).encode()
if out != wanted:
    i = next((k for k in range(min(len(out), len(wanted))) if out[k] != wanted[k]),
             min(len(out), len(wanted)))
    failures.append(f"jsonl differs from single runs at byte {i}: got {out[max(0, i - 200):i + 200]!r}"
                    f" want {wanted[max(0, i - 200):i + 200]!r}")
# Exactly one record for each broken file, and the other OS's refusals.
for d, ok in broken.items():
    n = len([e for e in errors_seen.get(d, []) if e[0] is None])
    if n != (0 if ok else 1):
        failures.append(f"{d}: {n} error records, want {0 if ok else 1}")
for frag, d in (("kdump sub-header (104 bytes for header_version 6) does not fit the file",
                 "truncated.kdump"), ("past the end of the file (100000 bytes)", "truncated.lime"),
                ("unknown dump format (the file is empty)", "empty.raw"),
                ("not a regular file or block device (a directory)", "a-directory"),
                ("No such file or directory", "vanished.raw"),
                ("not a regular file or block device (a FIFO)", "a-fifo")):
    path = os.path.join(tmp, d)
    if not any(frag in m for _, _, m in errors_seen.get(path, [])):
        failures.append(f"{d}: no error record saying {frag!r}: {errors_seen.get(path)}")
if os.geteuid() != 0 and not any("Permission denied" in m for _, _, m in
                                 errors_seen.get(os.path.join(tmp, "unreadable.kdump"), [])):
    failures.append("unreadable.kdump: no 'Permission denied' record")
linux_rows = sum(len(singles[(d, PLUGINS[0])] or []) for d in dumps)
if linux_rows < 3000 or sum(len(singles[(d, PLUGINS[1])] or []) for d in dumps) < 20:
    failures.append("too few rows: the comparison would prove little")

# -j 1, -r json, the list on stdin: the same objects in the same order.
rc1, out1, _ = batch("-j", "1", "-r", "json", "--from", "-", "linux.pslist", ",", "windows.pslist",
                     stdin=open(listing, "rb").read())
if rc1 != 3 or json.loads(out1) != [json.loads(x) for x in lines]:
    failures.append(f"-j 1 -r json differs from -j 2 jsonl (exit {rc1})")

# ----------------------------------------------------------------- SQLite
db = os.path.join(tmp, "all.db")
rc, out, err = batch("-j", "2", "--sqlite", db, "--from", listing, "linux.pslist", ",",
                     "windows.pslist")
if rc != 3 or out:
    failures.append(f"--sqlite: exit {rc}, stdout {out[:100]!r}")


def sql(dbfile, query):
    res = subprocess.run(["sqlite3", "-batch", "-separator", "|", dbfile, query],
                         capture_output=True, text=True)
    if res.returncode != 0:
        failures.append(f"sqlite3 {query!r}: {res.stderr}")
    return res.stdout.splitlines()


counts = sql(db, "SELECT d.path, (SELECT count(*) FROM linux_pslist p WHERE p.dump_id = d.id), "
                 "(SELECT count(*) FROM windows_pslist w WHERE w.dump_id = d.id) "
                 "FROM dumps d ORDER BY d.id")
want_counts = [f"{d}|{len(singles[(d, PLUGINS[0])] or [])}|{len(singles[(d, PLUGINS[1])] or [])}"
               for d in dumps]
if counts != want_counts:
    failures.append(f"processes per dump: {counts} want {want_counts}")
# The join on a machine's dumps, against the guest's own truth.
for machine in ("dev-small", "dev-1k", "dev-la57", "dev-vmcore"):
    with open(os.path.join(root, machine, "truth.json"), encoding="utf-8") as f:
        n = json.load(f)["counts"]["processes"]
    got = sql(db, "SELECT d.path, count(p.PID) FROM dumps d JOIN linux_pslist p ON p.dump_id = d.id "
                  f"WHERE d.path LIKE '%/{machine}.%' GROUP BY d.id ORDER BY d.id")
    if not got or any(not r.endswith(f"|{n}") for r in got):
        failures.append(f"{machine}: processes per dump {got}, truth.json {n}")
errs = sql(db, "SELECT d.path, ifnull(e.plugin, ''), e.status, e.message FROM errors e "
               "JOIN dumps d ON d.id = e.dump_id WHERE e.level = 'error' ORDER BY e.rowid")
want_errs = [f"{d}|{p or ''}|{s}|{m}" for d in dumps for p, s, m in errors_seen.get(d, [])]
if errs != want_errs:
    failures.append(f"errors table: {errs[:6]} want {want_errs[:6]}")
rows = sql(db, "SELECT p.\"TreeDepth\", p.PID, p.PPID, p.COMM, p.\"OFFSET (V)\" FROM linux_pslist p "
               f"JOIN dumps d ON d.id = p.dump_id WHERE d.path = '{small_kdump}' ORDER BY p.row_index")
want_rows = [f"{dep}|{r['PID']}|{r['PPID']}|{r['COMM']}|{r['OFFSET (V)'] - (1 << 64) if r['OFFSET (V)'] >= 1 << 63 else r['OFFSET (V)']}"
             for dep, r in singles[(small_kdump, PLUGINS[0])]]
if rows != want_rows:
    failures.append(f"linux_pslist rows of dev-small.kdump: {rows[:3]} want {want_rows[:3]}")
meta = sql(db, f"SELECT format, os, hash FROM dumps WHERE path = '{small_kdump}'")
same_hash = sql(db, "SELECT count(DISTINCT hash) FROM dumps WHERE path LIKE '%dev-small.kdump' "
                    "OR path LIKE '%unreadable.kdump'")
if meta != [meta[0]] or not meta[0].startswith("kdump|linux|xxh3:") or len(meta[0]) != 33:
    failures.append(f"dumps row of dev-small.kdump: {meta}")
if os.geteuid() == 0 and same_hash != ["1"]:
    failures.append(f"a byte-identical copy has another hash: {same_hash}")

# ----------------------------------------------------------------- shards
whole_lines = list(lines)
for n in range(1, 6):
    seen = {}
    union = []
    for i in range(n):
        rc, out, err = batch("-j", "2", "--shard", f"{i}/{n}", "--from", listing, "linux.pslist",
                             ",", "windows.pslist")
        got = out.decode().splitlines(keepends=True)
        union += got
        mine = {json.loads(x)["dump"] for x in got}
        want_mine = {d for k, d in enumerate(dumps) if k % n == i}
        if mine != want_mine:
            failures.append(f"shard {i}/{n}: dumps {sorted(mine)[:3]}... want positions = {i} mod {n}")
        for d in mine:
            if d in seen:
                failures.append(f"shards {seen[d]} and {i} of {n} both hold {d}")
            seen[d] = i
        if rc not in (0, 3):
            failures.append(f"shard {i}/{n}: exit {rc}: {err[:300]}")
    if sorted(union) != sorted(whole_lines):
        failures.append(f"the {n} shards together are not the whole ({len(union)} vs "
                        f"{len(whole_lines)} lines)")
# SQLite shards merged with the documented recipe equal the whole run's.
parts = []
for i in range(3):
    parts.append(os.path.join(tmp, f"shard-{i}.db"))
    batch("-j", "2", "--shard", f"{i}/3", "--sqlite", parts[-1], "--from", listing,
          "linux.pslist", ",", "windows.pslist")
merged = os.path.join(tmp, "merged.db")
res = subprocess.run(["bash", os.path.join(source, "scripts", "batch-merge.sh"), merged, *parts],
                     capture_output=True, text=True)
if res.returncode != 0:
    failures.append(f"batch-merge.sh: {res.stderr}")
for table, order in (("dumps", "id"), ("errors", "dump_id, plugin, message"),
                     ("linux_pslist", "dump_id, row_index"), ("windows_pslist", "dump_id, row_index")):
    a = sql(db, f"SELECT * FROM {table} ORDER BY {order}")
    b = sql(merged, f"SELECT * FROM {table} ORDER BY {order}")
    if a != b or not a:
        failures.append(f"merged shards' {table} differs from the whole run's ({len(b)} vs {len(a)} rows)")

# ------------------------------------------------------------- csv, usage
csv_dumps = [small_kdump, corpus.dump_path(root, data, "dev-1k.lime")]
rc, out, err = batch("-j", "2", "-r", "csv", "linux.pstree", "--", *csv_dumps, os.path.join(tmp, "empty.raw"))
want_csv = None
for d in csv_dumps:
    res = subprocess.run([memscry, "-q", *symdirs, "-f", d, "-r", "csv", "linux.pstree"], capture_output=True)
    body = res.stdout.decode().split("\n")
    if want_csv is None:
        want_csv = "Dump," + body[0] + "\n"
    field = f'"{d}"' if any(c in d for c in ',"\n') else d
    want_csv += "".join(f"{field},{line}\n" for line in body[1:] if line)
if rc != 3 or out.decode() != want_csv or "empty.raw: unknown dump format (the file is empty)" not in err:
    failures.append(f"-r csv: exit {rc}, {len(out)} bytes vs {len(want_csv)} expected; stderr {err[:300]}")
for args, why in ((["-r", "csv", "linux.pslist", ",", "linux.psaux"], "csv with two plugins"),
                  (["linux.nope"], "an unknown plugin"), (["linux.pslist", "--nope"], "a bad option"),
                  (["--shard", "3/3", "linux.pslist"], "--shard 3/3"),
                  (["linux.pslist", ",", ",", "linux.psaux"], "an empty plugin")):
    rc, out, err = batch(*args, "--", small_kdump)
    if rc != 2 or out:
        failures.append(f"{why}: exit {rc} (want 2, usage), stdout {out[:80]!r}")

os.chmod(os.path.join(tmp, "unreadable.kdump"), stat.S_IRUSR | stat.S_IWUSR)
shutil.rmtree(tmp)
if failures:
    for f in failures:
        print("FAIL:", f)
    sys.exit(1)
print(f"OK: {len(dumps)} dumps ({len(broken)} broken), {len(lines)} jsonl records equal to single "
      f"runs, SQLite join and errors equal, shards 1..5 disjoint and complete, merge equal")
