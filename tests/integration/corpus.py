"""corpus.py - where the corpus, its unpacked dumps and goldens are.

Shared by the integration tests. Standard library only. A test that needs
the corpus exits with SKIP (77) and a message when it is absent."""
import lzma
import os
import sys

SKIP = 77
MACHINES = ("dev-small", "dev-1k", "dev-la57", "dev-vmcore")


def corpus_dir(source_dir):
    env = os.environ.get("MEMSCRY_CORPUS")
    d = env if env else os.path.join(source_dir, "..", "shared", "corpus")
    return os.path.abspath(d)


def require_corpus(source_dir):
    d = corpus_dir(source_dir)
    if not os.path.isdir(d):
        print(f"SKIP: corpus not found at {d} (set MEMSCRY_CORPUS)")
        sys.exit(SKIP)
    return d


def machine_of(dumpfile):
    return dumpfile.split(".", 1)[0]


def dump_path(corpus, data_dir, dumpfile):
    """.kdump-flat files are read in place; the rest come from unpack."""
    if dumpfile.endswith(".kdump-flat"):
        return os.path.join(corpus, machine_of(dumpfile), dumpfile)
    return os.path.join(data_dir, dumpfile)


def golden_dir(corpus, dumpfile):
    """golden/<dump> is a directory, or (where symlinks were flattened on
    copy) a file or link naming the directory that applies."""
    g = os.path.join(corpus, "golden", dumpfile)
    if os.path.isdir(g):
        return g
    if os.path.isfile(g):
        with open(g) as f:
            return os.path.join(corpus, "golden", f.read().strip())
    return None


def golden_bytes(gdir, name):
    for p in (os.path.join(gdir, name + ".json"), os.path.join(gdir, name + ".json.xz")):
        if os.path.exists(p):
            opener = lzma.open if p.endswith(".xz") else open
            with opener(p, "rb") as f:
                return f.read()
    return None


def project_golden_dir(source_dir, dumpfile):
    """Volatility's outputs the project keeps itself (tests/data/vol/<machine>/,
    made by running Volatility 3 2.11.0 on one format of the machine: its
    output does not depend on the format, as the corpus's own golden links
    show). None when the machine has none."""
    d = os.path.join(source_dir, "tests", "data", "vol", machine_of(dumpfile))
    return d if os.path.isdir(d) else None


def plugin_args(golden_name):
    """'linux.pslist.PsList--threads' -> ['linux.pslist.PsList', '--threads'];
    'linux.lsof.Lsof--pid=1--pid=146' -> [..., '--pid=1', '--pid=146']."""
    plugin, *opts = golden_name.split("--")
    return [plugin] + ["--" + o for o in opts]
