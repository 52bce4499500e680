//! Metric providers: where a measurement's value comes from. Each provider's template table
//! is defined here, beside the code that uses it.

mod command;
mod file;
mod http;
pub mod jsonpath;
mod prometheus;
mod provider;
mod web;

pub use command::CommandConfig;
pub use file::{FileConfig, FileFormat};
pub use http::Auth;
pub use prometheus::PrometheusConfig;
pub use provider::Provider;
pub use web::WebConfig;

use serde::Deserialize;

/// `[metrics.provider.<kind>]`: exactly one provider per metric.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum ProviderConfig {
    Prometheus(PrometheusConfig),
    Web(WebConfig),
    Command(CommandConfig),
    File(FileConfig),
}

impl ProviderConfig {
    pub fn kind(&self) -> &'static str {
        match self {
            ProviderConfig::Prometheus(_) => "prometheus",
            ProviderConfig::Web(_) => "web",
            ProviderConfig::Command(_) => "command",
            ProviderConfig::File(_) => "file",
        }
    }

    /// Replaces `{{args.NAME}}` in every string the provider reads.
    pub(crate) fn substitute(
        &mut self,
        f: &mut dyn FnMut(&str) -> Result<String, String>,
    ) -> Result<(), String> {
        match self {
            ProviderConfig::Prometheus(p) => {
                p.address = f(&p.address)?;
                p.query = f(&p.query)?;
            }
            ProviderConfig::Web(w) => {
                w.url = f(&w.url)?;
                if let Some(b) = &mut w.body {
                    *b = f(b)?;
                }
                if let Some(j) = &mut w.json_path {
                    *j = f(j)?;
                }
                for h in &mut w.headers {
                    h.value = f(&h.value)?;
                }
            }
            ProviderConfig::Command(c) => {
                for a in &mut c.argv {
                    *a = f(a)?;
                }
            }
            ProviderConfig::File(c) => {
                c.path = f(&c.path)?;
                if let Some(j) = &mut c.json_path {
                    *j = f(j)?;
                }
            }
        }
        Ok(())
    }

    /// Checks what can be checked before measuring (addresses, selectors, environment
    /// variables) and builds the provider. Relative file paths resolve against `base`.
    pub fn build(&self, base: &std::path::Path) -> Result<Box<dyn Provider>, String> {
        Ok(match self {
            ProviderConfig::Prometheus(p) => Box::new(prometheus::Prometheus::new(p)?),
            ProviderConfig::Web(w) => Box::new(web::Web::new(w)?),
            ProviderConfig::Command(c) => Box::new(command::Command::new(c)?),
            ProviderConfig::File(c) => Box::new(file::File::new(c, base)?),
        })
    }
}
