//! The web UI: static files embedded at compile time (see `build.rs` and the
//! `ui/` folder of this crate) or read from `ui_config.dir`, served under
//! `ui_config.content_path` with the runtime config injected into
//! `index.html`. When the UI is disabled, `/` answers Consul's text.

pub mod assets;
pub mod index;
pub mod serve;

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::Request;
use axum::routing::get;
use axum::Router;

use crate::agent::Agent;

/// What the UI is served with, taken from the runtime config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiSettings {
    /// `-ui` / `ui_config.enabled`.
    pub enabled: bool,
    /// `ui_config.dir`: serve files from here instead of the embedded ones.
    pub dir: Option<PathBuf>,
    /// `ui_config.content_path`, with a leading and trailing `/`.
    pub content_path: String,
    /// The agent's datacenter (`LocalDatacenter` in the injected config).
    pub datacenter: String,
    /// `ACLsEnabled` in the injected config.
    pub acls_enabled: bool,
}

impl UiSettings {
    /// The settings of a loaded agent config.
    pub fn from_config(cfg: &consul_config::RuntimeConfig) -> Self {
        UiSettings {
            enabled: cfg.ui,
            dir: cfg.ui_dir.as_ref().map(PathBuf::from),
            content_path: cfg.ui_content_path.clone(),
            datacenter: cfg.datacenter.clone(),
            acls_enabled: cfg.acl.enabled,
        }
    }
}

/// Add the UI's routes to the API's: the UI (when enabled) or the text
/// answer at `/`, and a 404 for every other unknown path.
pub fn mount(router: Router<Arc<Agent>>, settings: Option<UiSettings>) -> Router<Arc<Agent>> {
    match settings.filter(|s| s.enabled) {
        None => router.route("/", get(disabled)).fallback(serve::not_found),
        Some(s) => {
            let ui = Arc::new(serve::Ui::new(s));
            router.fallback(move |req: Request| serve::handle(ui.clone(), req))
        }
    }
}

async fn disabled() -> &'static str {
    "Consul Agent: UI disabled. To enable, set ui_config.enabled=true in the agent configuration and restart."
}
