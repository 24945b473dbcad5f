//! `hf-hub-peer OWNER/NAME [FILE]`: downloads one file (or, without FILE, the whole snapshot)
//! of a model repo into the cache with the `hf-hub` crate, reading the endpoint, token and cache
//! folder from the environment (`HF_ENDPOINT`, `HF_TOKEN`, `HF_HUB_CACHE`), and prints its path.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let Some(repo) = args.next() else {
        return Err("usage: hf-hub-peer OWNER/NAME [FILE]".into());
    };
    let (owner, name) = repo.split_once('/').ok_or("OWNER/NAME")?;
    let client = hf_hub::HFClient::new()?;
    let repo = client.model(owner, name);
    let path = match args.next() {
        Some(file) => repo.download_file().filename(file).send().await?,
        None => repo.snapshot_download().send().await?,
    };
    println!("{}", path.display());
    Ok(())
}
