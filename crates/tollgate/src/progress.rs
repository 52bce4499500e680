//! A progress bar on stderr for long work: only when stderr is a terminal, never under
//! `CI=true` or `--quiet`. Byte phases show KiB/MiB and a rate; counted phases (files,
//! commits, blobs) show the count, a rate and, when the total is known, a bar and an ETA; a
//! phase of unknown size (a history walk) shows the count growing. The bar ticks on its own,
//! so a slow step never looks frozen.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;
use tollgate_engine::{Progress, Unit};

/// One bar per phase: a phase replaces the previous bar, so no frame mixes two phases.
pub struct Bar {
    show: bool,
    bar: Mutex<Option<ProgressBar>>,
}

/// The indicatif template for a phase of `total` (0: unknown) `unit`s. `{rate}` is a whole
/// number per second (see [`style`]).
fn template(total: u64, unit: Unit) -> String {
    match (unit, total) {
        (Unit::Bytes, 0) => {
            "{spinner} {msg:10} {binary_bytes} {binary_bytes_per_sec} ({elapsed})".into()
        }
        (Unit::Bytes, _) => "{spinner} {msg:10} [{bar:30}] {binary_bytes}/{binary_total_bytes} \
                             {binary_bytes_per_sec} ({eta})"
            .into(),
        (u, 0) => format!(
            "{{spinner}} {{msg:10}} {{human_pos}} {} {{rate}} ({{elapsed}})",
            u.noun()
        ),
        (u, _) => format!(
            "{{spinner}} {{msg:10}} [{{bar:30}}] {{human_pos}}/{{human_len}} {} {{rate}} ({{eta}})",
            u.noun()
        ),
    }
}

/// The style of a phase: [`template`] plus the `{rate}` key.
fn style(total: u64, unit: Unit) -> ProgressStyle {
    ProgressStyle::with_template(&template(total, unit))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:.0}/s", s.per_sec());
        })
        .progress_chars("=> ")
}

impl Bar {
    pub fn new(quiet: bool) -> Bar {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
        Bar {
            show: !quiet && !ci && std::io::stderr().is_terminal(),
            bar: Mutex::new(None),
        }
    }

    fn current(&self) -> std::sync::MutexGuard<'_, Option<ProgressBar>> {
        self.bar.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Progress for Bar {
    fn start(&self, label: &str, total: u64) {
        self.start_in(label, total, Unit::Files);
    }
    fn start_in(&self, label: &str, total: u64, unit: Unit) {
        if !self.show {
            return;
        }
        let b = ProgressBar::with_draw_target(
            (total > 0).then_some(total),
            ProgressDrawTarget::stderr(),
        )
        .with_style(style(total, unit))
        .with_message(label.to_string());
        b.enable_steady_tick(Duration::from_millis(120));
        if let Some(old) = self.current().replace(b) {
            old.finish_and_clear();
        }
    }
    fn advance(&self, n: u64) {
        if let Some(b) = self.current().as_ref() {
            b.inc(n);
        }
    }
    fn finish(&self) {
        if let Some(b) = self.current().take() {
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
                if unit == Unit::Bytes {
                    assert!(t.contains("{binary_bytes}") && !t.contains("{pos}"), "{t}");
                    assert!(t.contains("{binary_bytes_per_sec}"), "{t}: no rate");
                } else {
                    assert!(t.contains(unit.noun()) && t.contains("{rate}"), "{t}");
                }
                assert_eq!(t.contains("{bar:30}"), total > 0, "{t}");
            }
        }
    }

    /// With `--quiet`, or with stderr not a terminal, nothing is drawn.
    #[test]
    fn hidden_when_quiet_or_without_a_terminal() {
        let quiet = Bar::new(true);
        quiet.start_in("secrets", 10, Unit::Bytes);
        assert!(!quiet.show && quiet.current().is_none());
        if !std::io::stderr().is_terminal() {
            assert!(!Bar::new(false).show);
        }
    }
}
