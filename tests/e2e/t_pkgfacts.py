"""End-to-end tests of the package facts: apt lists compressed as gzip, lz4
and xz (made here at run time) read by `packages_upgradable`, and an rpm
SQLite database (written here with sqlite3 and hand-made header blobs)
read by `packages`, through `baseline facts` and `baseline assess`."""
import gzip
import json
import lzma
import os
import shutil
import sqlite3
import struct
import subprocess
import tempfile

from e2elib import run, eq, test

STATUS = """Package: openssh-server
Status: install ok installed
Architecture: amd64
Version: 1:9.2p1-2+deb12u2

Package: sudo
Status: install ok installed
Architecture: amd64
Version: 1.9.13p3-1+deb12u1

Package: bash
Status: install ok installed
Architecture: amd64
Version: 5.2.15-2+b2
"""

SECURITY = ("Package: openssh-server\nVersion: 1:9.2p1-2+deb12u3\nArchitecture: amd64\n\n"
            "Package: sudo\nVersion: 1.9.13p3-1+deb12u1\nArchitecture: amd64\n")
# padded so that the list spans several 64 KiB chunks once decompressed
MAIN = "".join(f"Package: filler-{i}\nVersion: 1.{i}\nArchitecture: amd64\n"
               f"Description: {'x' * 100}\n\n" for i in range(3000))
MAIN += "Package: bash\nVersion: 5.2.15-2+b3\nArchitecture: amd64\n"


def write(root, rel, data, mode="w"):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, mode) as f:
        f.write(data)


def facts(root, path):
    rc, out, err = run("facts", path, "--root", root)
    eq(rc, 0, err)
    return json.loads(out)


def apt_root(d, main_suffix):
    write(d, "var/lib/dpkg/status", STATUS)
    lists = "var/lib/apt/lists/"
    write(d, lists + "deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64"
          "_Packages.gz", gzip.compress(SECURITY.encode()), "wb")
    name = lists + "deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages"
    if main_suffix == "xz":
        write(d, name + ".xz", lzma.compress(MAIN.encode()), "wb")
    elif main_suffix == "lz4":
        p = subprocess.run(["lz4", "-q", "-c"], input=MAIN.encode(), capture_output=True)
        assert p.returncode == 0, p.stderr
        write(d, name + ".lz4", p.stdout, "wb")
    write(d, lists + "deb.debian.org_debian_dists_bookworm_InRelease", "signed\n")


@test
def pkgfacts_compressed_lists():
    suffixes = ["xz"] + (["lz4"] if shutil.which("lz4") else [])
    for suffix in suffixes:
        with tempfile.TemporaryDirectory() as d:
            apt_root(d, suffix)
            v = facts(d, "packages_upgradable")
            eq(v["count"], 2, suffix)
            eq(v["security_count"], 1, suffix)
            eq(v["packages"], [
                {"name": "openssh-server", "arch": "amd64", "installed": "1:9.2p1-2+deb12u2",
                 "candidate": "1:9.2p1-2+deb12u3", "security": True},
                {"name": "bash", "arch": "amd64", "installed": "5.2.15-2+b2",
                 "candidate": "5.2.15-2+b3", "security": False}], suffix)
            eq(v["skipped_lists"], [], suffix)
            # the update controls of the shipped baseline now have an answer
            rc, out, err = run("assess", "--host", "--root", d, "-f", "json", "--all")
            assert rc in (0, 1), err
            got = {r["control"]: r["status"] for r in json.loads(out)["results"]}
            eq((got["LNX-UPD-01"], got["LNX-UPD-02"]), ("fail", "fail"), suffix)


@test
def pkgfacts_corrupt_list_is_an_error():
    with tempfile.TemporaryDirectory() as d:
        apt_root(d, "none")
        data = gzip.compress(SECURITY.encode())
        write(d, "var/lib/apt/lists/deb.debian.org_debian-security_dists_bookworm-security_main"
              "_binary-amd64_Packages.gz", data[:len(data) // 2], "wb")
        v = facts(d, "packages_upgradable")
        eq(v, {"$error": "/var/lib/apt/lists/deb.debian.org_debian-security_dists_bookworm-"
               "security_main_binary-amd64_Packages.gz: truncated gzip data"})
        rc, out, err = run("assess", "--host", "--root", d, "-f", "json", "--all")
        got = {r["control"]: r["status"] for r in json.loads(out)["results"]}
        eq(got["LNX-UPD-01"], "error")


def rpm_header(tags):
    """An rpm header blob as rpm's sqlite backend stores it (no magic)."""
    index, data = b"", b""
    for tag, value in tags:
        if isinstance(value, int):
            data += b"\0" * (-len(data) % 4)
            index += struct.pack(">IIII", tag, 4, len(data), 1)
            data += struct.pack(">I", value)
        else:
            index += struct.pack(">IIII", tag, 6, len(data), 1)
            data += value.encode() + b"\0"
    return struct.pack(">II", len(tags), len(data)) + index + data


def rpm_root(d, blobs):
    os.makedirs(os.path.join(d, "usr/lib/sysimage/rpm"))
    os.makedirs(os.path.join(d, "var/lib"))
    # as Fedora 36+ lays it out: /var/lib/rpm is a link into /usr
    os.symlink("../../usr/lib/sysimage/rpm", os.path.join(d, "var/lib/rpm"))
    db = sqlite3.connect(os.path.join(d, "usr/lib/sysimage/rpm/rpmdb.sqlite"))
    db.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, "
               "blob BLOB NOT NULL)")
    db.executemany("INSERT INTO Packages (blob) VALUES (?)", [(b,) for b in blobs])
    db.commit()
    db.close()


@test
def pkgfacts_rpm_sqlite():
    with tempfile.TemporaryDirectory() as d:
        rpm_root(d, [
            rpm_header([(1000, "rpm"), (1001, "4.18.2"), (1002, "1.fc39"), (1022, "x86_64")]),
            rpm_header([(1000, "openssh-server"), (1003, 1), (1001, "9.3p1"),
                        (1002, "9.fc39"), (1022, "x86_64")]),
            rpm_header([(1000, "gpg-pubkey"), (1001, "18b8e74c"), (1002, "62f2920f")]),
        ])
        eq(facts(d, 'packages["openssh-server"]'),
           {"installed": True, "version": "1:9.3p1-9.fc39", "arch": "x86_64"})
        eq(facts(d, 'packages["telnet-server"]'), {"installed": False})
        eq(sorted(facts(d, "packages")), ["gpg-pubkey", "openssh-server", "rpm"])
        # the database was not touched: no journal, WAL or shm file appeared
        eq(sorted(os.listdir(os.path.join(d, "usr/lib/sysimage/rpm"))), ["rpmdb.sqlite"])


@test
def pkgfacts_rpm_malformed_and_berkeley():
    with tempfile.TemporaryDirectory() as d:
        good = rpm_header([(1000, "bash"), (1001, "5.2"), (1002, "1"), (1022, "x86_64")])
        bad = struct.pack(">II", 1, 4) + struct.pack(">IIII", 1000, 6, 0, 1) + b"abcd"
        rpm_root(d, [good, bad])
        eq(facts(d, 'packages["bash"]'),
           {"$error": "/var/lib/rpm/rpmdb.sqlite: package header 2 is malformed "
                      "(string not terminated)"})
    with tempfile.TemporaryDirectory() as d:
        write(d, "var/lib/rpm/Packages", b"\0\x06\x15\x61", "wb")
        eq(facts(d, 'packages["bash"]'), {"$error": "rpm BerkeleyDB databases are not supported"})


@test
def pkgfacts_live_lists():
    lists = "/var/lib/apt/lists"
    if not os.path.isdir(lists) or not os.path.exists("/var/lib/dpkg/status"):
        print("  (skipped pkgfacts_live_lists: not a Debian host)")
        return
    names = os.listdir(lists)
    readable = [n for n in names if n.endswith(("_Packages", "_Packages.lz4", "_Packages.gz",
                                                "_Packages.xz", "_Packages.lzma"))]
    if not readable:
        print("  (skipped pkgfacts_live_lists: no package lists)")
        return
    rc, out, err = run("facts", "packages_upgradable")
    eq(rc, 0, err)
    v = json.loads(out)
    assert "$error" not in v, v
    assert isinstance(v["count"], int) and v["count"] >= v["security_count"] >= 0, v
    eq(v["count"], len(v["packages"]))
