//! Downloads from the Hugging Face Hub into the file cache the Python client uses.
//!
//! The cache layout, the lock files, the ref files, the `.no_exist` markers and the
//! `trees/{commit}.json` listings are exactly those of `huggingface_hub`, so a cache
//! filled by either client serves the other. Every download is written to a temp
//! file unique to the process, verified while it streams (SHA-256 for LFS files, the
//! git blob SHA-1 otherwise) and renamed into place: a cache is never left corrupt,
//! whatever happens to the process or the connection.
//!
//! ```
//! use hf_cache::{CacheDir, CachedFile, scan_cache_dir, try_to_load_from_cache};
//! use hf_types::{RepoType, Revision};
//!
//! let dir = tempfile::tempdir()?;
//! let cache = CacheDir::new(dir.path());
//! let repo = "acme/tiny".parse()?;
//! let found = try_to_load_from_cache(&cache, &repo, RepoType::Model, &Revision::main(), "config.json")?;
//! assert_eq!(found, CachedFile::NotCached);
//! assert!(scan_cache_dir(cache.path())?.repos.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod delete;
mod download;
mod error;
mod fsutil;
mod hash;
mod layout;
mod local_dir;
mod lookup;
mod metadata;
mod net;
mod parallel;
mod pool;
mod positioned;
mod progress;
mod scan;
mod snapshot;
mod transfer;
mod trees;
mod writer;

// The public API: what the facade, the CLI and callers use. Locks, hashers, the local-dir
// metadata, the tree listings and the layout helpers are implementation details.
pub use delete::DeleteCacheStrategy;
pub use download::{DownloadOptions, DownloadRequest, HubDownload};
pub use error::{Error, ErrorContext, ErrorKind, Result};
pub use hash::{git_blob_sha1, sha256_hex};
pub use layout::CacheDir;
pub use lookup::{CachedFile, try_to_load_from_cache};
pub use metadata::{HfFileMetadata, get_hf_file_metadata, hf_hub_url};
pub use progress::{NoReporter, Reporter, SharedReporter};
pub use scan::{
    CachedFileInfo, CachedRepoInfo, CachedRevisionInfo, CorruptedCache, HfCacheInfo, format_size,
    scan_cache_dir,
};
pub use snapshot::SnapshotDownload;

pub(crate) use fsutil::FileLock;
pub(crate) use hash::ContentHasher;

/// The traits that give the download builders their shared setters (`repo_type()`,
/// `revision()`, `cache_dir()`, ...): `use hf_cache::prelude::*;`.
pub mod prelude {
    pub use crate::download::DownloadRequest;
    pub use hf_http::{RepoRequest, RevisionRequest};
}
