"""Base-year tariffs at collected duty rates (model 2).

Reads the statutory 2024 tariffs (tariffs_2024_statutory.csv: MFN, FTA
preferences, Section 301/232 at their listed rates) and scales each
importer's rows on each partner so that the trade-weighted average over the
model's 2024 flows equals the duty actually collected (duties / imports).
The sector pattern within a pair is kept. Sources of every target are in
SOURCES.md section 7b and in each row's source column. Run from the
repository root:  python3 scenarios/data/tools/collected.py
"""
import csv, collections

D = "scenarios/data/"
flows = {}
with open(D + "trade_2024.csv", newline="") as fh:
    for r in csv.DictReader(fh):
        flows[(r["exporter"], r["importer"], r["sector"])] = float(r["value_usd_bn"])
with open(D + "tariffs_2024_statutory.csv", newline="") as fh:
    rows = list(csv.DictReader(fh))

def avg(imp, exps):
    n = d = 0.0
    for r in rows:
        if r["importer"] == imp and r["exporter"] in exps:
            v = flows[(r["exporter"], imp, r["sector"])]
            n += v * float(r["rate"]); d += v
    d = sum(v for (e, i, s), v in flows.items() if i == imp and e in exps)
    return n, d

US_TOTAL_DUTIES = 79.0  # NY Fed Liberty Street, 2025-10-06: CY2024 net customs revenue $79 bn
# Collected rates (duties / imports), US on each partner, 2024:
US_PAIR = {
    "CN": (0.11279, "Census calculated duty / customs value, July 2024, 11.279 % (Good Judgment Open / The Economist question); 'roughly 11 %' through Sep 2024 (Trade Partnership Worldwide via WSJ)"),
    "EU": (7.0 / 502.0, "EUR 7 bn of US duties on EU goods in 2023 (European Commission via AFP 2025-03-13) / EU exports to the US EUR 502 bn (2023)"),
    "MX": (0.00244, "Census HS10 duties / imports, 12-month mean 2024 (tradewartracker/how-restrictive-us-trade, Waugh, Minneapolis Fed)"),
    "CA": (0.00104, "Census HS10 duties / imports, 12-month mean 2024 (tradewartracker/how-restrictive-us-trade, Waugh, Minneapolis Fed)"),
}
REST = ["JP", "KR", "VN", "ROW"]
# Other importers' collected rates (all partners):
OTHER = {
    "CN": (280.62 / 17370.0, "China tariff revenue CNY 280.62 bn in 2021 (CRI, 2022-01-24) / imports CNY 17.37 tn (2021; GAC): 1.6 %, the latest tariff-only figure found"),
    "EU": (26.7 / 2435.0, "EU customs duties EUR 20 bn to the EU budget in 2024 after the 25 % retention (world-today-news citing the Commission) = EUR 26.7 bn gross / extra-EU imports about EUR 2.4 tn: 1.1 % (DG TAXUD: 'approximately 1.2 %')"),
    "MX": (0.012, "Mexico general import tax MXN 137.8 bn in 2024 (SHCP via prensadigitalmx) / imports USD 625 bn (INEGI via El Orbe) at about 18.3 MXN/USD: 1.2 %"),
    "CA": (0.0071, "Canada duties on imports CAD 1.40 bn in Q4 2024 (StatCan via Bloomberg/FP; Q1 2025 1.95 bn less the 0.546 bn rise), about USD 4.1 bn a year / imports: 0.7 %"),
}

scale = {}
us_pairs = 0.0
for e, (rate, src) in US_PAIR.items():
    n, d = avg("US", [e])
    scale[("US", e)] = (rate * d / n, src)
    us_pairs += rate * d
n_rest, _ = avg("US", REST)
f_rest = (US_TOTAL_DUTIES - us_pairs) / n_rest
for e in REST:
    scale[("US", e)] = (f_rest, "scaled so that US duties on all partners total USD 79 bn in 2024 (NY Fed Liberty Street 2025-10-06) after the partner rates above; no partner-specific 2024 collected rate found")
for i, (rate, src) in OTHER.items():
    exps = [e for e in ["US", "CN", "EU", "JP", "KR", "MX", "CA", "VN", "ROW"] if e != i]
    n, d = avg(i, exps)
    for e in exps:
        scale[(i, e)] = (rate * d / n, src)

with open(D + "tariffs_2024.csv", "w", newline="") as fh:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(["importer", "exporter", "sector", "rate", "source"])
    for r in rows:
        key = (r["importer"], r["exporter"])
        if key in scale:
            f, src = scale[key]
            rate = round(float(r["rate"]) * f, 5)
            note = "collected duty rate: statutory rate (tariffs_2024_statutory.csv) x %.3f, so the pair's (importer's) trade-weighted average equals duties collected: %s" % (f, src)
        else:
            rate, note = float(r["rate"]), r["source"] + " (statutory: no collected rate found)"
        w.writerow([r["importer"], r["exporter"], r["sector"], rate, note])
for k, (f, _) in sorted(scale.items()):
    print(k, round(f, 3))
