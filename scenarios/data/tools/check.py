import csv, math, tomllib, collections
E = ["US","CN","EU","JP","KR","MX","CA","VN","ROW"]
S = ["agriculture","energy","metals_minerals","chemicals_pharma","machinery","electronics","vehicles","consumer_goods","rare_earth"]
d = "/work/main/scenarios/data/"
with open(d+"trade_2024.csv", newline="") as fh:
    r = csv.reader(fh); hdr = next(r); rows = list(r)
assert hdr == ["exporter","importer","sector","value_usd_bn","source"], hdr
assert len(rows) == 729, len(rows)
seen = set(); tot = collections.defaultdict(float)
for row in rows:
    assert len(row) == 5, row
    e,i,s,v,src = row
    assert e in E and i in E and s in S, row
    assert (e,i,s) not in seen, row; seen.add((e,i,s))
    v = float(v); assert math.isfinite(v) and v >= 0, row
    assert src.strip(), row
    tot[(e,i)] += v
assert len(seen) == 729
assert abs(tot[("CN","US")] - 438.9) <= 1, tot[("CN","US")]
assert abs(tot[("US","CN")] - 143.5) <= 1, tot[("US","CN")]
us_imp = sum(tot[(e,"US")] for e in E if e != "US")
assert abs(us_imp - 3295) <= 5, us_imp
ag = [float(r[3]) for r in rows if r[:3] == ["US","CN","agriculture"]][0]
assert 12.6 < ag, ag
zeros = sum(1 for r in rows if float(r[3]) == 0)
print(f"trade ok: 729 rows, CN->US {tot[('CN','US')]:.1f}, US->CN {tot[('US','CN')]:.1f}, US imports {us_imp:.1f}, US ag->CN {ag}, zero rows {zeros}")
with open(d+"tariffs_2024.csv", newline="") as fh:
    r = csv.reader(fh); hdr = next(r); trows = list(r)
assert hdr == ["importer","exporter","sector","rate","source"], hdr
tseen = set()
for row in trows:
    assert len(row) == 5, row
    i,e,s,rt,src = row
    assert i in E and e in E and s in S and i != e, row
    assert (i,e,s) not in tseen; tseen.add((i,e,s))
    rt = float(rt); assert math.isfinite(rt) and 0 <= rt < 1.5, row
    assert src.strip(), row
print(f"tariffs ok: {len(trows)} rows (of 648 possible)")
w = tomllib.load(open("/work/main/scenarios/world_2024.toml","rb"))
assert set(w["economies"]) == set(E) and set(w["sectors"]) == set(S)
assert set(w["licensing"]["importers"]) == set(E) - {"CN"}
assert "regime" not in w["licensing"]
print("toml ok:", w["scenario"]["name"], w["scenario"]["runs"], w["scenario"]["seed"])
