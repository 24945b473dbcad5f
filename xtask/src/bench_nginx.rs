//! The CDN of `cargo xtask bench download --server nginx`: nginx from the system, started and
//! stopped by the bench with a generated config, serving the hub's LFS objects with sendfile
//! at the path the hub's signed redirect names (`/cdn/lfs/{sha256}`), the way the Hub's CDN
//! serves the bytes while the Hub answers the API.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running nginx; stopped on drop.
pub struct Nginx {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
}

/// The nginx binary, or how to get it.
fn binary() -> Result<PathBuf, String> {
    ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .ok_or_else(|| {
            "nginx not found: install it (Debian/Ubuntu: `apt-get install -y nginx`), \
             or pass `--server hub` to serve the bytes from hf-local-hub itself"
                .to_owned()
        })
}

/// True when this process runs as root (nginx's workers would then drop to `nobody`, who
/// cannot read the hub's files, which are created private).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

impl Nginx {
    /// A free port on loopback, for the config (the hub needs the URL before nginx starts).
    pub fn free_port() -> Result<u16, String> {
        let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
        l.local_addr()
            .map(|a| a.port())
            .map_err(|e| format!("no free port: {e}"))
    }

    /// Starts nginx on `port`, serving `{lfs_dir}/{ab}/{sha256}` as `/cdn/lfs/{sha256}`;
    /// its config, logs and temp folders go under `work`.
    pub fn start(port: u16, lfs_dir: &Path, work: &Path) -> Result<Nginx, String> {
        let nginx = binary()?;
        let prefix = work.join("nginx");
        std::fs::create_dir_all(prefix.join("tmp"))
            .map_err(|e| format!("{}: {e}", prefix.display()))?;
        let p = prefix.display();
        let user = if is_root() { "user root root;\n" } else { "" };
        // One process, no daemon: killing the child stops it all. sendfile as a CDN would.
        let config = format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\n{user}\
             pid {p}/nginx.pid;\nerror_log {p}/error.log warn;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n\
               default_type application/octet-stream;\n\
               client_body_temp_path {p}/tmp/body;\n  proxy_temp_path {p}/tmp/proxy;\n\
               fastcgi_temp_path {p}/tmp/fastcgi;\n  uwsgi_temp_path {p}/tmp/uwsgi;\n\
               scgi_temp_path {p}/tmp/scgi;\n\
               server {{\n    listen 127.0.0.1:{port};\n\
                 location ~ \"^/cdn/lfs/([0-9a-f]{{2}})([0-9a-f]{{62}})$\" {{\n\
                   alias {lfs}/$1/$1$2;\n    }}\n  }}\n}}\n",
            lfs = lfs_dir.display()
        );
        let conf = prefix.join("nginx.conf");
        std::fs::write(&conf, config).map_err(|e| format!("{}: {e}", conf.display()))?;
        let child = Command::new(&nginx)
            .arg("-p")
            .arg(&prefix)
            .arg("-e")
            .arg(prefix.join("error.log"))
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", nginx.display()))?;
        let mut server = Nginx {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                let log = std::fs::read_to_string(prefix.join("error.log")).unwrap_or_default();
                return Err(format!("nginx exited ({status}): {log}"));
            }
            if started.elapsed() > Duration::from_secs(10) {
                return Err("nginx did not listen within 10 s".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(server)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
