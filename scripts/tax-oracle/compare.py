#!/usr/bin/env python3
"""Differential check of Tally's tax calculators against two independent implementations.

Random (seeded) profiles of a freelancer with W-2 wages go through Tally's set-aside estimate (the ignored Rust test
tax::calc::oracle, run with cargo) and through PyPI `policyengine-us` (2025 and 2026) and `tenforty` (OpenTaxSolver,
2025 only). Compared per profile: self-employment tax, Additional Medicare Tax, the QBI deduction and regular income
tax. Prints agreement rates and the worst disagreements; --emit-sample prints a fixed sample as a Rust table for
src/server/tax/calc/oracle_sample.rs, so `cargo test` keeps checking it without Python.

Run scripts/tax-oracle/setup.sh first; then: target/tax-oracle-venv/bin/python scripts/tax-oracle/compare.py
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATUSES = ["single", "married_joint", "married_separate", "head_of_household", "qualifying_surviving_spouse"]
PE_STATUS = {
    "single": "SINGLE",
    "married_joint": "JOINT",
    "married_separate": "SEPARATE",
    "head_of_household": "HEAD_OF_HOUSEHOLD",
    "qualifying_surviving_spouse": "SURVIVING_SPOUSE",
}
TF_STATUS = {
    "single": "Single",
    "married_joint": "Married/Joint",
    "married_separate": "Married/Sep",
    "head_of_household": "Head_of_House",
    "qualifying_surviving_spouse": "Widow(er)",
}
WAGE_BASE = {2025: 176_100, 2026: 184_500}
# Profit that gives net earnings exactly at the wage base (92.35 % of it, rounded to cents).
PROFIT_AT_BASE = {2025: "190687.60", 2026: "199783.43"}
QUANTITIES = ["se_tax", "additional_medicare_tax", "qbi_deduction", "income_tax"]


def profiles(year, count, seed):
    """Profiles spread over what matters: losses, the $400 floor, the wage base, the thresholds, all statuses."""
    rng = random.Random(seed * 10_000 + year)
    cents = lambda lo, hi: round(rng.uniform(lo, hi), 2)
    base = WAGE_BASE[year]
    edges = [  # the boundaries the unit tests pin, so both oracles see them too
        ("single", "433.12", "0"), ("single", "433.14", "0"), ("single", "1049.00", "0"),
        ("married_separate", "2366.00", "0"), ("single", PROFIT_AT_BASE[year], "0"),
        ("head_of_household", "50000.00", f"{base}"), ("married_joint", "50000.00", f"{base + 1}"),
        ("married_joint", "0", "260000.00"), ("single", "250000.00", "0"), ("single", "2000.00", "20000.00"),
        ("qualifying_surviving_spouse", "-1200.00", "45000.00"), ("married_separate", "120000.00", "10000.00"),
    ]
    out = [{"id": year * 100_000 + 90_000 + i, "tax_year": year, "filing_status": st, "net_profit": profit,
            "w2_wages": wages} for i, (st, profit, wages) in enumerate(edges)]
    for i in range(count):
        status = STATUSES[i % len(STATUSES)]
        kind = rng.random()
        if kind < 0.10:
            profit = cents(-50_000, 0)
        elif kind < 0.16:
            profit = cents(300, 600)  # around the $400 floor of net earnings (433.13 of profit)
        elif kind < 0.50:
            profit = cents(0, 60_000)
        else:
            profit = cents(0, 400_000)
        wage_kind = rng.random()
        if wage_kind < 0.45:
            wages = 0.0
        elif wage_kind < 0.60:
            wages = cents(WAGE_BASE[year] - 20_000, WAGE_BASE[year] + 20_000)  # around the wage base
        else:
            wages = cents(0, WAGE_BASE[year] * 1.4)
        out.append({"id": year * 100_000 + i, "tax_year": year, "filing_status": status,
                    "net_profit": f"{profit:.2f}", "w2_wages": f"{wages:.2f}"})
    return out


def policyengine(cases, year):
    """One Simulation for all of a year's profiles: single-person tax units with the filing status set directly."""
    from policyengine_us import Simulation

    situation = {k: {} for k in ["people", "tax_units", "families", "spm_units", "households", "marital_units"]}
    for c in cases:
        pid, n = f"p{c['id']}", c["id"]
        situation["people"][pid] = {
            "age": {year: 40},
            "employment_income": {year: float(c["w2_wages"])},
            "self_employment_income": {year: float(c["net_profit"])},
        }
        situation["tax_units"][f"t{n}"] = {"members": [pid], "filing_status": {year: PE_STATUS[c["filing_status"]]}}
        for group in ["families", "spm_units", "marital_units"]:
            situation[group][f"{group[0]}{n}"] = {"members": [pid]}
        situation["households"][f"h{n}"] = {"members": [pid], "state_code": {year: "TX"}}
    sim = Simulation(situation=situation)
    get = lambda var: sim.calculate(var, year, map_to="tax_unit")
    columns = {
        "se_tax": get("self_employment_tax"),
        "additional_medicare_tax": get("additional_medicare_tax"),
        "qbi_deduction": get("qualified_business_income_deduction"),
        "income_tax": get("income_tax_main_rates"),
        "taxable_income": get("taxable_income"),
        "agi": get("adjusted_gross_income"),
    }
    return {c["id"]: {k: float(v[i]) for k, v in columns.items()} for i, c in enumerate(cases)}


def tenforty_results(cases, year):
    import tenforty

    out = {}
    for c in cases:
        r = tenforty.evaluate_return(year=year, filing_status=TF_STATUS[c["filing_status"]],
                                     w2_income=float(c["w2_wages"]), self_employment_income=float(c["net_profit"]),
                                     standard_or_itemized="Standard")
        out[c["id"]] = {"se_tax": r.federal_se_tax, "additional_medicare_tax": r.federal_additional_medicare_tax,
                        "qbi_deduction": r.federal_qbi_deduction, "income_tax": r.federal_income_tax,
                        "taxable_income": r.federal_taxable_income, "agi": r.federal_adjusted_gross_income}
    return out


def tally(cases):
    """Runs the ignored Rust test that reads TALLY_ORACLE_CASES and writes TALLY_ORACLE_OUT."""
    with tempfile.TemporaryDirectory() as tmp:
        cases_path, out_path = Path(tmp) / "cases.json", Path(tmp) / "out.json"
        cases_path.write_text(json.dumps(cases))
        env = dict(os.environ, TALLY_ORACLE_CASES=str(cases_path), TALLY_ORACLE_OUT=str(out_path))
        cmd = ["cargo", "test", "--features", "ssr", "--lib", "tax::calc::oracle", "--", "--ignored"]
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0 or not out_path.exists():
            sys.exit(f"cargo test failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return {r["id"]: r for r in json.loads(out_path.read_text())}


def tally_value(t, quantity, oracle):
    # tenforty's income tax comes from the IRS Tax Table under $100,000: compare it with Tally's tax figured the
    # Tax Table way (oracle.rs), not with the exact schedule.
    if quantity == "income_tax" and oracle == "tenforty":
        return float(t["income_tax_table"])
    return float(t[quantity])


def excluded(case, t, quantity, oracle):
    """Why a comparison is not expected to agree (a rule Tally does not model or models differently), or None."""
    if quantity in ("qbi_deduction", "income_tax") and not t["qbi_modelled"]:
        return "above the QBI threshold (limits and phase-in not modelled; Tally leaves the deduction out)"
    se_income = float(t["net_earnings"])
    if (oracle == "tenforty" and case["filing_status"] == "married_joint" and float(case["w2_wages"]) > 0
            and quantity in ("se_tax", "qbi_deduction", "income_tax")
            and se_income + float(case["w2_wages"]) > WAGE_BASE[case["tax_year"]] and se_income >= 400):
        return "tenforty leaves Schedule SE line 8a empty on joint returns (W-2 wages not against the wage base)"
    if oracle == "tenforty" and quantity == "additional_medicare_tax" and 0 < se_income < 400:
        return "tenforty taxes net earnings under $400 on Form 8959 (not SE income: IRC 1402(b)(2))"
    return None


def compare(cases, tally_out, oracle_out, oracle, year, tolerance):
    print(f"\n== {oracle} vs Tally, tax year {year}: {len(cases)} profiles ==")
    report = {}
    for q in QUANTITIES:
        tol = tolerance[q]
        rows, skipped = [], {}
        for c in cases:
            t, o = tally_out[c["id"]], oracle_out[c["id"]]
            why = excluded(c, t, q, oracle)
            if why:
                skipped[why] = skipped.get(why, 0) + 1
                continue
            rows.append((abs(tally_value(t, q, oracle) - o[q]), c, tally_value(t, q, oracle), o[q]))
        agree = sum(1 for r in rows if r[0] <= tol + 1e-9)
        cent = sum(1 for r in rows if r[0] <= 0.01 + 1e-9)
        worst = max((r[0] for r in rows), default=0.0)
        rate = 100.0 * agree / len(rows) if rows else 0.0
        print(f"{q:24s} compared {len(rows):4d}  within ${tol:<5}: {agree:4d} ({rate:6.2f} %)  "
              f"to the cent: {cent:4d}  max diff ${worst:,.3f}")
        for why, n in skipped.items():
            print(f"{'':24s} not compared {n:4d}: {why}")
        if q == "qbi_deduction":
            above = [oracle_out[c["id"]][q] for c in cases if not tally_out[c["id"]]["qbi_modelled"]]
            if above:
                zero = sum(1 for v in above if v < 0.005)
                floor = sum(1 for v in above if abs(v - 400) < 0.005)
                print(f"{'':24s}   above the threshold the oracle gives $0 in {zero}, the $400 minimum in {floor}, "
                      f"more in {len(above) - zero - floor} (largest ${max(above):,.2f}); Tally gives $0")
        for diff, c, tv, ov in sorted(rows, key=lambda r: -r[0])[:3]:
            if diff > 0.01 + 1e-9:
                print(f"{'':24s}   worst: {c['filing_status']}, profit {c['net_profit']}, wages {c['w2_wages']}: "
                      f"Tally {tv:,.2f} vs {ov:,.2f} (diff {diff:,.2f})")
        report[q] = {"compared": len(rows), "agree": agree, "to_the_cent": cent, "max_diff": round(worst, 3),
                     "not_compared": skipped}
    # The brackets alone, on the oracle's own taxable income (every profile, QBI or not).
    diffs = []
    for c in cases:
        t, o = tally_out[c["id"]], oracle_out[c["id"]]
        on = {float(x["taxable_income"]): x for x in t["income_tax_on"]}
        mine = on.get(float(f"{o['taxable_income']:.2f}"))
        if mine is not None:
            diffs.append(abs(float(mine["table" if oracle == "tenforty" else "exact"]) - o["income_tax"]))
    tol = tolerance["income_tax"]
    agree = sum(1 for d in diffs if d <= tol + 1e-9)
    print(f"{'brackets on its TI':24s} compared {len(diffs):4d}  within ${tol:<5}: {agree:4d} "
          f"({100.0 * agree / max(1, len(diffs)):6.2f} %)  max diff ${max(diffs, default=0):,.2f}")
    report["brackets_on_oracle_taxable_income"] = {"compared": len(diffs), "agree": agree,
                                                   "max_diff": round(max(diffs, default=0), 2)}
    return report


def emit_sample(cases, tally_out, oracles, per_year):
    """Rust rows for oracle_sample.rs: (oracle, year, status, profit, wages, se, amt, qbi or None, income tax)."""
    print("\n// --- sample for src/server/tax/calc/oracle_sample.rs ---")
    for (oracle, year), out in oracles.items():
        of_year = [c for c in cases if c["tax_year"] == year]
        chosen = of_year[:6] + of_year[12 : 12 + per_year * 3 : 3][: max(0, per_year - 6)]
        for c in chosen:
            t, o = tally_out[c["id"]], out[c["id"]]
            reasons = {excluded(c, t, q, oracle) for q in QUANTITIES} - {None}
            if any("QBI threshold" not in r for r in reasons):
                continue
            qbi = f"Some(\"{o['qbi_deduction']:.2f}\")" if t["qbi_modelled"] else "None"
            print(f"    (\"{oracle}\", {year}, \"{c['filing_status']}\", \"{c['net_profit']}\", \"{c['w2_wages']}\", "
                  f"\"{o['se_tax']:.2f}\", \"{o['additional_medicare_tax']:.2f}\", {qbi}, \"{o['income_tax']:.2f}\"),")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=500, help="profiles per tax year (default 500)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--emit-sample", type=int, default=0, metavar="N", help="print N sample rows per oracle-year")
    parser.add_argument("--json", help="write the agreement report here")
    args = parser.parse_args()

    cases = profiles(2025, args.count, args.seed) + profiles(2026, args.count, args.seed)
    oracles = {}
    started = time.time()
    for year in (2025, 2026):
        oracles[("policyengine-us", year)] = policyengine([c for c in cases if c["tax_year"] == year], year)
    print(f"policyengine-us: {time.time() - started:.0f} s", file=sys.stderr)
    started = time.time()
    oracles[("tenforty", 2025)] = tenforty_results([c for c in cases if c["tax_year"] == 2025], 2025)
    print(f"tenforty: {time.time() - started:.0f} s", file=sys.stderr)
    # Tally's brackets are also run on each oracle's taxable income, apart from how it got there.
    for c in cases:
        c["taxable_incomes"] = sorted({f"{out[c['id']]['taxable_income']:.2f}"
                                       for (o, y), out in oracles.items() if y == c["tax_year"]})
    started = time.time()
    tally_out = tally(cases)
    print(f"Tally (cargo test): {time.time() - started:.0f} s", file=sys.stderr)

    # Cent-level differences come from rounding each line (Tally, as the forms do) or not (the oracles); $1 for
    # tenforty's income tax, which OpenTaxSolver rounds to whole dollars.
    report = {}
    for (oracle, year), out in oracles.items():
        tolerance = {q: 0.01 for q in QUANTITIES}
        if oracle == "tenforty":
            tolerance["income_tax"] = 1.0
        report[f"{oracle} {year}"] = compare([c for c in cases if c["tax_year"] == year], tally_out, out, oracle,
                                             year, tolerance)
    if args.emit_sample:
        emit_sample(cases, tally_out, oracles, args.emit_sample)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
