//! Experiment for lockstep runs (issue 16, docs/performance.md): Block 2's
//! fast evaluation and Jacobian for 4 runs at once, in lanes (the same
//! sector; each run its own parameters, tariff factors and prices), each
//! lane doing exactly the scalar operations, against 4 scalar evaluations.
//! A synthetic 9-economy sector; the two kernels are reduced copies of
//! `model::equilibrium::evaluate` (every importer with 0 < d < 1, every
//! exporter an unknown). It checks that every lane's quantities, residuals
//! and Jacobian equal the scalar ones bit for bit, then times both:
//!
//!   cargo bench --bench lanes                 # both, 200,000 repetitions
//!   cargo bench --bench lanes -- scalar 20000 # one kernel (for callgrind)
// The loops index several arrays at once, as the model's kernels do.
#![allow(clippy::needless_range_loop)]

use tariffsim::math::{exp, exp4, ln, ln4};
const L: usize = 4;
type V = [f64; L];

struct Sector {
    ne: usize,
    v: Vec<f64>,
    d: Vec<f64>,
    ln_supply: Vec<f64>,
}
#[derive(Clone)]
struct Par {
    sm: f64,
    sd: f64,
    eta: f64,
    eps: Vec<f64>,
}

struct Ws {
    e1: Vec<f64>,
    e2: Vec<f64>,
    sm: Vec<f64>,
    sd: Vec<f64>,
    x: Vec<f64>,
    dsum: Vec<f64>,
    lnd: Vec<f64>,
    g: Vec<f64>,
    jac: Vec<f64>,
    a: Vec<f64>,
    ln_pm: Vec<f64>,
    ln_p: Vec<f64>,
}
impl Ws {
    fn new(ne: usize) -> Self {
        let z = |n| vec![0.0; n];
        Ws {
            e1: z(ne),
            e2: z(ne),
            sm: z(ne * ne),
            sd: z(ne),
            x: z(ne * ne),
            dsum: z(ne),
            lnd: z(ne),
            g: z(ne),
            jac: z(ne * ne),
            a: z(2 * ne * ne),
            ln_pm: z(ne),
            ln_p: z(ne),
        }
    }
}

#[inline(never)]
fn eval_scalar(b: &Sector, p: &Par, am_t: &[f64], bm_t: &[f64], z: &[f64], ws: &mut Ws) -> bool {
    let ne = b.ne;
    let (sm_, sd_, eta) = (p.sm, p.sd, p.eta);
    for e in 0..ne {
        ws.e1[e] = exp((1.0 - sm_) * z[e]);
        ws.e2[e] = exp(-sm_ * z[e]);
    }
    for i in 0..ne {
        let di = b.d[i];
        let row = i * ne..(i + 1) * ne;
        let shares = &mut ws.sm[row.clone()];
        let am = &am_t[row.clone()];
        let mut sum = 0.0;
        for e in 0..ne {
            let t = am[e] * ws.e1[e];
            shares[e] = t;
            sum += t;
        }
        if !(sum > 0.0 && sum.is_finite()) {
            return false;
        }
        for s in shares.iter_mut() {
            *s /= sum;
        }
        let ln_pm = ln(sum) / (1.0 - sm_);
        let pm_pow = exp(sm_ * ln_pm);
        let r = 1.0 - sd_;
        let a = di * exp(r * z[i]);
        let bb = (1.0 - di) * exp(r * ln_pm);
        ws.sd[i] = a / (a + bb);
        let ln_p = ln(a + bb) / r;
        let ln_q = -eta * ln_p;
        ws.ln_pm[i] = ln_pm;
        ws.ln_p[i] = ln_p;
        let xm = exp(-sd_ * (ln_pm - ln_p) + ln_q);
        let scale = pm_pow * xm;
        let bm = &bm_t[row];
        for e in 0..ne {
            ws.x[e * ne + i] = bm[e] * ws.e2[e] * scale;
        }
        ws.x[i * ne + i] = exp(-sd_ * (z[i] - ln_p) + ln_q);
    }
    for e in 0..ne {
        let mut dsum = 0.0;
        for i in 0..ne {
            dsum += b.v[e * ne + i] * ws.x[e * ne + i];
        }
        ws.dsum[e] = dsum;
        ws.lnd[e] = ln(dsum);
        ws.g[e] = ws.lnd[e] - b.ln_supply[e] - p.eps[e] * z[e];
    }
    // Jacobian, all exporters unknown.
    let n = ne;
    ws.jac.fill(0.0);
    let (imp_rows, dom_rows) = ws.a.split_at_mut(ne * n);
    for i in 0..ne {
        let smi = 1.0 - ws.sd[i];
        for k in 0..n {
            let dpm = ws.sm[i * ne + k];
            let dp = if k == i { ws.sd[i] } else { smi * dpm };
            imp_rows[i * n + k] = (sm_ - sd_) * dpm + (sd_ - eta) * dp;
            dom_rows[i * n + k] = (sd_ - eta) * dp;
        }
    }
    for a in 0..n {
        let e = a;
        let dtot = ws.dsum[e];
        let mut diag = -p.eps[e];
        for i in 0..ne {
            let omega = b.v[e * ne + i] * ws.x[e * ne + i] / dtot;
            if omega == 0.0 {
                continue;
            }
            let src = if e != i {
                diag -= sm_ * omega;
                &imp_rows[i * n..(i + 1) * n]
            } else {
                diag -= sd_ * omega;
                &dom_rows[i * n..(i + 1) * n]
            };
            for k in 0..n {
                ws.jac[a * n + k] += omega * src[k];
            }
        }
        ws.jac[a * n + a] += diag;
    }
    true
}

struct Lw {
    e1: Vec<V>,
    e2: Vec<V>,
    sm: Vec<V>,
    sd: Vec<V>,
    x: Vec<V>,
    dsum: Vec<V>,
    lnd: Vec<V>,
    g: Vec<V>,
    jac: Vec<V>,
    a: Vec<V>,
    ln_pm: Vec<V>,
    ln_p: Vec<V>,
}
impl Lw {
    fn new(ne: usize) -> Self {
        let z = |n| vec![[0.0; L]; n];
        Lw {
            e1: z(ne),
            e2: z(ne),
            sm: z(ne * ne),
            sd: z(ne),
            x: z(ne * ne),
            dsum: z(ne),
            lnd: z(ne),
            g: z(ne),
            jac: z(ne * ne),
            a: z(2 * ne * ne),
            ln_pm: z(ne),
            ln_p: z(ne),
        }
    }
}

#[inline(always)]
fn map(f: impl FnMut(usize) -> f64) -> V {
    std::array::from_fn(f)
}

#[inline(never)]
fn eval_lanes(b: &Sector, p: &[Par; L], am_t: &[V], bm_t: &[V], z: &[V], ws: &mut Lw) -> bool {
    let ne = b.ne;
    let sm_: V = map(|l| p[l].sm);
    let sd_: V = map(|l| p[l].sd);
    let eta: V = map(|l| p[l].eta);
    for e in 0..ne {
        ws.e1[e] = exp4(map(|l| (1.0 - sm_[l]) * z[e][l]));
        ws.e2[e] = exp4(map(|l| -sm_[l] * z[e][l]));
    }
    for i in 0..ne {
        let di = b.d[i];
        let row = i * ne..(i + 1) * ne;
        let mut sum = [0.0; L];
        for e in 0..ne {
            let am = am_t[i * ne + e];
            let e1 = ws.e1[e];
            let t: V = map(|l| am[l] * e1[l]);
            ws.sm[i * ne + e] = t;
            for l in 0..L {
                sum[l] += t[l];
            }
        }
        if !sum.iter().all(|s| *s > 0.0 && s.is_finite()) {
            return false;
        }
        for s in ws.sm[row.clone()].iter_mut() {
            for l in 0..L {
                s[l] /= sum[l];
            }
        }
        let lsum = ln4(sum);
        let ln_pm: V = map(|l| lsum[l] / (1.0 - sm_[l]));
        let pm_pow: V = exp4(map(|l| sm_[l] * ln_pm[l]));
        let r: V = map(|l| 1.0 - sd_[l]);
        let ea = exp4(map(|l| r[l] * z[i][l]));
        let eb = exp4(map(|l| r[l] * ln_pm[l]));
        let a: V = map(|l| di * ea[l]);
        let bb: V = map(|l| (1.0 - di) * eb[l]);
        ws.sd[i] = map(|l| a[l] / (a[l] + bb[l]));
        let lab = ln4(map(|l| a[l] + bb[l]));
        let ln_p: V = map(|l| lab[l] / r[l]);
        let ln_q: V = map(|l| -eta[l] * ln_p[l]);
        ws.ln_pm[i] = ln_pm;
        ws.ln_p[i] = ln_p;
        let xm: V = exp4(map(|l| -sd_[l] * (ln_pm[l] - ln_p[l]) + ln_q[l]));
        let scale: V = map(|l| pm_pow[l] * xm[l]);
        for e in 0..ne {
            let bm = bm_t[i * ne + e];
            let e2 = ws.e2[e];
            ws.x[e * ne + i] = map(|l| bm[l] * e2[l] * scale[l]);
        }
        ws.x[i * ne + i] = exp4(map(|l| -sd_[l] * (z[i][l] - ln_p[l]) + ln_q[l]));
    }
    for e in 0..ne {
        let mut dsum = [0.0; L];
        for i in 0..ne {
            let v = b.v[e * ne + i];
            let x = ws.x[e * ne + i];
            for l in 0..L {
                dsum[l] += v * x[l];
            }
        }
        ws.dsum[e] = dsum;
        ws.lnd[e] = ln4(dsum);
        let lnd = ws.lnd[e];
        ws.g[e] = map(|l| lnd[l] - b.ln_supply[e] - p[l].eps[e] * z[e][l]);
    }
    let n = ne;
    ws.jac.fill([0.0; L]);
    let (imp_rows, dom_rows) = ws.a.split_at_mut(ne * n);
    for i in 0..ne {
        let sdi = ws.sd[i];
        let smi: V = map(|l| 1.0 - sdi[l]);
        for k in 0..n {
            let dpm = ws.sm[i * ne + k];
            let dp: V = if k == i {
                sdi
            } else {
                map(|l| smi[l] * dpm[l])
            };
            imp_rows[i * n + k] = map(|l| (sm_[l] - sd_[l]) * dpm[l] + (sd_[l] - eta[l]) * dp[l]);
            dom_rows[i * n + k] = map(|l| (sd_[l] - eta[l]) * dp[l]);
        }
    }
    for a in 0..n {
        let e = a;
        let dtot = ws.dsum[e];
        let mut diag: V = map(|l| -p[l].eps[e]);
        for i in 0..ne {
            let v = b.v[e * ne + i];
            let x = ws.x[e * ne + i];
            let omega: V = map(|l| v * x[l] / dtot[l]);
            // A zero weight skips the lane's row (as the scalar `continue`).
            let src = if e != i {
                for l in 0..L {
                    if omega[l] != 0.0 {
                        diag[l] -= sm_[l] * omega[l];
                    }
                }
                &imp_rows[i * n..(i + 1) * n]
            } else {
                for l in 0..L {
                    if omega[l] != 0.0 {
                        diag[l] -= sd_[l] * omega[l];
                    }
                }
                &dom_rows[i * n..(i + 1) * n]
            };
            for k in 0..n {
                let s = src[k];
                let j = &mut ws.jac[a * n + k];
                for l in 0..L {
                    if omega[l] != 0.0 {
                        j[l] += omega[l] * s[l];
                    }
                }
            }
        }
        for l in 0..L {
            ws.jac[a * n + a][l] += diag[l];
        }
    }
    true
}

fn main() {
    let ne = 9;
    let mut st = 0x1234_5678_9abc_def1u64;
    let mut u = move || {
        st ^= st << 13;
        st ^= st >> 7;
        st ^= st << 17;
        (st >> 11) as f64 / (1u64 << 53) as f64
    };
    let v: Vec<f64> = (0..ne * ne).map(|_| 1.0 + 100.0 * u()).collect();
    let supply: Vec<f64> = (0..ne)
        .map(|e| (0..ne).map(|i| v[e * ne + i]).sum())
        .collect();
    let d: Vec<f64> = (0..ne).map(|_| 0.5 + 0.4 * u()).collect();
    let sec = Sector {
        ne,
        ln_supply: supply.iter().map(|s| ln(*s)).collect(),
        v,
        d,
    };
    let pars: [Par; L] = std::array::from_fn(|_| Par {
        sm: 3.0 + 4.0 * u(),
        sd: 1.5 + u(),
        eta: 0.5 + 0.5 * u(),
        eps: (0..ne).map(|_| 1.0 + 3.0 * u()).collect(),
    });
    let am: Vec<V> = (0..ne * ne)
        .map(|k| {
            map(|_| {
                if k / ne == k % ne {
                    0.0
                } else {
                    0.05 + 0.2 * u()
                }
            })
        })
        .collect();
    let bm: Vec<V> = (0..ne * ne)
        .map(|k| {
            map(|_| {
                if k / ne == k % ne {
                    0.0
                } else {
                    0.8 + 0.4 * u()
                }
            })
        })
        .collect();
    let z: Vec<V> = (0..ne).map(|_| map(|_| 0.1 * (u() - 0.5))).collect();
    // Bit equality, lane by lane.
    let mut lw = Lw::new(ne);
    assert!(eval_lanes(&sec, &pars, &am, &bm, &z, &mut lw));
    for l in 0..L {
        let mut ws = Ws::new(ne);
        let col = |a: &[V]| a.iter().map(|x| x[l]).collect::<Vec<f64>>();
        assert!(eval_scalar(
            &sec,
            &pars[l],
            &col(&am),
            &col(&bm),
            &col(&z),
            &mut ws
        ));
        assert_eq!(
            col(&lw.x).iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            ws.x.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        assert_eq!(
            col(&lw.g).iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            ws.g.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        assert_eq!(
            col(&lw.jac).iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            ws.jac.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
    }
    println!("bit-identical lane by lane: x, g, Jacobian");
    // `cargo bench` passes --bench: skip flags.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let mode = args.first().cloned().unwrap_or_default();
    let reps = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000usize);
    let t0 = std::time::Instant::now();
    let mut acc = 0.0;
    if mode == "scalar" || mode.is_empty() {
        let cols: Vec<(Vec<f64>, Vec<f64>, Vec<f64>)> = (0..L)
            .map(|l| {
                let col = |a: &[V]| a.iter().map(|x| x[l]).collect::<Vec<f64>>();
                (col(&am), col(&bm), col(&z))
            })
            .collect();
        let mut ws = Ws::new(ne);
        for _ in 0..reps {
            for l in 0..L {
                eval_scalar(
                    &sec,
                    &pars[l],
                    &cols[l].0,
                    &cols[l].1,
                    std::hint::black_box(&cols[l].2),
                    &mut ws,
                );
                acc += ws.jac[3];
            }
        }
        println!(
            "scalar: {reps} x 4 evaluations+Jacobians in {:.3} s ({acc:e})",
            t0.elapsed().as_secs_f64()
        );
    }
    let t0 = std::time::Instant::now();
    if mode == "lanes" || mode.is_empty() {
        for _ in 0..reps {
            eval_lanes(&sec, &pars, &am, &bm, std::hint::black_box(&z), &mut lw);
            acc += lw.jac[3][0];
        }
        println!(
            "lanes:  {reps} x 1 lane evaluation+Jacobian in {:.3} s ({acc:e})",
            t0.elapsed().as_secs_f64()
        );
    }
}
