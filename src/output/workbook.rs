//! `results.xlsx`: the run's results as an Excel workbook for analysts who
//! paste into briefings: a Headline sheet (the headline outcomes with their
//! bands, and a native Excel line chart of each headline fan), the Annual
//! table and the Monthly series, each row with its unit. Every number is
//! the CSV's number (written through the same `fmt_num`, then read back),
//! and the file is byte-stable: the document date is the scenario's start,
//! and the zip entries carry a fixed time, so the manifest's SHA-256 of the
//! workbook is the same for any `--threads` and any sharding.

use super::stats;
use crate::engine::{Aggregator, fmt_num};
use crate::model::Model;
use crate::model::series::{FinalKind, SeriesLabel};
use rust_xlsxwriter::{
    Chart, ChartAxisLabelPosition, ChartType, DocProperties, ExcelDateTime, Format, Workbook,
    Worksheet, XlsxError,
};

/// The unit of a metric's values; `annual` for `annual.csv`'s rows, where
/// flows are totals over the year rather than annual rates.
pub fn unit(metric: &str, annual: bool) -> &'static str {
    match metric {
        "gdp_growth_yoy" => "% per year",
        "gdp_dev" | "exchange_rate" | "consumer_prices" => "% vs baseline",
        "gdp_dev_trade"
        | "gdp_dev_income"
        | "gdp_dev_supply"
        | "gdp_dev_uncertainty"
        | "gdp_growth_dev" => "pp",
        "gdp_growth" | "gdp_growth_q4q4" | "tariff_effective" | "tariff_effective_after" => "%",
        "imports" | "exports" | "trade_balance" | "tariff_revenue" | "welfare" | "welfare_cs"
        | "welfare_ps" | "welfare_tr" => {
            if annual {
                "USD bn"
            } else {
                "USD bn/yr"
            }
        }
        "gdp_loss_cum" => "USD bn",
        "import_price" => "% vs base year",
        "re_backlog" => "months of normal applications",
        "re_stock_months" => "months of requirement",
        "re_shortfall" => "share (0-1)",
        "re_exports" => "% of normal",
        "re_price" => "% above normal",
        "output_loss" => "% of sector output",
        "cost_per_household" => {
            if annual {
                "USD per household"
            } else {
                "USD per household per year"
            }
        }
        _ => "",
    }
}

/// A metric in words, for chart titles.
fn label(metric: &str) -> &str {
    match metric {
        "gdp_dev" => "GDP vs baseline",
        "gdp_growth_yoy" => "GDP growth",
        "re_shortfall" => "critical-input shortfall",
        m => m,
    }
}

/// An empty workbook titled `title`, dated the first day of `start` (not
/// today: the bytes must not depend on when the run was made).
fn workbook(title: &str, start: crate::scenario::date::YearMonth) -> Result<Workbook, XlsxError> {
    let date = ExcelDateTime::from_ymd(
        u16::try_from(start.year()).unwrap_or(2000),
        u8::try_from(start.month()).unwrap_or(1),
        1,
    )?;
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_creation_datetime(&date),
    );
    Ok(wb)
}

/// The CSV's value of `x` (as `fmt_num` writes it).
fn csv_value(x: f64) -> f64 {
    fmt_num(x).parse().unwrap_or(x)
}

const QUANTILES: [&str; 7] = ["mean", "sd", "p05", "p25", "p50", "p75", "p95"];
/// Excel's last row (0-based) is 1,048,575.
const MAX_ROW: u32 = 1_048_575;

/// The workbook's bytes.
///
/// # Errors
/// What rust_xlsxwriter reports (a sheet name or a cell out of range).
pub fn results_xlsx(model: &Model, agg: &Aggregator) -> Result<Vec<u8>, XlsxError> {
    let sc = model.sc;
    let mut wb = workbook(
        &format!("tariffsim results: {}", sc.meta.name),
        sc.meta.start,
    )?;
    let bold = Format::new().set_bold();
    headline(wb.add_worksheet(), model, agg, &bold)?;
    if (model.slots.labels.len() * model.months) as u64 > u64::from(MAX_ROW)
        && let Ok(ws) = wb.worksheet_from_name("Headline")
    {
        ws.write_string(
            2,
            0,
            "The Monthly sheet stops at Excel's row limit (1,048,576 rows); summary.csv has every row.",
        )?;
    }
    let end = sc.month_label(model.months - 1);
    let annual: Vec<(usize, &str)> = model
        .slots
        .final_labels
        .iter()
        .enumerate()
        .filter(|(_, (_, k))| matches!(k, FinalKind::Annual(_)))
        .map(|(i, (_, k))| (i, model.slots.final_period(*k, &end)))
        .collect();
    let ws = wb.add_worksheet().set_name("Annual")?;
    table_header(ws, "period", &bold)?;
    for (r, &(k, period)) in annual.iter().enumerate() {
        let l = &model.slots.final_labels[k].0;
        data_row(ws, r as u32 + 1, l, period, true, &stats(&agg.finals[k]))?;
    }
    let ws = wb.add_worksheet().set_name("Monthly")?;
    table_header(ws, "month", &bold)?;
    let months = model.months;
    let labels: Vec<String> = (0..months).map(|t| sc.month_label(t)).collect();
    let mut row = 1u32;
    'series: for (slot, l) in model.slots.labels.iter().enumerate() {
        let Some(cells) = agg.series(slot) else {
            continue;
        };
        for (cell, month) in cells.iter().zip(&labels) {
            if row > MAX_ROW {
                break 'series;
            }
            let v = stats(cell);
            data_row(ws, row, l, month, false, &v)?;
            row += 1;
        }
    }
    wb.save_to_buffer()
}

fn table_header(ws: &mut Worksheet, time: &str, bold: &Format) -> Result<(), XlsxError> {
    let head = ["metric", "economy", "partner", "sector", time, "unit"];
    for (c, h) in head.iter().chain(QUANTILES.iter()).enumerate() {
        ws.write_string_with_format(0, c as u16, *h, bold)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.set_column_width(0, 20)?;
    ws.set_column_width(5, 28)?;
    Ok(())
}

/// One row of the Annual or Monthly sheet: the series' label, its period,
/// its unit, then the seven statistics (`table_header` order).
fn data_row(
    ws: &mut Worksheet,
    row: u32,
    l: &SeriesLabel,
    time: &str,
    annual: bool,
    v: &[f64; 7],
) -> Result<(), XlsxError> {
    for (c, s) in [l.metric, &l.economy, &l.partner, &l.sector, time]
        .iter()
        .enumerate()
    {
        if !s.is_empty() {
            ws.write_string(row, c as u16, *s)?;
        }
    }
    ws.write_string(row, 5, unit(l.metric, annual))?;
    for (c, x) in v.iter().enumerate() {
        ws.write_number(row, 6 + c as u16, csv_value(*x))?;
    }
    Ok(())
}

/// The Headline sheet: per headline outcome (`Scenario::headline_outcomes`)
/// its horizon average, last month and whole years with their bands, then
/// the monthly fans (5 %, median, 95 %) as a table and a line chart each.
fn headline(
    ws: &mut Worksheet,
    model: &Model,
    agg: &Aggregator,
    bold: &Format,
) -> Result<(), XlsxError> {
    let sc = model.sc;
    let sl = &model.slots;
    ws.set_name("Headline")?;
    ws.write_string_with_format(0, 0, format!("{}: headline outcomes", sc.meta.name), bold)?;
    ws.write_string(
        1,
        0,
        "Bands: 5th to 95th percentile of the runs. Source: tariffsim; the same numbers as summary.csv, final.csv and annual.csv.",
    )?;
    let head = [
        "outcome", "economy", "period", "unit", "p05", "p50", "p95", "mean",
    ];
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(3, c as u16, *h, bold)?;
    }
    // Shown to two decimals; the cells hold the CSV's values.
    let two = Format::new().set_num_format("0.00");
    ws.set_column_width(0, 14)?;
    ws.set_column_width(2, 20)?;
    ws.set_column_width(3, 22)?;
    let end = sc.month_label(model.months - 1);
    let picks = sc.headline_outcomes();
    let mut row = 4u32;
    let mut fans = Vec::new();
    for (metric, econ) in &picks {
        let Some(slot) = sl
            .labels
            .iter()
            .position(|l| l.metric == *metric && l.economy == *econ)
        else {
            continue;
        };
        fans.push((slot, *metric, econ.clone()));
        for (k, (l, kind)) in sl.final_labels.iter().enumerate() {
            let same = l.metric == *metric && l.economy == *econ && l.partner.is_empty();
            // The horizon average, the last month (monthly series give both
            // at 2 slot + 1 and 2 slot) and each whole year.
            let wanted = k == 2 * slot + 1 || k == 2 * slot || matches!(kind, FinalKind::Annual(_));
            if !(same && wanted) {
                continue;
            }
            let s = stats(&agg.finals[k]);
            ws.write_string(row, 0, *metric)?;
            ws.write_string(row, 1, econ.as_str())?;
            let period = match kind {
                FinalKind::End => format!("{end} (last month)"),
                FinalKind::Annual(_) => sl.final_period(*kind, &end).to_string(),
                _ => "horizon average".to_string(),
            };
            ws.write_string(row, 2, period)?;
            ws.write_string(row, 3, unit(metric, matches!(kind, FinalKind::Annual(_))))?;
            // stats order: mean, sd, p05, p25, p50, p75, p95.
            for (c, x) in [s[2], s[4], s[6], s[0]].iter().enumerate() {
                ws.write_number_with_format(row, 4 + c as u16, csv_value(*x), &two)?;
            }
            row += 1;
        }
    }
    // The fans: month, then (p05, p50, p95) per headline series.
    // The charts, two per row of the grid (about 15 rows by 8 columns
    // each), then the fans they plot: a row of series names, a row of
    // quantile names, one row per month.
    let charts_at = row + 2;
    let grid_rows = 16 * (fans.len() as u32).div_ceil(2);
    let top = charts_at + grid_rows + 1;
    let months = model.months;
    ws.write_string_with_format(top + 1, 0, "month", bold)?;
    for t in 0..months {
        ws.write_string(top + 2 + t as u32, 0, sc.month_label(t))?;
    }
    let (first, last) = (top + 2, top + 1 + months as u32);
    for (f, (slot, metric, econ)) in fans.iter().enumerate() {
        let c0 = 1 + 3 * f as u16;
        let name = format!("{} {}", sc.economy_short(econ), label(metric));
        ws.write_string_with_format(top, c0, &name, bold)?;
        for (q, h) in ["p05", "p50", "p95"].iter().enumerate() {
            ws.write_string_with_format(top + 1, c0 + q as u16, *h, bold)?;
        }
        let Some(cells) = agg.series(*slot) else {
            continue;
        };
        for (t, cell) in cells.iter().enumerate() {
            let s = stats(cell);
            for (q, x) in [s[2], s[4], s[6]].iter().enumerate() {
                ws.write_number_with_format(first + t as u32, c0 + q as u16, csv_value(*x), &two)?;
            }
        }
        let mut chart = Chart::new(ChartType::Line);
        for (q, series) in ["5 %", "median", "95 %"].iter().enumerate() {
            chart
                .add_series()
                .set_name(*series)
                .set_categories(("Headline", first, 0, last, 0))
                .set_values(("Headline", first, c0 + q as u16, last, c0 + q as u16));
        }
        chart.title().set_name(&name);
        chart.y_axis().set_name(unit(metric, false));
        // Month labels below the plot, not on the zero line of a fall.
        chart
            .x_axis()
            .set_label_position(ChartAxisLabelPosition::Low);
        let f = f as u32;
        ws.insert_chart(charts_at + 16 * (f / 2), 9 * (f % 2) as u16, &chart)?;
    }
    Ok(())
}

/// `results.xlsx` of `compare`: a Headline sheet with the printed headline
/// lines, and the Comparison sheet holding `comparison.csv` (its bytes,
/// parsed back, so every number is the CSV's) with a unit column after the
/// month. `start` dates the document (the reference scenario's start).
///
/// # Errors
/// What rust_xlsxwriter reports.
pub fn comparison_xlsx(
    title: &str,
    headlines: &[String],
    comparison_csv: &[u8],
    start: crate::scenario::date::YearMonth,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = workbook(&format!("tariffsim comparison: {title}"), start)?;
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet().set_name("Headline")?;
    ws.write_string_with_format(0, 0, format!("{title}: paired differences"), &bold)?;
    ws.write_string(
        1,
        0,
        "Median paired difference [5 %, 95 %] and the probability that it is worse by more than a tie. Source: tariffsim; the numbers of comparison.csv.",
    )?;
    for (k, line) in headlines.iter().enumerate() {
        ws.write_string(3 + k as u32, 0, line)?;
    }
    let ws = wb.add_worksheet().set_name("Comparison")?;
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(comparison_csv);
    // Text columns: scenario .. month (7); numbers after them.
    const TEXT: usize = 7;
    for (row, rec) in r.records().enumerate() {
        let Ok(rec) = rec else { break };
        let row = row as u32;
        if row > MAX_ROW {
            break;
        }
        let unit_text = if row == 0 {
            "unit"
        } else {
            let month = rec.get(6).unwrap_or("");
            unit(
                rec.get(2).unwrap_or(""),
                month.starts_with("CY") || month.starts_with("FY"),
            )
        };
        for (c, field) in rec.iter().enumerate() {
            // The unit goes after the month: later columns move one right.
            let col = if c < TEXT { c } else { c + 1 } as u16;
            if row == 0 {
                ws.write_string_with_format(row, col, field, &bold)?;
            } else if c < TEXT {
                if !field.is_empty() {
                    ws.write_string(row, col, field)?;
                }
            } else if let Ok(x) = field.parse::<f64>() {
                ws.write_number(row, col, x)?;
            } else if !field.is_empty() {
                ws.write_string(row, col, field)?;
            }
        }
        if row == 0 {
            ws.write_string_with_format(0, TEXT as u16, unit_text, &bold)?;
        } else {
            ws.write_string(row, TEXT as u16, unit_text)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    wb.save_to_buffer()
}
