//! KPI benchmark (bench/kpi/run.sh): a deterministic synthetic log of N events (default 1M)
//! over one year, 20 projects, two environments; times parsing the JSON lines, `compute` per
//! period and `render_html`. Prints a markdown table (medians of 3 rounds).

use std::time::Instant;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};
use tollgate_kpi::{
    Filter, HtmlOptions, KpiInput, KpiOptions, KpiSettings, Period, compute, render_html,
};
use tollgate_model::{Event, EventType, sha256};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

const SEVERITIES: [&str; 4] = ["low", "medium", "high", "critical"];

fn synthetic(n: usize) -> Vec<Event> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let start = OffsetDateTime::parse("2026-01-01T00:00:00Z", &Rfc3339).unwrap();
    let step = 365 * 86_400 / n.max(1) as i64;
    let subjects: Vec<_> = (0..5_000u32).map(|i| sha256(&i.to_le_bytes())).collect();
    (0..n)
        .map(|i| {
            let r = rng.next();
            let t = start + Duration::seconds(i as i64 * step.max(1));
            let project = format!("p{}", r % 20);
            let env = if r.is_multiple_of(7) { "staging" } else { "prod" };
            let subject = subjects[(r >> 8) as usize % subjects.len()];
            let (kind, payload) = match (r >> 20) % 20 {
                0..=7 => {
                    let allow = !(r >> 30).is_multiple_of(10);
                    (
                        EventType::GateDecision,
                        serde_json::json!({"project": project, "allow": allow, "policy_allow": allow,
                            "break_glass": false, "signed": !(r >> 34).is_multiple_of(8)}),
                    )
                }
                8..=13 => (
                    EventType::Deployment,
                    serde_json::json!({"project": project,
                        "status": if (r >> 40).is_multiple_of(25) { "failure" } else { "success" },
                        "commit_time": (t - Duration::minutes((r >> 44) as i64 % 600)).format(&Rfc3339).unwrap()}),
                ),
                14..=17 => {
                    let base = (i / 5_000) as u64;
                    let findings: Vec<_> = (0..3)
                        .map(|k| serde_json::json!({"fingerprint": format!("{project}-{}", base + k + (r >> 50) % 3),
                            "severity": SEVERITIES[(k as usize + i) % 4],
                            "introduced": (t - Duration::hours(((r >> 52) % 72) as i64)).format(&Rfc3339).unwrap()}))
                        .collect();
                    (
                        EventType::Scan,
                        serde_json::json!({"project": project, "scanner": "secrets", "findings": findings}),
                    )
                }
                18 => (
                    EventType::BreakGlass,
                    serde_json::json!({"project": project, "granted": r.is_multiple_of(2)}),
                ),
                _ => (EventType::Approval, serde_json::json!({"project": project})),
            };
            Event {
                kind,
                actor: "ci".into(),
                subject,
                environment: (kind != EventType::Scan).then(|| env.to_string()),
                time: Some(t.format(&Rfc3339).unwrap()),
                payload: Some(payload),
            }
        })
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("N"))
        .unwrap_or(1_000_000);
    let events = synthetic(n);
    let jsonl: Vec<String> = events
        .iter()
        .map(|e| serde_json::to_string(e).unwrap())
        .collect();
    println!(
        "{n} events, {:.0} MB as JSON lines\n",
        jsonl.iter().map(|l| l.len() + 1).sum::<usize>() as f64 / 1e6
    );
    println!("| step | median of 3 |\n|---|---|");
    let mut parse = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let parsed: Vec<Event> = jsonl
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        parse.push(t.elapsed().as_secs_f64());
        assert_eq!(parsed.len(), n);
    }
    println!("| parse JSON lines | {:.3} s |", median(parse));
    let input = KpiInput {
        events: &events,
        ..KpiInput::default()
    };
    for period in [Period::Day, Period::Week, Period::Month] {
        let opts = KpiOptions {
            period,
            filter: Filter::default(),
            settings: KpiSettings::default(),
            generated: OffsetDateTime::UNIX_EPOCH,
            source: "log".into(),
        };
        let (mut c, mut h) = (Vec::new(), Vec::new());
        let mut size = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let r = compute(&input, &opts);
            c.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            size = render_html(&r, &HtmlOptions::default()).len();
            h.push(t.elapsed().as_secs_f64());
        }
        println!(
            "| compute, {} (2 environments + 20 projects groups) | {:.3} s |",
            period.as_str(),
            median(c)
        );
        println!(
            "| render_html, {} ({} KB) | {:.1} ms |",
            period.as_str(),
            size / 1000,
            median(h) * 1000.0
        );
    }
}
