//! Docker checks run a command inside a container through the Docker engine.
//! Without a reachable engine the check is critical and says why.

use std::path::Path;

use super::Probe;

/// Where the Docker engine listens.
pub const DOCKER_SOCKET: &str = "/var/run/docker.sock";

/// Probe once: needs the engine's socket.
pub async fn probe(container: &str) -> Probe {
    if !Path::new(DOCKER_SOCKET).exists() {
        return Probe::critical(format!(
            "docker check on container {container:?}: no Docker engine at unix://{DOCKER_SOCKET}"
        ));
    }
    match tokio::net::UnixStream::connect(DOCKER_SOCKET).await {
        Ok(_) => Probe::critical(format!(
            "docker check on container {container:?}: running commands through the Docker engine is not supported by this agent yet"
        )),
        Err(e) => Probe::critical(format!("docker check on container {container:?}: cannot reach the Docker engine: {e}")),
    }
}
