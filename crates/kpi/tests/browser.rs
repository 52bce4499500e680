//! The HTML page: self-contained and accessible by construction (static checks), and rendered
//! by a real browser (Debian's chromium, headless) whose DOM holds one SVG bar per period with
//! the report's value. Skipped with a note when chromium is absent (.ci/run installs it).

use std::path::{Path, PathBuf};
use std::process::Command;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tollgate_kpi::{
    Filter, HtmlOptions, KpiInput, KpiOptions, KpiReport, KpiSettings, Period, compute, render_html,
};
use tollgate_model::Event;

const CHARTS: [(&str, &str); 10] = [
    ("failed-gate-rate", "failed_gate_rate"),
    ("unsigned-artifact-rate", "unsigned_artifact_rate"),
    ("break-glass", "break_glass"),
    ("deployments", "deployments"),
    ("gated-share", "gated_share"),
    ("change-failure-rate", "change_failure_rate"),
    ("lead-time", "lead_time_median_hours"),
    ("time-to-restore", "time_to_restore_median_hours"),
    ("mttr", "mttr_hours"),
    ("mttd", "mttd_hours"),
];

fn report(period: Period) -> KpiReport {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/events.jsonl"
    ))
    .unwrap();
    let events: Vec<Event> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let input = KpiInput {
        events: &events,
        ..KpiInput::default()
    };
    compute(
        &input,
        &KpiOptions {
            period,
            filter: Filter::default(),
            settings: KpiSettings::default(),
            generated: OffsetDateTime::parse("2026-12-05T00:00:00Z", &Rfc3339).unwrap(),
            source: "log".into(),
        },
    )
}

fn options() -> HtmlOptions {
    HtmlOptions {
        title: None,
        repository: Some("acme/<app>".into()),
        commit: Some("0123abc".into()),
    }
}

/// (period, value) of every `rect.bar` inside the `<svg data-chart="id">` of `dom`.
fn bars(dom: &str, id: &str) -> Vec<(String, String)> {
    let open = format!("data-chart=\"{id}\"");
    let at = dom
        .match_indices("<svg")
        .map(|(i, _)| i)
        .find(|i| dom[*i..].split('>').next().unwrap().contains(&open))
        .unwrap_or_else(|| panic!("no svg for {id}"));
    let svg = &dom[at..at + dom[at..].find("</svg>").unwrap()];
    let attr = |tag: &str, name: &str| {
        let k = format!("{name}=\"");
        let s = tag.find(&k).unwrap() + k.len();
        tag[s..s + tag[s..].find('"').unwrap()].to_string()
    };
    svg.split("<rect ")
        .skip(1)
        .map(|r| r.split('>').next().unwrap())
        .filter(|tag| tag.contains("class=\"bar"))
        .map(|tag| (attr(tag, "data-period"), attr(tag, "data-value")))
        .collect()
}

fn expected(r: &KpiReport, field: &str) -> Vec<(String, String)> {
    let v = serde_json::to_value(r).unwrap();
    v["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let value = match &p[field] {
                serde_json::Value::Null => String::new(),
                x => format!("{}", x.as_f64().unwrap()),
            };
            (p["period"].as_str().unwrap().to_string(), value)
        })
        .collect()
}

#[test]
fn the_page_is_self_contained_escaped_and_has_a_table_under_every_chart() {
    let r = report(Period::Week);
    let html = render_html(&r, &options());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "no JavaScript");
    for external in ["src=\"http", "href=\"http", "@import", "url(http"] {
        assert!(!html.contains(external), "external asset: {external}");
    }
    assert!(html.contains("acme/&lt;app&gt;"), "escaped");
    assert!(html.contains("0123abc"));
    for (id, field) in CHARTS {
        assert_eq!(bars(&html, id), expected(&r, field), "{id}");
        assert!(html.contains(&format!("<table class=\"data\" data-chart=\"{id}\">")));
        assert!(html.contains(&format!("aria-labelledby=\"{id}-title {id}-desc\"")));
    }
    // Periods without data are hatched and say so in words, not by colour alone.
    assert!(html.contains("class=\"bar nodata\""));
    assert!(html.contains("no data"));
    // A period with no events at all (2026-W40 … W44) still gets its bar and row.
    assert!(html.contains("data-period=\"2026-W42\""));
    assert!(html.contains("<th scope=\"row\">2026-W42</th>"));
    let empty = render_html(
        &compute(&KpiInput::default(), &{
            let mut o = KpiOptions {
                period: Period::Day,
                filter: Filter::default(),
                settings: KpiSettings::default(),
                generated: OffsetDateTime::UNIX_EPOCH,
                source: "log".into(),
            };
            o.filter.project = Some("none".into());
            o
        }),
        &HtmlOptions::default(),
    );
    assert!(empty.contains("No events in the selection."));
}

fn chromium() -> Option<PathBuf> {
    let p = std::env::var_os("TOLLGATE_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    p.exists().then_some(p)
}

fn run_chromium(bin: &Path, dir: &Path, extra: &[String], url: &str) -> std::process::Output {
    let profile = dir.join("profile");
    Command::new("timeout")
        .arg("120")
        .arg(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("run chromium")
}

#[test]
fn chromium_renders_one_bar_per_period_with_the_reported_value() {
    let Some(bin) = chromium() else {
        eprintln!(
            "note: /usr/bin/chromium not found; skipping the browser test (.ci/run installs it)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for period in [Period::Week, Period::Month] {
        let r = report(period);
        let page = dir.path().join("kpi.html");
        std::fs::write(&page, render_html(&r, &options())).unwrap();
        let url = format!("file://{}", page.display());
        let out = run_chromium(&bin, dir.path(), &["--dump-dom".into()], &url);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let dom = String::from_utf8(out.stdout).unwrap();
        assert!(dom.contains("<svg"), "{dom}");
        for (id, field) in CHARTS {
            let want = expected(&r, field);
            assert_eq!(want.len(), r.periods.len());
            assert_eq!(bars(&dom, id), want, "{period:?} {id}");
        }
    }
    let shot = dir.path().join("kpi.png");
    let out = run_chromium(
        &bin,
        dir.path(),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1100,1600".into(),
        ],
        &format!("file://{}", dir.path().join("kpi.html").display()),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
}
