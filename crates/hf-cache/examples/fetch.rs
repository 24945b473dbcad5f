//! `snapshot_download` from the command line, configured by the environment as the
//! Python client is (`HF_ENDPOINT`, `HF_TOKEN`, `HF_HUB_CACHE`, `HF_HUB_OFFLINE`, ...).
//!
//! `cargo run -p hf-cache --example fetch -- REPO_ID [REVISION] [FILENAME]`
//! prints the snapshot folder (or the file) last. Used for interop checks with Python.

use hf_cache::prelude::*;
use hf_cache::{CacheDir, HubDownload, SnapshotDownload};
use hf_http::HubClient;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let repo = args
        .next()
        .ok_or("usage: fetch REPO_ID [REVISION] [FILENAME]")?;
    let revision = args.next().unwrap_or_else(|| "main".to_owned());
    let client = HubClient::from_env()?;
    let cache = CacheDir::from_env();
    let path = match args.next() {
        Some(file) => {
            HubDownload::new(client, repo.parse()?, file)
                .revision(revision.parse()?)
                .cache_dir(cache)
                .await?
        }
        None => {
            SnapshotDownload::new(client, repo.parse()?)
                .revision(revision.parse()?)
                .cache_dir(cache)
                .await?
        }
    };
    eprintln!("{}", path.display());
    Ok(())
}
