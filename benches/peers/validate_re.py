"""Python peer for benches/validate.rs: the same rule patterns with Python's `re`.

Usage: validate_re.py CORPUS RULES_DIR. CORPUS holds one folded ad per line. Prints "MB/s X".
"""
import pathlib
import re
import sys
import time
import tomllib

corpus = pathlib.Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()
patterns = []
for path in sorted(pathlib.Path(sys.argv[2]).glob("*.toml")):
    rules = tomllib.loads(path.read_text(encoding="utf-8"))
    for signal in rules.get("signal", []):
        patterns.extend(re.compile(p, re.ASCII) for p in signal["patterns"])
size = sum(len(line.encode()) for line in corpus) / 1e6
start = time.perf_counter()
hits = 0
for line in corpus:
    for p in patterns:
        for _ in p.finditer(line):
            hits += 1
elapsed = time.perf_counter() - start
print(f"patterns {len(patterns)} ads {len(corpus)} hits {hits}")
print(f"MB/s {size / elapsed:.2f}")
