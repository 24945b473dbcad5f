//! `hf_hub_download(local_dir=...)`: real files in a folder, with the Python client's
//! metadata under `.cache/huggingface/download/` (protocol §4.5, §5.5).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hf_types::{RepoPath, Revision};
use sha1::{Digest, Sha1};

use crate::download::{HubDownload, blocking};
use crate::fsutil::{FileLock, copy_atomic, create_parent, io_err, write_atomic};
use crate::hash::{EtagKind, hash_file};
use crate::layout::os_relpath;
use crate::metadata::HfFileMetadata;
use crate::transfer::fetch_into;
use crate::{CachedFile, Error, try_to_load_from_cache};

/// The files `local_dir` mode uses for one repo path.
#[derive(Debug, Clone)]
pub struct LocalDirPaths {
    /// `{local_dir}/{path}`.
    pub file: PathBuf,
    /// `{local_dir}/.cache/huggingface/download/{path}.metadata`.
    pub metadata: PathBuf,
    /// `{local_dir}/.cache/huggingface/download/{path}.lock`.
    pub lock: PathBuf,
    /// The folder of the metadata file (holds the `.incomplete` files).
    pub download_dir: PathBuf,
}

impl LocalDirPaths {
    /// The paths for `path` under `local_dir`.
    pub fn new(local_dir: &Path, path: &RepoPath) -> LocalDirPaths {
        let rel = os_relpath(path);
        let base = local_dir
            .join(".cache")
            .join("huggingface")
            .join("download");
        let metadata = base.join(format!("{}.metadata", rel.display()));
        let lock = base.join(format!("{}.lock", rel.display()));
        let download_dir = metadata.parent().map(Path::to_path_buf).unwrap_or(base);
        LocalDirPaths {
            file: local_dir.join(rel),
            metadata,
            lock,
            download_dir,
        }
    }

    /// `{short}.{etag}.incomplete`, `short` being the URL-safe base64 of the SHA-1 of the
    /// metadata file's base name.
    pub fn incomplete(&self, etag: &str) -> PathBuf {
        let base = self
            .metadata
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        let short = base64::engine::general_purpose::URL_SAFE.encode(Sha1::digest(base.as_bytes()));
        self.download_dir.join(format!("{short}.{etag}.incomplete"))
    }
}

/// A `local_dir` download record: commit, etag and when it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalDownloadMetadata {
    /// The commit the file was downloaded at.
    pub commit: String,
    /// Its ETag.
    pub etag: String,
    /// Unix time (seconds) of the record.
    pub timestamp: f64,
}

/// Reads the metadata of a file; `None` when absent, unparsable (then deleted) or older
/// than the file (the file was modified since).
pub fn read_local_metadata(paths: &LocalDirPaths) -> Option<LocalDownloadMetadata> {
    let text = fs::read_to_string(&paths.metadata).ok()?;
    let mut lines = text.lines();
    let parsed = (|| {
        let commit = lines.next()?.trim().to_owned();
        let etag = lines.next()?.trim().to_owned();
        let timestamp: f64 = lines.next()?.trim().parse().ok()?;
        Some(LocalDownloadMetadata {
            commit,
            etag,
            timestamp,
        })
    })();
    let Some(meta) = parsed else {
        let _ = fs::remove_file(&paths.metadata);
        return None;
    };
    let mtime = fs::metadata(&paths.file).ok()?.modified().ok()?;
    let mtime = mtime.duration_since(UNIX_EPOCH).ok()?.as_secs_f64();
    (mtime - 1.0 <= meta.timestamp).then_some(meta)
}

/// Writes the metadata (and the `.gitignore` of `.cache/huggingface`), atomically.
pub fn write_local_metadata(
    local_dir: &Path,
    paths: &LocalDirPaths,
    commit: &str,
    etag: &str,
) -> Result<(), Error> {
    ensure_gitignore(local_dir)?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or_default();
    write_atomic(
        &paths.metadata,
        format!("{commit}\n{etag}\n{now}\n").as_bytes(),
    )
}

fn ensure_gitignore(local_dir: &Path) -> Result<(), Error> {
    let gi = local_dir
        .join(".cache")
        .join("huggingface")
        .join(".gitignore");
    if !gi.exists() {
        write_atomic(&gi, b"*")?;
    }
    Ok(())
}

pub(crate) async fn download(
    req: &HubDownload,
    local_dir: &Path,
    path: &RepoPath,
) -> Result<PathBuf, Error> {
    let paths = LocalDirPaths::new(local_dir, path);
    let force = req.options.force_download;
    // 1. A pinned commit already downloaded.
    let rev = req.rev();
    if rev.is_commit()
        && !force
        && paths.file.is_file()
        && read_local_metadata(&paths).is_some_and(|m| m.commit == rev.as_str())
    {
        req.options.reporter.on_cached(path.as_str(), &paths.file);
        return Ok(paths.file);
    }
    // 2-3. Metadata, or the local file as is.
    let meta = match req.metadata(path).await? {
        Ok(m) => m,
        Err(e @ Error::EntryNotFound(_)) => return Err(e),
        Err(remembered) => {
            if !force && paths.file.is_file() {
                tracing::warn!(file = %paths.file.display(), error = %remembered, "could not check the file on the Hub; using the local copy");
                return Ok(paths.file);
            }
            return Err(req.fallback_error(&format!("{} in {}", path, req.repo_id()), remembered));
        }
    };
    // 4. The local file is already this version.
    if !force && paths.file.is_file() {
        let same = match read_local_metadata(&paths) {
            Some(m) => m.etag == meta.etag,
            None if EtagKind::of(&meta.etag) == EtagKind::Sha256 => {
                let (file, etag) = (paths.file.clone(), meta.etag.clone());
                blocking(move || hash_file(&file, &etag).map_err(io_err("hash", &file)))
                    .await?
                    .is_some_and(|h| h == meta.etag)
            }
            None => false,
        };
        if same {
            write_local_metadata(local_dir, &paths, &meta.commit, &meta.etag)?;
            req.options.reporter.on_cached(path.as_str(), &paths.file);
            return Ok(paths.file);
        }
    }
    let lock = FileLock::acquire_async(paths.lock.clone()).await?;
    // 5. Copy from the cache when it has this commit's file.
    if !force {
        let cache = req.cache()?;
        let commit_rev: Revision = meta.commit.parse()?;
        if let CachedFile::Found(cached) = try_to_load_from_cache(
            &cache,
            req.repo_id(),
            req.target.repo_type(),
            &commit_rev,
            path.as_str(),
        )? {
            let (from, to) = (cached, paths.file.clone());
            blocking(move || copy_atomic(&from, &to)).await?;
            write_local_metadata(local_dir, &paths, &meta.commit, &meta.etag)?;
            drop(lock);
            req.options.reporter.on_cached(path.as_str(), &paths.file);
            return Ok(paths.file);
        }
    }
    // 6. Download.
    let file = fetch_to_local(req, local_dir, &paths, path, &meta).await?;
    drop(lock);
    Ok(file)
}

/// Downloads into `{short}.{etag}.incomplete`, moves it into place and records the metadata.
pub(crate) async fn fetch_to_local(
    req: &HubDownload,
    local_dir: &Path,
    paths: &LocalDirPaths,
    path: &RepoPath,
    meta: &HfFileMetadata,
) -> Result<PathBuf, Error> {
    let temp = paths.incomplete(&meta.etag);
    create_parent(&temp)?;
    if req.options.force_download {
        let _ = fs::remove_file(&temp);
    }
    let (url, no_auth) = req.get_target(path, meta);
    let fetch = req.fetch_of(path, meta, &url, no_auth);
    fetch_into(
        req.client(),
        &fetch,
        temp.clone(),
        req.options.max_connections,
    )
    .await?;
    create_parent(&paths.file)?;
    if paths.file.is_file() {
        let _ = fs::remove_file(&paths.file);
    }
    fs::rename(&temp, &paths.file).map_err(io_err("move into place", &paths.file))?;
    write_local_metadata(local_dir, paths, &meta.commit, &meta.etag)?;
    req.options
        .reporter
        .on_download_done(path.as_str(), &paths.file);
    Ok(paths.file.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let p: RepoPath = "sub/model.safetensors".parse().unwrap();
        let paths = LocalDirPaths::new(dir.path(), &p);
        assert!(
            paths
                .metadata
                .ends_with(".cache/huggingface/download/sub/model.safetensors.metadata")
        );
        assert!(
            paths
                .lock
                .ends_with(".cache/huggingface/download/sub/model.safetensors.lock")
        );
        let inc = paths.incomplete("abc");
        let name = inc.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.ends_with(".abc.incomplete") && name.len() == 28 + ".abc.incomplete".len(),
            "{name}"
        );
        assert!(read_local_metadata(&paths).is_none());
        fs::create_dir_all(paths.file.parent().unwrap()).unwrap();
        fs::write(&paths.file, b"x").unwrap();
        write_local_metadata(dir.path(), &paths, "c", "e").unwrap();
        let m = read_local_metadata(&paths).unwrap();
        assert_eq!((m.commit.as_str(), m.etag.as_str()), ("c", "e"));
        assert_eq!(
            fs::read_to_string(dir.path().join(".cache/huggingface/.gitignore")).unwrap(),
            "*"
        );
        fs::write(&paths.metadata, "garbage").unwrap();
        assert!(read_local_metadata(&paths).is_none());
        assert!(!paths.metadata.exists());
    }
}
