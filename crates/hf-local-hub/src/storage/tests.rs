//! White-box tests of the store: crash safety of LFS ingestion, commit checks and deduplication.
//! (Behaviour seen over HTTP is tested in `tests/`.)

use std::path::{Path, PathBuf};

use bytes::Bytes;
use hf_types::RepoType;
use sha2::Digest;

use super::{CommitInput, NewRepo, Op, RepoRecord, Store, StoreError};

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn count_files(dir: &Path) -> usize {
    walk(dir).len()
}

fn open(dir: &Path) -> Store {
    Store::open(dir).unwrap()
}

/// Creates the public repo `id` (`namespace/name`); shared by the storage modules' tests.
pub(super) async fn create(store: &Store, repo_type: RepoType, id: &str) -> RepoRecord {
    let (namespace, name) = id.split_once('/').unwrap();
    store
        .create_repo(NewRepo {
            repo_type,
            namespace: namespace.into(),
            name: name.into(),
            private: false,
            sdk: None,
            extra: serde_json::json!({}),
        })
        .await
        .unwrap()
}

fn input(ops: Vec<Op>, parent: Option<String>) -> CommitInput {
    CommitInput {
        summary: "s".into(),
        description: "d".into(),
        parent_commit: parent,
        author: "alice".into(),
        ops,
    }
}

fn add(path: &str, bytes: &'static [u8]) -> Op {
    Op::AddRegular {
        path: path.into(),
        bytes: Bytes::from_static(bytes),
    }
}

async fn head(store: &Store, repo: &RepoRecord) -> String {
    store.resolve_revision(repo, "main").await.unwrap().unwrap()
}

fn sha256(content: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(content))
}

fn chunks(parts: Vec<Vec<u8>>) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    futures_util::stream::iter(parts.into_iter().map(|p| Ok(Bytes::from(p))))
}

/// A repo `alice/a` with `x.txt` and `y.txt` (same bytes) on main.
async fn seeded(dir: &Path) -> (Store, RepoRecord) {
    let store = open(dir);
    let repo = create(&store, RepoType::Model, "alice/a").await;
    let ops = vec![add("x.txt", b"same bytes"), add("y.txt", b"same bytes")];
    store.commit(&repo, "main", input(ops, None)).await.unwrap();
    (store, repo)
}

#[tokio::test]
async fn a_failed_or_wrong_lfs_ingest_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let sha = sha256(&[1u8; 100_000]);
    // The body fails half-way.
    let cut = futures_util::stream::iter(vec![
        Ok(Bytes::from(vec![1u8; 50_000])),
        Err(std::io::Error::other("client went away")),
    ]);
    let err = store
        .lfs_ingest(&sha, Some(100_000), cut)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::BadRequest(_)), "{err}");
    // Wrong content for the announced sha.
    let err = store
        .lfs_ingest(&sha, Some(100_000), chunks(vec![vec![2u8; 100_000]]))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::LfsMismatch(_)), "{err}");
    // Too many bytes.
    let more = chunks(vec![vec![1u8; 100_001]]);
    assert!(store.lfs_ingest(&sha, Some(100_000), more).await.is_err());
    // Bad oid.
    let x = chunks(vec![b"x".to_vec()]);
    assert!(store.lfs_ingest("../../etc", None, x).await.is_err());
    assert_eq!(store.lfs_object(&sha).await.unwrap(), None);
    assert_eq!(count_files(&dir.path().join("tmp")), 0, "temp files leaked");
    assert_eq!(count_files(&dir.path().join("objects/lfs")), 0);
}

#[tokio::test]
async fn a_commit_of_a_missing_lfs_object_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let repo = create(&store, RepoType::Model, "alice/c").await;
    let before = head(&store, &repo).await;
    let ops = vec![
        add("ok.txt", b"ok"),
        Op::AddLfs {
            path: "w.bin".into(),
            sha256: sha256(b"never uploaded"),
            size: Some(14),
        },
    ];
    let err = store
        .commit(&repo, "main", input(ops, None))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::LfsObjectMissing(_)), "{err}");
    assert_eq!(head(&store, &repo).await, before);
    let log = store.history(&before, 0, 10).await.unwrap().0;
    assert_eq!(log.len(), 1, "the refused commit must not be visible");
}

#[tokio::test]
async fn a_crash_leftover_in_tmp_is_removed_at_open() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path()));
    std::fs::write(dir.path().join("tmp").join("leftover"), b"half an upload").unwrap();
    let store = open(dir.path());
    assert_eq!(count_files(&dir.path().join("tmp")), 0);
    assert_eq!(
        store.lfs_object(&sha256(b"half an upload")).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn a_good_lfs_upload_is_stored_once_and_a_second_one_is_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let sha = sha256(&[1u8; 100_000]);
    for _ in 0..2 {
        let body = chunks(vec![vec![1u8; 60_000], vec![1u8; 40_000]]);
        assert_eq!(store.lfs_ingest(&sha, None, body).await.unwrap(), 100_000);
    }
    assert_eq!(store.lfs_object(&sha).await.unwrap(), Some(100_000));
    assert_eq!(count_files(&dir.path().join("objects/lfs")), 1);
}

#[tokio::test]
async fn lfs_ingest_file_adopts_a_finished_temp_file_or_removes_a_wrong_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let abc = sha256(b"abc");
    let tmp = store.temp_path();
    std::fs::write(&tmp, b"abc").unwrap();
    assert_eq!(
        store
            .lfs_ingest_file(&abc, Some(3), tmp.clone())
            .await
            .unwrap(),
        3
    );
    assert!(!tmp.exists());
    let tmp = store.temp_path();
    std::fs::write(&tmp, b"abd").unwrap();
    assert!(
        store
            .lfs_ingest_file(&abc, Some(3), tmp.clone())
            .await
            .is_err()
    );
    assert!(!tmp.exists());
}

#[tokio::test]
async fn identical_content_is_stored_as_one_blob_across_repos() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let a = create(&store, RepoType::Model, "alice/a").await;
    let b = create(&store, RepoType::Dataset, "alice/b").await;
    let before = count_files(&dir.path().join("objects/git"));
    let ops = vec![add("x.txt", b"same bytes"), add("y.txt", b"same bytes")];
    store.commit(&a, "main", input(ops, None)).await.unwrap();
    let ops = vec![add("z.txt", b"same bytes")];
    store.commit(&b, "main", input(ops, None)).await.unwrap();
    assert_eq!(
        count_files(&dir.path().join("objects/git")),
        before + 1,
        "one blob for identical content"
    );
}

#[tokio::test]
async fn a_stale_parent_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (store, a) = seeded(dir.path()).await;
    let before = head(&store, &a).await;
    let err = store
        .commit(&a, "main", input(vec![], Some("0".repeat(40))))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::ParentMismatch { .. }), "{err}");
    assert_eq!(head(&store, &a).await, before);
}

#[tokio::test]
async fn deleting_a_missing_file_or_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (store, a) = seeded(dir.path()).await;
    let before = head(&store, &a).await;
    let delete = Op::DeleteFile {
        path: "nope".into(),
    };
    let err = store
        .commit(&a, "main", input(vec![delete], None))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("A file with this name doesn't exist"),
        "{err}"
    );
    let delete = Op::DeleteFolder {
        path: "nope/".into(),
    };
    let err = store
        .commit(&a, "main", input(vec![delete], None))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::EntryNotFound(_)), "{err}");
    assert_eq!(head(&store, &a).await, before);
}

#[tokio::test]
async fn traversing_paths_and_file_folder_clashes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (store, a) = seeded(dir.path()).await;
    let before = head(&store, &a).await;
    for p in ["../x", "/abs", "..\\b", "a/./b", "nul\0", "x.txt/inner"] {
        let err = store
            .commit(&a, "main", input(vec![add(p, b"")], None))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::BadRequest(_)), "{p}: {err}");
    }
    assert_eq!(head(&store, &a).await, before);
}

#[tokio::test]
async fn commits_go_to_existing_branches_only() {
    let dir = tempfile::tempdir().unwrap();
    let (store, a) = seeded(dir.path()).await;
    assert!(matches!(
        store
            .commit(&a, "nobranch", input(vec![], None))
            .await
            .unwrap_err(),
        StoreError::RevisionNotFound(_)
    ));
    assert!(matches!(
        store
            .commit(&a, "refs/tags/v1", input(vec![], None))
            .await
            .unwrap_err(),
        StoreError::BadRequest(_)
    ));
}

#[tokio::test]
async fn copy_and_deletes_change_the_head_and_keep_old_revisions() {
    let dir = tempfile::tempdir().unwrap();
    let (store, a) = seeded(dir.path()).await;
    let old = head(&store, &a).await;
    let ops = vec![
        Op::Copy {
            src_path: "x.txt".into(),
            src_revision: None,
            dest_path: "sub/copy.txt".into(),
        },
        Op::DeleteFile {
            path: "y.txt".into(),
        },
    ];
    let out = store
        .commit(&a, "main", input(ops, Some(old.clone())))
        .await
        .unwrap();
    assert_eq!(out.target_ref, "refs/heads/main");
    let copied = store
        .read_file_at(&out.commit_id, "sub/copy.txt", 1 << 20)
        .await
        .unwrap();
    assert_eq!(copied.as_deref(), Some(&b"same bytes"[..]));
    assert!(
        store
            .tree_entry(&out.commit_id, "y.txt")
            .await
            .unwrap()
            .is_none()
    );
    let delete = Op::DeleteFolder { path: "sub".into() };
    let out = store
        .commit(&a, "main", input(vec![delete], None))
        .await
        .unwrap();
    assert!(
        store
            .tree_entry(&out.commit_id, "sub/copy.txt")
            .await
            .unwrap()
            .is_none()
    );
    // Old revisions stay readable.
    assert!(store.tree_entry(&old, "y.txt").await.unwrap().is_some());
}

#[tokio::test]
async fn of_two_concurrent_commits_on_one_parent_exactly_one_wins() {
    let dir = tempfile::tempdir().unwrap();
    let (store, a) = seeded(dir.path()).await;
    let parent = head(&store, &a).await;
    let (s1, s2) = (store.clone(), store.clone());
    let (a1, a2) = (a.clone(), a.clone());
    let i1 = input(vec![add("r1", b"1")], Some(parent.clone()));
    let i2 = input(vec![add("r2", b"2")], Some(parent));
    let (r1, r2) = tokio::join!(
        tokio::spawn(async move { s1.commit(&a1, "main", i1).await }),
        tokio::spawn(async move { s2.commit(&a2, "main", i2).await })
    );
    let wins = [r1.unwrap().is_ok(), r2.unwrap().is_ok()];
    assert_eq!(wins.iter().filter(|ok| **ok).count(), 1);
}

// ---- Issue 16 item 12: incremental trees, concurrent reads, garbage collection; item 8: paths.

/// Bytes of the database (main file and WAL content), as the writer sees it.
fn db_bytes(store: &Store) -> i64 {
    let conn = store.inner.conn.lock().unwrap();
    let pages: i64 = conn
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    let size: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    pages * size
}

fn owned(path: String, content: Vec<u8>) -> Op {
    Op::AddRegular {
        path,
        bytes: Bytes::from(content),
    }
}

#[tokio::test]
async fn a_one_file_commit_in_a_1000_file_repo_adds_little_to_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let repo = create(&store, RepoType::Model, "alice/big").await;
    let ops = (0..1000)
        // One content for all: the test is about trees, not blobs (and 1000 fsyncs are slow).
        .map(|i| owned(format!("d{}/f{i}.txt", i / 100), b"same".to_vec()))
        .collect();
    store.commit(&repo, "main", input(ops, None)).await.unwrap();
    let before = db_bytes(&store);
    let ops = vec![owned("d3/f350.txt".into(), b"changed".to_vec())];
    let id = store
        .commit(&repo, "main", input(ops, None))
        .await
        .unwrap()
        .commit_id;
    let added = db_bytes(&store) - before;
    // A full snapshot is ~1000 rows (hundreds of KiB); only the root (10 folders) and `d3`
    // (100 files) change.
    assert!(added <= 64 * 1024, "a 1-file commit added {added} bytes");
    // And the tree reads back whole, with last commits.
    let all = store.list_tree(&id, "", true).await.unwrap();
    assert_eq!(all.len(), 1000 + 10 + 1);
    let changed = store.tree_entry(&id, "d3/f350.txt").await.unwrap().unwrap();
    assert_eq!(changed.size, 7);
    assert_eq!(changed.last_commit, id);
    let other = store.tree_entry(&id, "d4/f450.txt").await.unwrap().unwrap();
    assert_ne!(other.last_commit, id);
    let d3 = store.tree_entry(&id, "d3").await.unwrap().unwrap();
    assert_eq!(d3.last_commit, id);
    assert_ne!(
        store
            .tree_entry(&id, "d4")
            .await
            .unwrap()
            .unwrap()
            .last_commit,
        id
    );
}

#[tokio::test]
async fn a_read_completes_while_a_long_write_transaction_is_held() {
    let dir = tempfile::tempdir().unwrap();
    let (store, repo) = seeded(dir.path()).await;
    let commit = head(&store, &repo).await;
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let writer = {
        let store = store.clone();
        std::thread::spawn(move || {
            let conn = store.inner.conn.lock().unwrap();
            conn.execute_batch("BEGIN IMMEDIATE; UPDATE repos SET last_modified_ms = 0;")
                .unwrap();
            ready_tx.send(()).unwrap();
            release_rx.recv().unwrap();
            conn.execute_batch("ROLLBACK").unwrap();
        })
    };
    ready_rx.recv().unwrap();
    let reads = async {
        let found = store.repo(RepoType::Model, "alice/a").await.unwrap();
        let rev = store.resolve_revision(&repo, "main").await.unwrap();
        let entry = store.tree_entry(&commit, "x.txt").await.unwrap();
        let list = store.list_tree(&commit, "", false).await.unwrap();
        (found, rev, entry, list)
    };
    let outcome = tokio::time::timeout(std::time::Duration::from_secs(10), reads).await;
    release_tx.send(()).unwrap();
    writer.join().unwrap();
    let (found, rev, entry, list) = outcome.expect("reads waited for the writer");
    assert_eq!(found.unwrap().pk, repo.pk);
    assert_eq!(rev.as_deref(), Some(commit.as_str()));
    assert_eq!(entry.unwrap().size, 10);
    assert_eq!(list.len(), 3);
}

fn age(path: &Path, secs: u64) {
    let when = std::time::SystemTime::now() - std::time::Duration::from_secs(secs);
    std::fs::File::open(path)
        .unwrap()
        .set_modified(when)
        .unwrap();
}

#[tokio::test]
async fn gc_removes_old_unreferenced_uploads_and_staging_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let (store, repo) = seeded(dir.path()).await;
    let day = 24 * 3600;
    let mut shas = Vec::new();
    for content in [b"committed".as_slice(), b"abandoned", b"young"] {
        let sha = sha256(content);
        store
            .lfs_ingest(&sha, None, chunks(vec![content.to_vec()]))
            .await
            .unwrap();
        shas.push(sha);
    }
    let op = Op::AddLfs {
        path: "w.bin".into(),
        sha256: shas[0].clone(),
        size: None,
    };
    store
        .commit(&repo, "main", input(vec![op], None))
        .await
        .unwrap();
    age(&store.lfs_path(&shas[0]).unwrap(), 2 * day);
    age(&store.lfs_path(&shas[1]).unwrap(), 2 * day);
    // Staging: an old folder of parts, an old single file, a young folder.
    let tmp = dir.path().join("tmp");
    let old_dir = tmp.join("multipart-aa");
    std::fs::create_dir_all(&old_dir).unwrap();
    std::fs::write(old_dir.join("1"), b"part").unwrap();
    age(&old_dir.join("1"), 2 * day);
    age(&old_dir, 2 * day);
    std::fs::write(tmp.join("multipart-bb"), b"parts").unwrap();
    age(&tmp.join("multipart-bb"), 2 * day);
    let young_dir = tmp.join("multipart-cc");
    std::fs::create_dir_all(&young_dir).unwrap();
    std::fs::write(young_dir.join("1"), b"part").unwrap();

    let report = store
        .collect_garbage(std::time::Duration::from_secs(day))
        .await
        .unwrap();
    assert_eq!(report.lfs_objects, 1);
    assert_eq!(report.lfs_bytes, b"abandoned".len() as u64);
    assert_eq!(report.staging_entries, 2);
    assert!(
        store.lfs_object(&shas[0]).await.unwrap().is_some(),
        "committed object removed"
    );
    assert!(
        store.lfs_object(&shas[1]).await.unwrap().is_none(),
        "abandoned object kept"
    );
    assert!(
        store.lfs_object(&shas[2]).await.unwrap().is_some(),
        "young object removed"
    );
    assert!(!old_dir.exists() && !tmp.join("multipart-bb").exists());
    assert!(young_dir.join("1").exists());
    // The committed object is still served, and a commit of the young one still works.
    let op = Op::AddLfs {
        path: "y.bin".into(),
        sha256: shas[2].clone(),
        size: None,
    };
    store
        .commit(&repo, "main", input(vec![op], None))
        .await
        .unwrap();
}

#[tokio::test]
async fn paths_over_the_limits_are_refused_and_a_path_at_the_limit_commits() {
    use super::{MAX_PATH_BYTES, MAX_PATH_DEPTH, MAX_SEGMENT_BYTES};
    let dir = tempfile::tempdir().unwrap();
    let (store, repo) = seeded(dir.path()).await;
    // Exactly MAX_PATH_BYTES, with segments of the longest length allowed.
    let seg = "s".repeat(MAX_SEGMENT_BYTES);
    let mut at_limit = format!("{seg}/{seg}/{seg}/{}/", &seg[1..]);
    at_limit.push_str(&"f".repeat(MAX_PATH_BYTES - at_limit.len()));
    assert_eq!(at_limit.len(), MAX_PATH_BYTES);
    let deep = vec!["d"; MAX_PATH_DEPTH].join("/");
    let ops = vec![
        owned(at_limit.clone(), b"long".to_vec()),
        owned(deep.clone(), b"deep".to_vec()),
    ];
    let id = store
        .commit(&repo, "main", input(ops, None))
        .await
        .unwrap()
        .commit_id;
    assert_eq!(
        store
            .read_file_at(&id, &at_limit, 100)
            .await
            .unwrap()
            .unwrap(),
        Bytes::from_static(b"long")
    );
    assert_eq!(
        store.read_file_at(&id, &deep, 100).await.unwrap().unwrap(),
        Bytes::from_static(b"deep")
    );
    let too_long = format!("{at_limit}x");
    let too_deep = format!("d/{deep}");
    let too_wide = "w".repeat(MAX_SEGMENT_BYTES + 1);
    let huge = vec!["a"; 50_000].join("/");
    for path in [too_long, too_deep, too_wide, huge] {
        let ops = vec![owned(path.clone(), b"x".to_vec())];
        let err = store
            .commit(&repo, "main", input(ops, None))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::BadRequest(m) if m.contains("allowed")),
            "{}: {err}",
            path.len()
        );
    }
    assert_eq!(head(&store, &repo).await, id);
}

#[tokio::test]
async fn trees_of_an_older_store_are_migrated_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let (store, repo) = seeded(dir.path()).await;
    let sha = sha256(b"big");
    store
        .lfs_ingest(&sha, None, chunks(vec![b"big".to_vec()]))
        .await
        .unwrap();
    let ops = vec![
        add("d/e/z.txt", b"z"),
        Op::AddLfs {
            path: "d/w.bin".into(),
            sha256: sha.clone(),
            size: None,
        },
    ];
    store.commit(&repo, "main", input(ops, None)).await.unwrap();
    let (history, _) = store
        .history(&head(&store, &repo).await, 0, 10)
        .await
        .unwrap();
    let mut trees = Vec::new();
    for c in &history {
        trees.push(store.list_tree(&c.id, "", true).await.unwrap());
    }
    {
        // Rewrite the trees as the old layout stored them: one row per path and commit.
        let conn = store.inner.conn.lock().unwrap();
        for (c, tree) in history.iter().zip(&trees) {
            for e in tree {
                conn.execute(
                    "INSERT INTO entries (commit_id, path, parent, is_dir, oid, size, lfs_sha256, last_commit) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    rusqlite::params![
                        c.id,
                        e.path,
                        e.path.rsplit_once('/').map_or("", |(p, _)| p),
                        i64::from(e.kind == super::EntryKind::Directory),
                        e.oid,
                        e.size as i64,
                        e.lfs.as_ref().map(|l| l.sha256.clone()),
                        e.last_commit
                    ],
                )
                .unwrap();
            }
        }
        conn.execute_batch(
            "DELETE FROM commit_roots; DELETE FROM tree_nodes; DELETE FROM lfs_refs;",
        )
        .unwrap();
    }
    drop(store);
    super::trees::clear_cache_for_tests();
    let store = open(dir.path());
    for (c, tree) in history.iter().zip(&trees) {
        assert_eq!(&store.list_tree(&c.id, "", true).await.unwrap(), tree);
    }
    let conn = store.inner.conn.lock().unwrap();
    let left: i64 = conn
        .query_row("SELECT count(*) FROM entries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
    let refs: i64 = conn
        .query_row(
            "SELECT count(*) FROM lfs_refs WHERE sha256 = ?1",
            [&sha],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(refs, 1);
}

/// The incremental commit path computes the same git ids as the full computation over all files,
/// through adds, replaces, deletes that empty folders, folder deletes and copies.
#[tokio::test]
async fn incremental_trees_match_the_full_git_computation() {
    use super::git::{FileInfo, build_tree};
    let dir = tempfile::tempdir().unwrap();
    let (store, repo) = seeded(dir.path()).await;
    let steps: Vec<Vec<Op>> = vec![
        vec![
            add("a/b/c.txt", b"c"),
            add("a/d.txt", b"d"),
            add("a.txt", b"top"),
        ],
        vec![add("a/b/c.txt", b"c2"), add("e/f/g/h.txt", b"h")],
        vec![Op::DeleteFile {
            path: "e/f/g/h.txt".into(),
        }],
        vec![
            Op::Copy {
                src_path: "a/d.txt".into(),
                src_revision: None,
                dest_path: "z/d.txt".into(),
            },
            Op::DeleteFolder { path: "a/b".into() },
        ],
        vec![
            add("a/d.txt", b"d"),
            add("a-b/x.txt", b"x"),
            add("a0", b"y"),
        ],
    ];
    for ops in steps {
        let id = store
            .commit(&repo, "main", input(ops, None))
            .await
            .unwrap()
            .commit_id;
        let record = store.commit_record(&id).await.unwrap().unwrap();
        let all = store.list_tree(&id, "", true).await.unwrap();
        let files: std::collections::BTreeMap<String, FileInfo> = all
            .iter()
            .filter(|e| e.kind == super::EntryKind::File)
            .map(|e| {
                (
                    e.path.clone(),
                    FileInfo {
                        oid: e.oid.clone(),
                        size: e.size,
                        lfs: e.lfs.as_ref().map(|l| l.sha256.clone()),
                    },
                )
            })
            .collect();
        let (root, rows) = build_tree(&files);
        assert_eq!(record.tree, root);
        let dirs: Vec<(String, String)> = all
            .iter()
            .filter(|e| e.kind == super::EntryKind::Directory)
            .map(|e| (e.path.clone(), e.oid.clone()))
            .collect();
        let mut expected: Vec<(String, String)> = rows
            .iter()
            .filter(|r| r.is_dir)
            .map(|r| (r.path.clone(), r.oid.clone()))
            .collect();
        expected.sort();
        assert_eq!(dirs, expected);
    }
    // No empty folder survives: `e/f/g` went with its last file.
    assert!(
        store
            .tree_entry(&head(&store, &repo).await, "e")
            .await
            .unwrap()
            .is_none()
    );
}
