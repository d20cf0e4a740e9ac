"""Python peers for benches/extract.rs, on the same generated files.

Usage: extract_py.py DIR. Prints lines "PEER KIND MB MB/S ADS/S" and peak memory. Peers not
installed are skipped with a note.
"""
import json
import pathlib
import resource
import sys
import time

root = pathlib.Path(sys.argv[1])


def files(kind):
    return [p.read_bytes() for p in sorted((root / kind).iterdir())]


def report(peer, kind, data, count, seconds):
    mb = sum(len(d) for d in data) / 1e6
    print(f"{peer:<12} {kind:<7} {mb:7.1f} {mb / seconds:9.2f} {count / seconds:9.0f}")


def timed(fn, data):
    start = time.perf_counter()
    count = sum(fn(d) for d in data)
    return count, time.perf_counter() - start


def jsonld_postings(scripts):
    n = 0
    for s in scripts:
        try:
            v = json.loads(s)
        except ValueError:
            continue
        items = v if isinstance(v, list) else v.get("@graph", [v])
        n += sum(1 for i in items if isinstance(i, dict) and "JobPosting" in str(i.get("@type")))
    return n


FIELDS = {"title": "h1", "description": ".descriptif", "employer": ".employeur", "location": ".lieu", "contract": ".contrat"}

try:
    import feedparser

    for kind in ("rss", "atom"):
        data = files(kind)
        count, secs = timed(lambda d: len(feedparser.parse(d).entries), data)
        report("feedparser", kind, data, count, secs)
except ImportError:
    print("feedparser: not installed")

try:
    from bs4 import BeautifulSoup

    def bs_jsonld(d):
        soup = BeautifulSoup(d, "lxml")
        return jsonld_postings(s.string or "" for s in soup.find_all("script", type="application/ld+json"))

    def bs_fields(d):
        soup = BeautifulSoup(d, "lxml")
        got = {k: soup.select_one(css) for k, css in FIELDS.items()}
        return 1 if got["title"] and got["description"] else 0

    data = files("jsonld")
    report("bs4+lxml", "jsonld", data, *timed(bs_jsonld, data))
    data = files("html")
    report("bs4+lxml", "html", data, *timed(bs_fields, data))
except ImportError:
    print("bs4+lxml: not installed")

try:
    import lxml.html

    def lx_jsonld(d):
        tree = lxml.html.fromstring(d)
        return jsonld_postings(tree.xpath('//script[@type="application/ld+json"]/text()'))

    def lx_fields(d):
        tree = lxml.html.fromstring(d)
        got = {k: tree.cssselect(css) for k, css in FIELDS.items()}
        return 1 if got["title"] and got["description"] else 0

    data = files("jsonld")
    report("lxml", "jsonld", data, *timed(lx_jsonld, data))
    try:
        import cssselect  # noqa: F401

        data = files("html")
        report("lxml", "html", data, *timed(lx_fields, data))
    except ImportError:
        print("lxml html: cssselect not installed")
except ImportError:
    print("lxml: not installed")

try:
    try:
        from selectolax.lexbor import LexborHTMLParser as HTMLParser
    except ImportError:
        from selectolax.parser import HTMLParser

    def sx_jsonld(d):
        tree = HTMLParser(d)
        return jsonld_postings(n.text() for n in tree.css('script[type="application/ld+json"]'))

    def sx_fields(d):
        tree = HTMLParser(d)
        got = {k: tree.css_first(css) for k, css in FIELDS.items()}
        return 1 if got["title"] and got["description"] else 0

    data = files("jsonld")
    report("selectolax", "jsonld", data, *timed(sx_jsonld, data))
    data = files("html")
    report("selectolax", "html", data, *timed(sx_fields, data))
except ImportError:
    print("selectolax: not installed")

print(f"peak RSS (Python process) {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
