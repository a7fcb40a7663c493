"""Generate trade_2017.csv and tariffs_2017.csv for tariffsim's world_2017
(the base world of the 2018-19 backtest, scenarios/backtest_2018.toml).

Run from anywhere:  python3 scenarios/data/tools/gen_2017.py
Reads only ../trade_2024.csv (the shipped 2024 matrix); writes the two 2017
files next to it and prints checks. Nothing here is fitted to model outcomes.

METHOD (also summarised in docs/validation.md, section "The 2017 world")
1. Flows with the US are re-sourced for 2017 (US Census, the same record
   convention as the 2024 file: general imports by origin, total exports):
   bilateral totals with CN, MX, CA, EU27, JP, KR, VN; ROW is the US world
   total minus the seven named partners.
2. Every other cross-border cell (exporter e != importer i, neither the US)
   is the 2024 cell times a pair factor from a biproportional (RAS) scaling:
   start from sqrt( X2017[e]/X2024[e] * M2017[i]/M2024[i] ), where X and M are
   world exports and imports from national releases, then rescale rows and
   columns until each economy's exports to and imports from the non-US
   partners grow as its published totals net of its trade with the US (ROW:
   world merchandise-trade ratio). Sector splits of those cells are the 2024
   splits (estimates, as in the 2024 file).
3. Sector splits of the US cells are the 2024 splits, except where a 2017
   figure is sourced: US->CN agriculture 19.5 (USDA) and energy 9.0 (USITC);
   US agricultural exports to CA, MX, JP, KR, VN (USITC Trade Shifts 2017,
   table AG.1); and the CN<->US sector structure, re-estimated for 2017
   because the 2024 structure is itself a product of the tariffs (see PAIR17).
4. Domestic supply (exporter == importer) is the 2024 row times the ratio of
   2017 to 2024 nominal GDP in USD (same GDP vintage as world_2017.toml).
5. Tariffs: applied 2017 rates with no trade-war measures: the MFN and
   preference tables of tools/tariffs.py with the changes listed in
   MFN17/PREF17 (agreements that entered into force after 2017 removed,
   China's pre-2018 MFN schedule, no Sec. 232/301, no retaliation, no 2024
   surtaxes). US on CN and CN on US are checked against Bown (PIIE):
   3.1 % and 8.0 % in January 2018.
"""
import csv
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)
E = ["US", "CN", "EU", "JP", "KR", "MX", "CA", "VN", "ROW"]
S = ["agriculture", "energy", "metals_minerals", "chemicals_pharma", "machinery",
     "electronics", "vehicles", "consumer_goods", "rare_earth"]
S8 = S[:8]

V24 = {}
with open(os.path.join(DATA, "trade_2024.csv"), newline="") as fh:
    for r in csv.DictReader(fh):
        V24[(r["exporter"], r["importer"], r["sector"])] = float(r["value_usd_bn"])

# ------------------------------------------------------------------ totals
# World exports X / imports M, USD bn, published releases (2024 values as in
# SOURCES.md section 3; 2017 from the same national releases).
X24 = {"US": 2083.8, "CN": 3577.2, "EU": 2797.0, "JP": 707.0, "KR": 683.8, "MX": 617.1, "CA": 569.0, "VN": 405.5}
M24 = {"US": 3295.0, "CN": 2585.2, "EU": 2637.0, "JP": 744.0, "KR": 632.0, "MX": 625.3, "CA": 575.0, "VN": 380.8}
X17 = {
    "US": 1553.4,   # BEA/Census 2017 goods exports, BOP basis (as the 2024 file's 2083.8)
    "CN": 2263.4,   # GACC 2017 exports in USD (+7.9 % y/y; surplus 422.5, CNBC/DW 2018-01-12)
    "EU": 2259.0,   # Eurostat extra-EU27 (2020 composition) exports 2017 ~EUR 2,000 bn at 1.1297 USD/EUR (approx.)
    "JP": 698.0,    # MOF Japan 2017 exports JPY 78.3 tn at 112.2 JPY/USD
    "KR": 573.7,    # MOTIE 2017 exports
    "MX": 409.5,    # INEGI 2017 exports
    "CA": 420.6,    # Statistics Canada 2017 exports ~CAD 546 bn at 1.2986 CAD/USD (approx.)
    "VN": 214.0,    # GSO Viet Nam 2017 exports (213.8)
}
M17 = {
    "US": 2342.9,   # US Census 2017 general imports (Census basis)
    "CN": 1840.9,   # GACC 2017 imports in USD (exports 2263.4 minus surplus 422.5)
    "EU": 1977.0,   # Eurostat extra-EU27 (2020 composition) imports 2017 ~EUR 1,750 bn (approx.)
    "JP": 672.0,    # MOF Japan 2017 imports JPY 75.4 tn
    "KR": 478.5,    # MOTIE 2017 imports
    "MX": 420.4,    # INEGI 2017 imports
    "CA": 439.2,    # Statistics Canada 2017 imports ~CAD 570 bn (approx.)
    "VN": 211.1,    # GSO Viet Nam 2017 imports
}
WORLD_RATIO = 17730.0 / 24430.0   # WTO world merchandise exports 2017 / 2024 (approx.); used for ROW
RX = {e: X17[e] / X24[e] for e in X17}
RM = {e: M17[e] / M24[e] for e in M17}
RX["ROW"] = RM["ROW"] = WORLD_RATIO

# GDP, USD bn, current data vintage (2024 values as world_2024.toml; 2017 as world_2017.toml)
GDP24 = {"US": 29185, "CN": 18744, "EU": 19423, "JP": 4026, "KR": 1864, "MX": 1853, "CA": 2241, "VN": 476, "ROW": 32188}
GDP17 = {"US": 19612, "CN": 12310, "EU": 14700, "JP": 4930, "KR": 1624, "MX": 1159, "CA": 1649, "VN": 281, "ROW": 25035}

CEN = "US Census 2017 (FT900 annual, Census basis; same record convention as the 2024 file)"
# US bilateral totals 2017, USD bn. Deficits cross-checked with Commerce's 2017
# year-end release (Thompson Hine SmarTrade 2018-02: CN 375.2, EU28 151.4, MX 71.1,
# JP 68.8, KR 22.9, CA 17.6) and Bloomberg (VN 38.3); CN from USITC Trade Shifts 2017.
US_IMP = {"CN": 505.6, "MX": 314.3, "CA": 300.0, "EU": 381.8, "JP": 136.5, "KR": 71.2, "VN": 46.5}
US_EXP = {"CN": 130.4, "MX": 243.3, "CA": 282.3, "EU": 227.2, "JP": 67.7, "KR": 48.3, "VN": 8.2}
US_NOTE = {
    "CN": "USITC Trade Shifts 2017 (China): imports 505.6, exports 130.4, deficit 375.2",
    "EU": "EU28 (imports 434.9, exports 283.5, deficit 151.4) minus UK (53.1, 56.3); EU27 approx.",
    "MX": "deficit 71.1", "CA": "deficit 17.6", "JP": "deficit 68.8", "KR": "deficit 22.9", "VN": "deficit 38.3",
}
US_IMP_TOTAL = 2342.9
US_EXP_TOTAL = 1553.4

# CN<->US sector structure for 2017 (USD bn before normalisation; order as S8).
# CN->US: the 2024 shares reflect six years of tariffs (tariffed goods lost
# share), so the 2017 structure is re-estimated from 2017-18 levels: computers
# and parts ~70 and telecom equipment ~72 (USITC Trade Shifts 2019, China: 75.4
# and 72.1 in 2018) plus other HS 85 ~50 -> electronics ~190; furniture ~32,
# toys/games ~27, apparel ~29, footwear ~14, textiles, leather, paper -> consumer
# ~135; HS 84 excl. computers ~65 plus instruments ~11 -> machinery ~78; plastics,
# chemicals ~34; steel articles, base metals, glass/ceramics ~33; vehicles and
# parts ~16; food and fish ~5.5; energy ~0.7 (estimates, L).
PAIR17 = {
    ("CN", "US"): ([5.5, 0.7, 33.0, 34.0, 78.0, 190.0, 16.0, 135.0],
                   "2017 structure est. (USITC Trade Shifts 2019 China: computers 75.4, telecom 72.1 in 2018; HS-chapter magnitudes approx.)"),
    # US->CN: agriculture 19.5 (USDA; CRS R45929: 'declined 53% to $9 billion from $19 billion'),
    # energy 9.0 (USITC Trade Shifts 2017, China: crude 4.4, natural gas 2.5); machinery incl.
    # aircraft ~16 (Boeing), HS 84 ~11, instruments ~9 -> 36; vehicles ~13 (autos ~10.5);
    # electrical/semis ~14; chemicals/plastics ~15; scrap metals, ores ~8; wood, pulp, paper ~8 (est.)
    ("US", "CN"): ([19.5, 9.0, 8.0, 15.0, 36.0, 14.0, 13.0, 8.0],
                   "agriculture 19.5 USDA calendar 2017 (CRS R45929); energy 9.0 USITC Trade Shifts 2017; other sectors 2017 HS structure est. (aircraft ~16)"),
    # VN->US: the 2024 structure is electronics-heavy because assembly moved to Viet Nam
    # during the trade war. 2017 structure from USITC Trade Shifts 2019 (Viet Nam: 2018
    # electronics 12.2, furniture 5.2, apparel 12.9, agriculture 3.9) stepped back to 2017:
    # electronics ~10, apparel ~12.3 + footwear ~5.2 + furniture ~4.6 + textiles ~2.4 ->
    # consumer ~24.5, agriculture/seafood ~3.6, machinery ~3.5, plastics ~1.2, metals ~1.0,
    # vehicles/parts ~0.6, crude ~0.3 (est.)
    ("VN", "US"): ([3.6, 0.3, 1.0, 1.2, 3.5, 10.0, 0.6, 24.5],
                   "2017 structure est. from USITC Trade Shifts 2019 (Viet Nam; 2018: electronics 12.2, furniture 5.2, apparel 12.9, agriculture 3.9)"),
}
FIXED17 = {("US", "CN", "agriculture"), ("US", "CN", "energy")}
# US agricultural exports 2017 (USITC Trade Shifts 2017, table AG.1, domestic exports)
US_AG17 = {"CA": 22.0, "MX": 18.7, "JP": 12.9, "KR": 7.4, "VN": 2.8}

V = {}
SRC = {}


def put(e, i, s, v, src):
    V[(e, i, s)] = v
    SRC[(e, i, s)] = src


def split(e, i, total, shares, note, fixed=None):
    """Split `total` (incl. the rare-earth cell) over sectors."""
    fixed = dict(fixed or {})
    re_v = V24[(e, i, "rare_earth")] * math.sqrt(RX.get(e, 1.0) * RM.get(i, 1.0))
    put(e, i, "rare_earth", re_v, "2024 rare-earth cell scaled as in step 2 (est.; no role in the backtest)")
    rest = total - re_v - sum(fixed.values())
    free = [s for s in S8 if s not in fixed]
    w = {s: shares[S8.index(s)] for s in free}
    tot = sum(w.values())
    for s in S8:
        if s in fixed:
            put(e, i, s, fixed[s][0] if isinstance(fixed[s], tuple) else fixed[s], note_fixed(e, i, s, note))
        else:
            put(e, i, s, rest * w[s] / tot, note)


def note_fixed(e, i, s, note):
    if (e, i) == ("US", "CN") and s == "agriculture":
        return "USDA calendar 2017 US agricultural exports to China 19.5 (CRS R45929, 2019-09: 2018 down 53% to $9 bn from $19 bn); soybeans ~12.3"
    if (e, i) == ("US", "CN") and s == "energy":
        return "USITC Trade Shifts 2017 (China): US energy-related exports to China $9 bn (crude 4.4, natural gas 2.5)"
    if e == "US" and s == "agriculture":
        return f"USITC Trade Shifts 2017 table AG.1: US agricultural exports to {i} {US_AG17[i]} (domestic exports)"
    return note


# 1. US cells
for p in E:
    if p in ("US", "ROW"):
        continue
    # imports from p
    if (p, "US") in PAIR17:
        sh, n = PAIR17[(p, "US")]
        split(p, "US", US_IMP[p], sh, f"{CEN}: imports from {p} {US_IMP[p]} ({US_NOTE[p]}); split: {n}")
    else:
        sh = [V24[(p, "US", s)] for s in S8]
        split(p, "US", US_IMP[p], sh, f"{CEN}: imports from {p} {US_IMP[p]} ({US_NOTE[p]}); split: 2024 sector shares of this pair (est.)")
    # exports to p
    if p == "CN":
        sh, n = PAIR17[("US", "CN")]
        split("US", p, US_EXP[p], sh, f"{CEN}: exports to China 130.4 ({US_NOTE['CN']}); split: {n}",
              fixed={"agriculture": 19.5, "energy": 9.0})
    else:
        sh = [V24[("US", p, s)] for s in S8]
        fx = {"agriculture": US_AG17[p]} if p in US_AG17 else None
        split("US", p, US_EXP[p], sh, f"{CEN}: exports to {p} {US_EXP[p]} ({US_NOTE[p]}); split: 2024 sector shares of this pair (est.)", fixed=fx)

# ROW<->US residuals
row_imp = US_IMP_TOTAL - sum(US_IMP.values())
row_exp = US_EXP_TOTAL - sum(US_EXP.values())
split("ROW", "US", row_imp, [V24[("ROW", "US", s)] for s in S8],
      f"residual: US 2017 general imports {US_IMP_TOTAL} (Census) minus Census imports from the 7 named partners = {row_imp:.1f}; split: 2024 shares (est.)")
split("US", "ROW", row_exp, [V24[("US", "ROW", s)] for s in S8],
      f"residual: US 2017 goods exports {US_EXP_TOTAL} (BEA/Census, BOP basis) minus Census exports to the 7 named partners = {row_exp:.1f}; split: 2024 shares (est.)")

# 2. other cross-border cells: biproportional (RAS) scaling of the 2024 block.
# Start: v2024 * sqrt(RX[e] * RM[i]); then rescale rows and columns alternately
# so that each economy's exports to / imports from the non-US partners grow as
# its published totals net of trade with the US (2017 vs 2024):
#   row target e = 2024 block row sum * (X17[e] - xUS17[e]) / (X24[e] - xUS24[e])
#   col target i = 2024 block col sum * (M17[i] - mUS17[i]) / (M24[i] - mUS24[i])
# (own-country records of trade with the US where known: China's GACC records
# 429.8/524.7 exports to and 154.0/163.6 imports from the US; otherwise the US
# Census mirror records). ROW rows/columns follow the world ratio. The column
# targets are rescaled to the row-target total so the system is consistent.
XUS = {"CN": (429.8, 524.7), "EU": (381.8, 605.8), "JP": (136.5, 148.2), "KR": (68.6, 127.8),
       "MX": (314.3, 505.9), "CA": (300.0, 412.7), "VN": (41.6, 119.5)}
MUS = {"CN": (154.0, 163.6), "EU": (227.2, 370.2), "JP": (67.7, 79.7), "KR": (48.3, 65.5),
       "MX": (243.3, 334.0), "CA": (282.3, 349.4), "VN": (8.2, 13.1)}
NU = [e for e in E if e != "US"]
blk = {(e, i): sum(V24[(e, i, s)] for s in S) for e in NU for i in NU if e != i}
rt = {}
ct = {}
for e in NU:
    r0 = sum(blk[(e, i)] for i in NU if i != e)
    c0 = sum(blk[(i, e)] for i in NU if i != e)
    if e == "ROW":
        rt[e], ct[e] = r0 * WORLD_RATIO, c0 * WORLD_RATIO
    else:
        rt[e] = r0 * (X17[e] - XUS[e][0]) / (X24[e] - XUS[e][1])
        ct[e] = c0 * (M17[e] - MUS[e][0]) / (M24[e] - MUS[e][1])
k = sum(rt.values()) / sum(ct.values())
ct = {e: v * k for e, v in ct.items()}
fac = {(e, i): math.sqrt(RX[e] * RM[i]) for (e, i) in blk}
for _ in range(200):
    for e in NU:
        cur = sum(blk[(e, i)] * fac[(e, i)] for i in NU if i != e)
        for i in NU:
            if i != e:
                fac[(e, i)] *= rt[e] / cur
    for i in NU:
        cur = sum(blk[(e, i)] * fac[(e, i)] for e in NU if e != i)
        for e in NU:
            if e != i:
                fac[(e, i)] *= ct[i] / cur
for (e, i), fc in fac.items():
    for s in S:
        put(e, i, s, V24[(e, i, s)] * fc,
            f"2024 cell x {fc:.3f}: biproportional (RAS) scaling of the non-US block to 2017 export/import totals net of US trade "
            f"(GACC, Eurostat, MOF, MOTIE, INEGI, StatCan, GSO; WTO world ratio for ROW; approx.; tools/gen_2017.py step 2)")

# 4. domestic rows
for e in E:
    g = GDP17[e] / GDP24[e]
    for s in S:
        put(e, e, s, V24[(e, e, s)] * g,
            f"2024 domestic-supply estimate x nominal GDP ratio 2017/2024 ({GDP17[e]}/{GDP24[e]} = {g:.3f}); see SOURCES.md section 5 for the 2024 method (est.)")

rows = []
for e in E:
    for i in E:
        for s in S:
            v = V[(e, i, s)]
            assert math.isfinite(v) and v >= 0, (e, i, s, v)
            rows.append((e, i, s, round(v, 4) if v < 1 else round(v, 2), SRC[(e, i, s)]))
with open(os.path.join(DATA, "trade_2017.csv"), "w", newline="") as fh:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(["exporter", "importer", "sector", "value_usd_bn", "source"])
    w.writerows(rows)

# ------------------------------------------------------------------ tariffs 2017
WTP = "WTO/ITC/UNCTAD World Tariff Profiles, trade-weighted MFN applied by HS product group mapped to sector (approx.; as tools/tariffs.py)"
MFN17 = {
    "US": [0.040, 0.001, 0.015, 0.020, 0.012, 0.010, 0.025, 0.075, 0.020],
    "EU": [0.080, 0.001, 0.015, 0.020, 0.015, 0.015, 0.070, 0.060, 0.010],
    # China before its 2018 MFN cuts (autos 25 % -> 15 % on 2018-07-01, consumer goods
    # on 2018-07-01, 1,585 lines on 2018-11-01): higher vehicles/consumer/machinery rates
    "CN": [0.090, 0.015, 0.025, 0.065, 0.060, 0.015, 0.230, 0.110, 0.040],
    "JP": [0.120, 0.001, 0.010, 0.020, 0.001, 0.001, 0.001, 0.050, 0.020],
    "KR": [0.250, 0.030, 0.030, 0.050, 0.050, 0.010, 0.080, 0.090, 0.030],
    # Mexico before the 2023-24 decrees that raised ~500 lines for non-FTA origins
    "MX": [0.100, 0.010, 0.050, 0.040, 0.030, 0.020, 0.150, 0.120, 0.010],
    "CA": [0.050, 0.001, 0.010, 0.020, 0.005, 0.005, 0.061, 0.080, 0.001],
    "VN": [0.100, 0.020, 0.030, 0.030, 0.020, 0.010, 0.200, 0.120, 0.020],
    "ROW": [0.120, 0.020, 0.040, 0.040, 0.030, 0.020, 0.100, 0.090, 0.020],
}
MFN_NOTE = {
    "CN": "; China's MFN schedule before the 2018 cuts (cars 25 %, parts 10 %; consumer goods and 1,585 lines cut in Jul/Nov 2018)",
    "MX": "; Mexico before the 2023-24 decrees",
    "US": "; US MFN (apparel/footwear heavy in consumer goods)",
    "KR": "; Korea's high agricultural MFN", "JP": "; Japan: zero MFN on cars, machinery, electronics",
    "ROW": "; ROW = trade-weighted mix of other WTO members (est.)", "VN": "; Viet Nam: high MFN on cars",
}


def f(x, note):
    return ([x] * 9 if not isinstance(x, list) else x, note)


PREF17 = {
    ("US", "MX"): f(0.1, "NAFTA preferential 0 for qualifying goods; residual for non-qualifying (est. factor 0.1 x MFN)"),
    ("US", "CA"): f(0.1, "NAFTA preferential 0 for qualifying goods; residual for non-qualifying (est. factor 0.1 x MFN)"),
    ("US", "KR"): f(0.15, "KORUS FTA (2012) year 6 of phasing (est. factor 0.15 x MFN)"),
    ("US", "JP"): f(1.0, "US MFN (no agreement before 2020; no Sec. 232 in the base year)"),
    ("US", "EU"): f([1, 1, 1, 1, 1, 1, 1, 0.8, 1], "US MFN (no Sec. 232 in the base year)"),
    ("US", "VN"): f([1, 1, 1, 1, 1, 1, 1, 1.45, 1], "US MFN (apparel/footwear heavy in consumer goods)"),
    ("US", "ROW"): f([0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.8, 0.7], "US MFN x0.7 for FTA partners (AU, SG, IL, CL, CO, PE, CAFTA-DR...) (est.)"),
    ("US", "CN"): f(1.0, "US MFN on China before the trade war (Bown/PIIE: 3.1 % trade-weighted in Jan 2018)"),
    ("EU", "JP"): f(1.0, "EU MFN (EU-Japan EPA only from 2019-02-01)"),
    ("EU", "KR"): f([0.15, .05, .05, .05, .05, .05, .05, .05, .05], "EU-Korea FTA (2011): industrial tariffs eliminated"),
    ("EU", "MX"): f([0.4, .1, .1, .1, .1, .1, .1, .1, .1], "EU-Mexico Global Agreement (2000): industrial 0, agriculture partly"),
    ("EU", "CA"): f([0.4, .1, .1, .1, .1, .1, .1, .1, .1], "CETA provisionally applied from 2017-09-21 (est.)"),
    ("EU", "VN"): f(0.7, "EU GSP for Viet Nam (EVFTA only from 2020-08-01) (est. factor 0.7)"),
    ("EU", "US"): f(1.0, "EU MFN (no EU-US FTA)"),
    ("EU", "CN"): f(1.0, "EU MFN"),
    ("EU", "ROW"): f(0.5, "EU MFN x0.5: FTAs/customs union/GSP (CH, NO EEA, TR CU, GSP; UK counted in ROW) (est.)"),
    ("CN", "EU"): f(1.0, "China MFN"), ("CN", "CA"): f(1.0, "China MFN"), ("CN", "MX"): f(1.0, "China MFN"),
    ("CN", "US"): f(1.0, "China MFN on the US before retaliation (Bown/PIIE: 8.0 % trade-weighted in Jan 2018)"),
    ("CN", "JP"): f(1.0, "China MFN (RCEP only from 2022)"),
    ("CN", "KR"): f(0.8, "China-Korea FTA (2015-12) early phasing (est. factor 0.8)"),
    ("CN", "VN"): f(0.1, "ASEAN-China FTA: near-zero (est. factor 0.1)"),
    ("CN", "ROW"): f(0.6, "China MFN x0.6: ACFTA, China-Australia/NZ/Chile/Peru FTAs, zero-MFN ores (est.)"),
    ("JP", "US"): f(1.0, "Japan MFN (US-Japan Trade Agreement only from 2020)"),
    ("JP", "EU"): f(1.0, "Japan MFN (EU-Japan EPA only from 2019-02-01)"),
    ("JP", "KR"): f(1.0, "Japan MFN (no JP-KR FTA before RCEP 2022)"),
    ("JP", "CN"): f(1.0, "Japan MFN (RCEP only from 2022)"),
    ("JP", "VN"): f(0.15, "AJCEP/VJEPA: near-zero (est.)"),
    ("JP", "MX"): f(0.2, "Japan-Mexico EPA (2005) (est.)"), ("JP", "CA"): f(1.0, "Japan MFN (CPTPP only from 2018-12-30)"),
    ("JP", "ROW"): f(0.5, "Japan MFN x0.5: EPAs with ASEAN, Australia, Switzerland, India (est.)"),
    ("KR", "US"): f([0.35, .1, .1, .1, .1, .1, .1, .1, .1], "KORUS FTA: industrial 0, agriculture still phasing (beef) (est.)"),
    ("KR", "EU"): f([0.3, .1, .1, .1, .1, .1, .1, .1, .1], "EU-Korea FTA (2011) (est.)"),
    ("KR", "CN"): f(0.8, "China-Korea FTA (2015-12) early phasing (est.)"), ("KR", "JP"): f(1.0, "Korea MFN (RCEP only from 2022)"),
    ("KR", "VN"): f(0.2, "Korea-Vietnam FTA / AKFTA (est.)"), ("KR", "CA"): f([0.4, .15, .15, .15, .15, .15, .15, .15, .15], "Korea-Canada FTA (2015) phasing (est.)"),
    ("KR", "MX"): f(1.0, "Korea MFN (no FTA)"), ("KR", "ROW"): f(0.6, "Korea MFN x0.6: FTAs with ASEAN, Australia, Chile, India CEPA... (est.)"),
    ("MX", "US"): f(0.05, "NAFTA (est. residual 0.05 x MFN)"), ("MX", "CA"): f(0.05, "NAFTA (est. residual 0.05 x MFN)"),
    ("MX", "EU"): f([0.4, .1, .1, .1, .1, .1, .1, .1, .1], "EU-Mexico Global Agreement (est.)"), ("MX", "JP"): f(0.15, "Japan-Mexico EPA (est.)"),
    ("MX", "VN"): f(1.0, "Mexico MFN (CPTPP only from 2018-12-30)"), ("MX", "CN"): f(1.0, "Mexico MFN (no FTA)"), ("MX", "KR"): f(1.0, "Mexico MFN (no FTA)"),
    ("MX", "ROW"): f(0.5, "Mexico MFN x0.5: FTAs with Latin America, EFTA, Israel (est.)"),
    ("CA", "US"): f(0.05, "NAFTA (est. residual 0.05 x MFN)"), ("CA", "MX"): f(0.05, "NAFTA (est. residual 0.05 x MFN)"),
    ("CA", "EU"): f([0.4, .1, .1, .1, .1, .1, .1, .1, .1], "CETA provisionally applied from 2017-09-21 (est.)"), ("CA", "JP"): f(1.0, "Canada MFN (CPTPP only from 2018-12-30)"),
    ("CA", "KR"): f(0.1, "Canada-Korea FTA (2015) (est.)"), ("CA", "VN"): f(1.0, "Canada MFN/GPT (CPTPP only from 2019-01-14) (est.)"),
    ("CA", "CN"): f(1.0, "Canada MFN (no FTA)"),
    ("CA", "ROW"): f(0.6, "Canada MFN x0.6: FTAs (EFTA, Chile, Peru, Colombia...) (est.)"),
    ("VN", "CN"): f(0.1, "ASEAN-China FTA (est.)"), ("VN", "KR"): f(0.15, "Korea-Vietnam FTA / AKFTA (est.)"),
    ("VN", "JP"): f(0.15, "VJEPA/AJCEP (est.)"), ("VN", "EU"): f(1.0, "Viet Nam MFN (EVFTA only from 2020-08-01)"),
    ("VN", "MX"): f(1.0, "Viet Nam MFN (CPTPP only from 2019-01-14)"), ("VN", "CA"): f(1.0, "Viet Nam MFN (CPTPP only from 2019-01-14)"), ("VN", "US"): f(1.0, "Viet Nam MFN"),
    ("VN", "ROW"): f(0.4, "ATIGA (ASEAN) 0, AANZFTA, AIFTA (est.)"),
    ("ROW", "US"): f(1.0, "ROW MFN mix"), ("ROW", "CN"): f(0.85, "ROW MFN x0.85: ACFTA etc. (est.)"), ("ROW", "EU"): f(0.6, "ROW MFN x0.6: EU FTAs (est.)"),
    ("ROW", "JP"): f(0.8, "ROW MFN x0.8: Japan EPAs (est.)"), ("ROW", "KR"): f(0.75, "ROW MFN x0.75: Korea FTAs (est.)"),
    ("ROW", "VN"): f(0.5, "ROW MFN x0.5: ATIGA, AANZFTA (est.)"), ("ROW", "MX"): f(0.8, "ROW MFN x0.8 (est.)"), ("ROW", "CA"): f(0.8, "ROW MFN x0.8 (est.)"),
}
trows = []
R = {}
for i in E:
    for e in E:
        if e == i:
            continue
        fac, note = PREF17[(i, e)]
        for k, s in enumerate(S):
            r = round(MFN17[i][k] * fac[k], 4)
            R[(i, e, s)] = r
            if r > 0:
                trows.append((i, e, s, r, f"{WTP}{MFN_NOTE.get(i, '')}; {note}; base year 2017, no trade-war measures"))
with open(os.path.join(DATA, "tariffs_2017.csv"), "w", newline="") as fh:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(["importer", "exporter", "sector", "rate", "source"])
    w.writerows(trows)


# ------------------------------------------------------------------ checks
def tot(e, i):
    return sum(V[(e, i, s)] for s in S)


def tw(i, e=None):
    num = den = 0.0
    for ee in E:
        if ee == i or (e and ee != e):
            continue
        for s in S:
            v = V[(ee, i, s)]
            num += v * R[(i, ee, s)]
            den += v
    return num / den


print(f"wrote {len(rows)} trade rows and {len(trows)} tariff rows")
print("CN->US %.1f  US->CN %.1f  US imports %.1f  US exports %.1f" % (
    tot("CN", "US"), tot("US", "CN"), sum(tot(e, "US") for e in E if e != "US"), sum(tot("US", i) for i in E if i != "US")))
for e in E:
    x = sum(tot(e, i) for i in E if i != e)
    m = sum(tot(i, e) for i in E if i != e)
    print(f"{e:4s} exports {x:8.1f} (published 2017 {X17.get(e, float('nan')):7.1f})  imports {m:8.1f} (published {M17.get(e, float('nan')):7.1f})")
print("US on CN %.3f (Bown Jan-2018: 0.031)   CN on US %.3f (Bown: 0.080)" % (tw("US", "CN"), tw("CN", "US")))
print("CN->US by sector", {s: round(V[("CN", "US", s)], 1) for s in S})
print("US->CN by sector", {s: round(V[("US", "CN", s)], 1) for s in S})
for p in ["VN", "MX", "EU", "CA", "JP", "ROW"]:
    print(f"{p}->US metals {V[(p, 'US', 'metals_minerals')]:.1f}  consumer {V[(p, 'US', 'consumer_goods')]:.1f}  electronics {V[(p, 'US', 'electronics')]:.1f}")
