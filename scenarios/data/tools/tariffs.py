import csv, json
E = ["US","CN","EU","JP","KR","MX","CA","VN","ROW"]
S = ["agriculture","energy","metals_minerals","chemicals_pharma","machinery","electronics","vehicles","consumer_goods","rare_earth"]
WTP = "WTO/ITC/UNCTAD World Tariff Profiles 2024, trade-weighted MFN applied by HS product group mapped to sector (approx.)"
MFN = {
 "US":[0.040,0.001,0.015,0.020,0.012,0.010,0.025,0.070,0.020],
 "EU":[0.080,0.001,0.015,0.020,0.015,0.015,0.070,0.060,0.010],
 "CN":[0.070,0.010,0.020,0.050,0.050,0.010,0.120,0.070,0.040],
 "JP":[0.120,0.001,0.010,0.020,0.001,0.001,0.001,0.050,0.020],
 "KR":[0.250,0.030,0.030,0.050,0.050,0.010,0.080,0.090,0.030],
 "MX":[0.100,0.010,0.080,0.040,0.030,0.020,0.150,0.150,0.010],
 "CA":[0.050,0.001,0.010,0.020,0.005,0.005,0.061,0.080,0.001],
 "VN":[0.100,0.020,0.030,0.030,0.020,0.010,0.200,0.120,0.020],
 "ROW":[0.120,0.020,0.040,0.040,0.030,0.020,0.100,0.090,0.020],
}
MFN_NOTE = {
 "MX":"; for non-FTA origins incl. 2023-24 decrees raising ~500 lines (steel, textiles, apparel, footwear) to 25-50%, offset by IMMEX/PROSEC duty-free inputs (est.)",
 "KR":"; Korea's high agricultural MFN (rice, beef, fruit) dominates agriculture",
 "JP":"; Japan: zero MFN on cars, machinery, electronics",
 "ROW":"; ROW = trade-weighted mix of other WTO members (est.)",
 "VN":"; Viet Nam: high MFN on cars",
}
def f(x, note): return ([x]*9 if not isinstance(x, list) else x, note)
PREF = {
 ("US","MX"): f(0.1,"USMCA preferential 0 for qualifying goods; residual for non-qualifying (est. factor 0.1 x MFN)"),
 ("US","CA"): f(0.1,"USMCA preferential 0 for qualifying goods; residual for non-qualifying (est. factor 0.1 x MFN)"),
 ("US","KR"): f(0.1,"KORUS FTA: tariffs eliminated on almost all goods (est. factor 0.1 x MFN)"),
 ("US","JP"): f([0.8,1,1.6,1,1,1,1,1,1],"US MFN; US-Japan Trade Agreement 2020 (minor cuts); metals incl. Sec. 232 steel/alu beyond TRQ (est.)"),
 ("US","EU"): f([1,1,1.6,1,1,1,1,0.8,1],"US MFN; Sec. 232 steel/alu beyond EU TRQ in metals (est.)"),
 ("US","VN"): f([1,1,3.6,1,1,1,1,1.45,1],"US MFN (apparel/footwear heavy in consumer goods) + Sec. 232 steel 25%/aluminium 10% in metals (est.)"),
 ("US","ROW"): f([0.7,0.7,3.0,0.7,0.7,0.7,0.7,0.8,0.7],"US MFN x0.7 for FTA partners (AU, SG, IL, CL, CO, PE, CAFTA-DR...) + Sec. 232 steel/alu in metals (est.)"),
 ("EU","JP"): f([0.3,0.15,0.15,0.15,0.15,0.15,0.36,0.15,0.15],"EU-Japan EPA (2019): most lines 0; car tariff phasing to 0 in 2026 (~2.5% in 2024)"),
 ("EU","KR"): f([0.15,.05,.05,.05,.05,.05,.05,.05,.05],"EU-Korea FTA (2011): industrial tariffs eliminated"),
 ("EU","MX"): f([0.4,.1,.1,.1,.1,.1,.1,.1,.1],"EU-Mexico Global Agreement (2000): industrial 0, agriculture partly"),
 ("EU","CA"): f([0.3,.05,.05,.05,.05,.05,.05,.05,.05],"CETA (provisional 2017): 98% of lines 0"),
 ("EU","VN"): f(0.5,"EVFTA (2020) phasing: about half of MFN still applied in 2024 (est.)"),
 ("EU","US"): f(1.0,"EU MFN (no EU-US FTA; EU retaliation on US steel suspended since 2021)"),
 ("EU","CN"): f(1.0,"EU MFN"),
 ("EU","ROW"): f(0.5,"EU MFN x0.5: FTAs/customs union/GSP (UK TCA, CH, NO EEA, TR CU, GSP) (est.)"),
 ("CN","EU"): f(1.0,"China MFN"), ("CN","CA"): f(1.0,"China MFN"), ("CN","MX"): f(1.0,"China MFN"),
 ("CN","JP"): f(0.85,"RCEP (2022) phasing: ~85% of MFN still applied (est.)"),
 ("CN","KR"): f(0.55,"China-Korea FTA (2015) phasing (est. factor 0.55)"),
 ("CN","VN"): f(0.1,"ASEAN-China FTA: near-zero (est. factor 0.1)"),
 ("CN","ROW"): f(0.6,"China MFN x0.6: ACFTA, China-Australia/NZ/Chile/Peru FTAs, zero-MFN ores (est.)"),
 ("JP","US"): f([0.8,1,1,1,1,1,1,1,1],"Japan MFN; US-Japan Trade Agreement 2020 ag cuts (beef, pork) (est.)"),
 ("JP","EU"): f(0.35,"EU-Japan EPA (2019) phasing (est. factor 0.35)"),
 ("JP","KR"): f(0.9,"RCEP (first JP-KR FTA, 2022) phasing (est.)"),
 ("JP","CN"): f(0.9,"RCEP (2022) phasing (est.)"),
 ("JP","VN"): f(0.1,"AJCEP/VJEPA/CPTPP: near-zero (est.)"),
 ("JP","MX"): f(0.2,"Japan-Mexico EPA / CPTPP (est.)"), ("JP","CA"): f(0.3,"CPTPP (2018) phasing (est.)"),
 ("JP","ROW"): f(0.5,"Japan MFN x0.5: EPAs with ASEAN, Australia, CPTPP (est.)"),
 ("KR","US"): f([0.25,.1,.1,.1,.1,.1,.1,.1,.1],"KORUS FTA: industrial 0, agriculture still phasing (beef) (est.)"),
 ("KR","EU"): f([0.3,.1,.1,.1,.1,.1,.1,.1,.1],"EU-Korea FTA (2011) (est.)"),
 ("KR","CN"): f(0.6,"China-Korea FTA (2015) phasing (est.)"), ("KR","JP"): f(0.95,"RCEP (2022) phasing (est.)"),
 ("KR","VN"): f(0.2,"Korea-Vietnam FTA / AKFTA (est.)"), ("KR","CA"): f([0.3,.1,.1,.1,.1,.1,.1,.1,.1],"Korea-Canada FTA (2015) (est.)"),
 ("KR","MX"): f(1.0,"Korea MFN (no FTA)"), ("KR","ROW"): f(0.6,"Korea MFN x0.6: FTAs with ASEAN, Australia, Chile, India CEPA... (est.)"),
 ("MX","US"): f(0.05,"USMCA (est. residual 0.05 x MFN)"), ("MX","CA"): f(0.05,"USMCA (est. residual 0.05 x MFN)"),
 ("MX","EU"): f([0.4,.1,.1,.1,.1,.1,.1,.1,.1],"EU-Mexico Global Agreement (est.)"), ("MX","JP"): f(0.15,"Japan-Mexico EPA / CPTPP (est.)"),
 ("MX","VN"): f(0.3,"CPTPP (Mexico-Vietnam) phasing (est.)"), ("MX","CN"): f(1.0,"Mexico MFN (no FTA)"), ("MX","KR"): f(1.0,"Mexico MFN (no FTA)"),
 ("MX","ROW"): f(0.5,"Mexico MFN x0.5: FTAs with Latin America, EFTA, Israel, CPTPP (est.)"),
 ("CA","US"): f(0.05,"CUSMA (est. residual 0.05 x MFN)"), ("CA","MX"): f(0.05,"CUSMA (est. residual 0.05 x MFN)"),
 ("CA","EU"): f([0.4,.1,.1,.1,.1,.1,.1,.1,.1],"CETA (provisional 2017) (est.)"), ("CA","JP"): f(0.2,"CPTPP (2018): car tariff eliminated (est.)"),
 ("CA","KR"): f(0.05,"Canada-Korea FTA (2015) (est.)"), ("CA","VN"): f(0.25,"CPTPP phasing (est.)"),
 ("CA","CN"): f(1.0,"Canada MFN (no FTA)"),
 ("CA","ROW"): f(0.6,"Canada MFN x0.6: FTAs (UK, EFTA, CPTPP, Chile, Peru...) (est.)"),
 ("VN","CN"): f(0.1,"ASEAN-China FTA (est.)"), ("VN","KR"): f(0.15,"Korea-Vietnam FTA / AKFTA (est.)"),
 ("VN","JP"): f(0.15,"VJEPA/AJCEP/CPTPP (est.)"), ("VN","EU"): f(0.5,"EVFTA (2020) phasing (est.)"),
 ("VN","MX"): f(0.3,"CPTPP phasing (est.)"), ("VN","CA"): f(0.3,"CPTPP phasing (est.)"), ("VN","US"): f(1.0,"Viet Nam MFN"),
 ("VN","ROW"): f(0.4,"ATIGA (ASEAN) 0, AANZFTA, AIFTA (est.)"),
 ("ROW","US"): f(1.0,"ROW MFN mix"), ("ROW","CN"): f(0.85,"ROW MFN x0.85: ACFTA etc. (est.)"), ("ROW","EU"): f(0.6,"ROW MFN x0.6: EU FTAs (est.)"),
 ("ROW","JP"): f(0.8,"ROW MFN x0.8: Japan EPAs (est.)"), ("ROW","KR"): f(0.75,"ROW MFN x0.75: Korea FTAs (est.)"),
 ("ROW","VN"): f(0.5,"ROW MFN x0.5: ATIGA, RCEP, CPTPP (est.)"), ("ROW","MX"): f(0.8,"ROW MFN x0.8 (est.)"), ("ROW","CA"): f(0.8,"ROW MFN x0.8 (est.)"),
}
# Whole-rate overrides (MFN + trade-war 1.0 measures), trade-weighted by sector
US_ON_CN = [0.16,0.20,0.35,0.23,0.255,0.125,0.30,0.195,0.03]
US_ON_CN_SRC = ("US MFN + Section 301 Lists 1-4A (25%/7.5%; phones, laptops, toys largely exempt) + Sec. 232 steel/alu + Sept-2024 Sec. 301 increases (EVs 100%); "
                "sector rates est., calibrated so the 2024-trade-weighted average is ~19.3% (Bown/PIIE 'US-China Trade War Tariffs: An Up-to-Date Chart': 19.3% from Feb 2020, 20.8% on 20 Jan 2025)")
CN_ON_US = [0.25,0.20,0.22,0.25,0.15,0.22,0.15,0.25,0.25]
CN_ON_US_SRC = ("China MFN + retaliatory tariffs still in force (2018-19 lists, halved Feb 2020; autos suspended; aircraft not covered; purchase waivers not modelled); "
                "sector rates est., calibrated so the trade-weighted average is ~21% (Bown/PIIE chart: 20.3-21.1% in 2020; ~21.2% on 20 Jan 2025)")
EXTRA = {  # additive measures in force at the start of 2025
 ("EU","CN","vehicles"): (0.03, "EU countervailing duties on Chinese BEVs (provisional Jul 2024, definitive 30 Oct 2024, 7.8-35.3%), trade-weighted (est.)"),
 ("CA","CN","vehicles"): (0.25, "Canada 100% surtax on Chinese EVs from 1 Oct 2024 (Order in Council), trade-weighted by EV share (est.)"),
 ("CA","CN","metals_minerals"): (0.12, "Canada 25% surtax on Chinese steel and aluminium from 22 Oct 2024, trade-weighted (est.)"),
}
V = json.load(open("/tmp/tsdata/V.json"))
rows = []; R = {}
for i in E:
    for e in E:
        if e == i: continue
        for k, s in enumerate(S):
            if (i,e) == ("US","CN"):
                r, src = US_ON_CN[k], US_ON_CN_SRC
            elif (i,e) == ("CN","US"):
                r, src = CN_ON_US[k], CN_ON_US_SRC
            else:
                fac, note = PREF[(i,e)]
                r = MFN[i][k]*fac[k]
                src = f"{WTP}{MFN_NOTE.get(i,'')}; {note}"
            if (i,e,s) in EXTRA:
                add, n2 = EXTRA[(i,e,s)]; r += add; src += "; plus " + n2
            r = round(r, 4)
            R[(i,e,s)] = r
            if r > 0:
                rows.append((i,e,s,r,src))
with open("/work/main/scenarios/data/tariffs_2024.csv","w",newline="") as fh:
    w = csv.writer(fh, lineterminator="\n"); w.writerow(["importer","exporter","sector","rate","source"]); w.writerows(rows)
print(len(rows), "rows")
def tw(i, e=None):
    num = den = 0
    for ee in E:
        if ee == i or (e and ee != e): continue
        for s in S:
            v = V[f"{ee}|{i}|{s}"]; num += v*R[(i,ee,s)]; den += v
    return num/den
print("US on CN %.3f  CN on US %.3f" % (tw("US","CN"), tw("CN","US")))
for i in E: print(i, "overall TW applied %.3f" % tw(i), " excl. CN/US war:", end=" ")
print()
for i in E:
    print(i, {e: round(tw(i,e),3) for e in E if e!=i})
