//! A progress bar on stderr for long work: only when stderr is a terminal, never under
//! `CI=true` or `--quiet`. Byte phases show KiB/MiB and a rate; counted phases (files,
//! commits, blobs) show the count, a rate and, when the total is known, a bar and an ETA; a
//! phase of unknown size (a history walk) shows the count growing. The bar ticks on its own,
//! so a slow step never looks frozen.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;
use tollgate_engine::{Progress, Unit};

pub struct Bar {
    bar: Option<ProgressBar>,
}

/// The indicatif template for a phase of `total` (0: unknown) `unit`s.
fn template(total: u64, unit: Unit) -> String {
    match (unit, total) {
        (Unit::Bytes, 0) => "{spinner} {msg:10} {binary_bytes} {binary_bytes_per_sec} ({elapsed})".into(),
        (Unit::Bytes, _) => "{spinner} {msg:10} [{bar:30}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ({eta})".into(),
        (u, 0) => format!("{{spinner}} {{msg:10}} {{human_pos}} {} {{per_sec}} ({{elapsed}})", u.noun()),
        (u, _) => format!(
            "{{spinner}} {{msg:10}} [{{bar:30}}] {{human_pos}}/{{human_len}} {} {{per_sec}} ({{eta}})",
            u.noun()
        ),
    }
}

impl Bar {
    pub fn new(quiet: bool) -> Bar {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
        let show = !quiet && !ci && std::io::stderr().is_terminal();
        let bar =
            show.then(|| ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr()));
        Bar { bar }
    }
}

impl Progress for Bar {
    fn start(&self, label: &str, total: u64) {
        self.start_in(label, total, Unit::Files);
    }
    fn start_in(&self, label: &str, total: u64, unit: Unit) {
        if let Some(b) = &self.bar {
            b.reset();
            b.set_style(
                ProgressStyle::with_template(&template(total, unit))
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            if total == 0 {
                b.unset_length();
            } else {
                b.set_length(total);
            }
            b.set_position(0);
            b.set_message(label.to_string());
            b.enable_steady_tick(Duration::from_millis(120));
        }
    }
    fn advance(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }
    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.disable_steady_tick();
            b.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses_and_bytes_are_human() {
        for unit in [Unit::Files, Unit::Bytes, Unit::Commits, Unit::Blobs] {
            for total in [0, 10] {
                let t = template(total, unit);
                assert!(ProgressStyle::with_template(&t).is_ok(), "{t}");
                assert!(t.contains("per_sec"), "{t}: no rate");
                if unit == Unit::Bytes {
                    assert!(t.contains("{binary_bytes}") && !t.contains("{pos}"), "{t}");
                } else {
                    assert!(t.contains(unit.noun()), "{t}");
                }
                assert_eq!(t.contains("{bar:30}"), total > 0, "{t}");
            }
        }
    }

    /// With `--quiet`, or with stderr not a terminal, nothing is drawn.
    #[test]
    fn hidden_when_quiet_or_without_a_terminal() {
        assert!(Bar::new(true).bar.is_none());
        if !std::io::stderr().is_terminal() {
            assert!(Bar::new(false).bar.is_none());
        }
    }
}
