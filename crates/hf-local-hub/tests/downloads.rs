//! Downloads: resolve HEAD/GET, ranges, LFS redirects to the signed CDN-like route, fault injection.
// Helpers outside #[test] functions panic on failure too.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use bytes::Bytes;
use common::*;
use hf_local_hub::{FaultKind, FaultSpec};
use http::Method;

async fn setup(hub: &hf_local_hub::LocalHubHandle, http: &Http) -> (String, String, Vec<u8>) {
    let repo = http
        .create_repo(hub, ALICE, "model", "alice/d", false)
        .await;
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let sha = put_lfs(hub, big.clone()).await;
    commit_files(
        &repo,
        "main",
        &[
            ("config.json", b"{\"a\": 1}"),
            ("dir/x y+z.txt", b"0123456789"),
        ],
    )
    .await;
    let commit = repo
        .commit("main")
        .lfs_pointer("model.safetensors", &sha, Some(big.len() as u64))
        .push()
        .await
        .unwrap();
    (commit, sha, big)
}

#[tokio::test]
async fn regular_file_head_get_and_ranges() {
    let (hub, http) = hub().await;
    let (commit, _, _) = setup(&hub, &http).await;
    let url = "/alice/d/resolve/main/dir/x%20y%2Bz.txt";
    let h = http.head(url, None).await;
    assert_eq!(h.status, 200);
    assert_eq!(h.header("content-length").as_deref(), Some("10"));
    assert_eq!(h.header("accept-ranges").as_deref(), Some("bytes"));
    assert_eq!(h.header("x-repo-commit").as_deref(), Some(commit.as_str()));
    let etag = h.header("etag").unwrap();
    assert_eq!(
        etag,
        format!(
            "\"{}\"",
            // The git blob id: sha1 of "blob {len}\0" and the content.
            hex::encode(<sha1::Sha1 as sha1::Digest>::digest(
                b"blob 10\x000123456789"
            ))
        )
    );
    assert!(h.body.is_empty());

    let g = http.get(url, None).await;
    assert_eq!((g.status, &g.body[..]), (200, &b"0123456789"[..]));
    assert!(g.header("content-encoding").is_none());

    let range = |r: &'static str| {
        let http = http.clone();
        async move {
            http.send(Method::GET, url, None, &[("range", r)], Bytes::new())
                .await
        }
    };
    let r = range("bytes=2-4").await;
    assert_eq!((r.status, &r.body[..]), (206, &b"234"[..]));
    assert_eq!(r.header("content-range").as_deref(), Some("bytes 2-4/10"));
    assert_eq!(r.header("content-length").as_deref(), Some("3"));
    let r = range("bytes=7-").await;
    assert_eq!(&r.body[..], b"789");
    let r = range("bytes=-2").await;
    assert_eq!(&r.body[..], b"89");
    let r = range("bytes=20-").await;
    assert_eq!(r.status, 416);
    assert_eq!(r.header("content-range").as_deref(), Some("bytes */10"));
    let r = range("bytes=0-0,5-6").await;
    assert_eq!(r.status, 206);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("multipart/byteranges; boundary=")
    );
    let text = r.text();
    assert!(text.contains("Content-Range: bytes 0-0/10\r\n\r\n0"));
    assert!(text.contains("Content-Range: bytes 5-6/10\r\n\r\n56"));
    assert_eq!(
        r.header("content-length")
            .unwrap()
            .parse::<usize>()
            .unwrap(),
        r.body.len()
    );
    // A malformed Range is ignored (full body).
    assert_eq!(range("pages=1-2").await.status, 200);

    // Missing entry: EntryNotFound + X-Repo-Commit; missing revision; missing repo.
    let r = http.head("/alice/d/resolve/main/nope.txt", None).await;
    assert_eq!(
        (r.status, r.header("x-error-code").as_deref()),
        (404, Some("EntryNotFound"))
    );
    assert_eq!(r.header("x-repo-commit").as_deref(), Some(commit.as_str()));
    let r = http.get("/alice/d/resolve/main/dir", None).await;
    assert_eq!(r.header("x-error-code").as_deref(), Some("EntryNotFound"));
    let r = http.head("/alice/d/resolve/v9/config.json", None).await;
    assert_eq!(
        r.header("x-error-code").as_deref(),
        Some("RevisionNotFound")
    );
    let r = http
        .head("/alice/none/resolve/main/config.json", None)
        .await;
    assert_eq!(
        (r.status, r.header("x-error-code").as_deref()),
        (401, Some("RepoNotFound"))
    );
    // Traversal.
    assert_eq!(
        http.get("/alice/d/resolve/main/dir/%2E%2E/config.json", None)
            .await
            .status,
        400
    );
    assert_eq!(
        http.get("/alice/d/resolve/main/..%5Cb", None).await.status,
        400
    );
    assert_eq!(
        http.get("/alice/d/resolve/main/a%00b", None).await.status,
        400
    );
}

#[tokio::test]
async fn lfs_redirects_to_an_external_cdn_when_configured() {
    // The benchmark serves LFS bytes from nginx: the redirect names its base URL, with the
    // same path and signed query as the hub's own route.
    let hub = builder()
        .cdn_base_url("http://127.0.0.1:9/static/")
        .start()
        .await
        .unwrap();
    let http = Http::new(hub.endpoint());
    let (_, sha, _) = setup(&hub, &http).await;
    let h = http
        .head("/alice/d/resolve/main/model.safetensors", None)
        .await;
    assert_eq!(h.status, 302);
    let location = h.header("location").unwrap();
    assert!(
        location.starts_with(&format!("http://127.0.0.1:9/static/cdn/lfs/{sha}?commit=")),
        "{location}"
    );
    assert!(location.contains("&sig="), "{location}");
}

#[tokio::test]
async fn lfs_redirects_to_signed_cdn() {
    let (hub, http) = hub().await;
    let (commit, sha, big) = setup(&hub, &http).await;
    let h = http
        .head("/alice/d/resolve/main/model.safetensors", None)
        .await;
    assert_eq!(h.status, 302);
    assert_eq!(h.header("x-linked-etag"), Some(format!("\"{sha}\"")));
    assert_eq!(h.header("x-linked-size"), Some(big.len().to_string()));
    assert_eq!(h.header("x-repo-commit").as_deref(), Some(commit.as_str()));
    assert!(h.header("etag").is_some());
    let location = h.header("location").unwrap();
    assert!(
        location.starts_with(&format!("{}/cdn/lfs/{sha}?", http.base)),
        "{location}"
    );

    // The CDN route needs no auth, carries the metadata, serves the bytes and ranges.
    let g = http.get(&location, None).await;
    assert_eq!(g.status, 200);
    assert_eq!(g.body.len(), big.len());
    assert!(g.body == big);
    assert_eq!(g.header("x-linked-etag"), Some(format!("\"{sha}\"")));
    assert_eq!(g.header("etag"), Some(format!("\"{sha}\"")));
    assert_eq!(g.header("x-repo-commit").as_deref(), Some(commit.as_str()));
    let r = http
        .send(
            Method::GET,
            &location,
            None,
            &[("range", "bytes=0-99999")],
            Bytes::new(),
        )
        .await;
    assert_eq!(r.status, 206);
    assert!(r.body == big[..100_000]);
    let r = http
        .send(
            Method::GET,
            &location,
            None,
            &[("range", "bytes=2999990-")],
            Bytes::new(),
        )
        .await;
    assert!(r.body == big[2_999_990..]);
    let h = http.head(&location, None).await;
    assert_eq!(h.header("content-length"), Some(big.len().to_string()));

    // GET on resolve answers the same redirect.
    let g = http
        .get("/alice/d/resolve/main/model.safetensors", None)
        .await;
    assert_eq!(g.status, 302);
    assert!(g.text().starts_with("Found. Redirecting to "));

    // Tampering is refused.
    let tampered = location.replace("expires=", "expires=9");
    assert_eq!(http.get(&tampered, None).await.status, 403);
    let other_sig = location.replace("&sig=", "&sig=0");
    assert_eq!(http.get(&other_sig, None).await.status, 403);
    let no_sig = location.split("&sig=").next().unwrap().to_owned();
    assert_eq!(http.get(&no_sig, None).await.status, 403);
}

#[tokio::test]
async fn cdn_urls_expire() {
    let hub = builder()
        .cdn_url_ttl(Duration::from_secs(1))
        .start()
        .await
        .unwrap();
    let http = Http::new(hub.endpoint());
    let (_, _, _) = setup(&hub, &http).await;
    let location = http
        .head("/alice/d/resolve/main/model.safetensors", None)
        .await
        .header("location")
        .unwrap();
    assert_eq!(http.head(&location, None).await.status, 200);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let r = http.get(&location, None).await;
    assert_eq!(r.status, 403);
    assert!(r.text().contains("expired"));
}

#[tokio::test]
async fn fault_status_then_success() {
    let hub = builder()
        .fault(
            "status=503,path=/api/whoami-v2,count=2,retry_after=3"
                .parse()
                .unwrap(),
        )
        .fault(
            FaultSpec::new(FaultKind::Status {
                code: 429,
                retry_after: Some(1),
            })
            .path("/api/models*")
            .method("GET")
            .count(1),
        )
        .start()
        .await
        .unwrap();
    let http = Http::new(hub.endpoint());
    for _ in 0..2 {
        let r = http.get("/api/whoami-v2", Some(ALICE)).await;
        assert_eq!(r.status, 503);
        assert_eq!(r.header("retry-after").as_deref(), Some("3"));
        assert!(r.header("x-request-id").is_some());
    }
    assert_eq!(http.get("/api/whoami-v2", Some(ALICE)).await.status, 200);
    let r = http.get("/api/models", None).await;
    assert_eq!(
        (r.status, r.header("retry-after").as_deref()),
        (429, Some("1"))
    );
    assert_eq!(http.get("/api/models", None).await.status, 200);
}

#[tokio::test]
async fn fault_drop_flip_delay() {
    let hub = builder()
        .fault(
            FaultSpec::new(FaultKind::DropAfter(1000))
                .path("/cdn/*")
                .count(1),
        )
        .fault(
            FaultSpec::new(FaultKind::FlipByte(3))
                .path("/alice/d/resolve/main/dir/*")
                .count(1),
        )
        .fault(FaultSpec::new(FaultKind::Delay(300)).path("/api/models/alice/d/refs"))
        .start()
        .await
        .unwrap();
    let http = Http::new(hub.endpoint());
    let (_, _, big) = setup(&hub, &http).await;
    let location = http
        .head("/alice/d/resolve/main/model.safetensors", None)
        .await
        .header("location")
        .unwrap();
    // First CDN download is cut after 1000 bytes; the second one is whole; a resume with Range works.
    let first = http
        .try_send(Method::GET, &location, None, &[], Bytes::new())
        .await;
    assert!(first.is_err(), "the body should have been cut");
    let r = http
        .send(
            Method::GET,
            &location,
            None,
            &[("range", "bytes=1000-")],
            Bytes::new(),
        )
        .await;
    assert_eq!(r.status, 206);
    assert!(r.body == big[1000..]);

    let r = http
        .get("/alice/d/resolve/main/dir/x%20y%2Bz.txt", None)
        .await;
    assert_eq!(&r.body[..], b"012\xcc456789");
    let r = http
        .get("/alice/d/resolve/main/dir/x%20y%2Bz.txt", None)
        .await;
    assert_eq!(&r.body[..], b"0123456789");

    let t = Instant::now();
    assert_eq!(http.get("/api/models/alice/d/refs", None).await.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
}

#[test]
fn fault_specs_parse() {
    for bad in [
        "",
        "status",
        "status=abc",
        "status=200",
        "drop=1,count=x",
        "flip=1,bogus=2",
    ] {
        assert!(bad.parse::<FaultSpec>().is_err(), "{bad}");
    }
    let s: FaultSpec = "delay=50,method=post".parse().unwrap();
    assert_eq!(s.kind, FaultKind::Delay(50));
    assert_eq!(s.method.as_deref(), Some("POST"));
}

/// Clients that open downloads and never read them hold no thread of the hub: with a blocking
/// pool of 4 threads, 12 stalled downloads of a 48 MB file (far more than the socket buffers
/// take) leave the hub serving other downloads. (Before, each stalled response pinned a blocking thread
/// and the hub hung once the pool was used up.)
#[test]
fn stalled_readers_hold_no_thread() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(4)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (hub, http) = hub().await;
        let (_, _, big) = setup(&hub, &http).await;
        let huge: Vec<u8> = (0..48_000_000u32).map(|i| (i % 241) as u8).collect();
        let huge_len = huge.len() as u64;
        let huge_sha = put_lfs(&hub, huge).await;
        hub.seed()
            .model("alice/d")
            .commit("main")
            .lfs_pointer("huge.bin", &huge_sha, Some(huge_len))
            .push()
            .await
            .unwrap();
        let h = http.head("/alice/d/resolve/main/huge.bin", None).await;
        let huge_location = h.header("location").unwrap();
        let path = huge_location.strip_prefix(&http.base).unwrap().to_owned();
        let h = http
            .head("/alice/d/resolve/main/model.safetensors", None)
            .await;
        let location = h.header("location").unwrap();
        let addr = http.base.strip_prefix("http://").unwrap().to_owned();
        let mut stalled = Vec::new();
        for _ in 0..12 {
            use tokio::io::AsyncWriteExt;
            let mut socket = tokio::net::TcpStream::connect(&addr).await.unwrap();
            let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n");
            socket.write_all(request.as_bytes()).await.unwrap();
            stalled.push(socket); // never read
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let started = Instant::now();
        let g = tokio::time::timeout(Duration::from_secs(20), http.get(&location, None))
            .await
            .expect("the hub still serves downloads");
        assert_eq!(g.status, 200);
        assert_eq!(g.body.len(), big.len());
        assert!(started.elapsed() < Duration::from_secs(20));
        drop(stalled);
    });
}

/// Slowloris: a client that never finishes its headers is cut off after the header-read timeout,
/// and connections past the cap are closed at once, so half-open clients cannot lock others out.
#[tokio::test]
async fn half_open_connections_are_cut_off_and_capped() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let hub = hf_local_hub::fixture::builder()
        .connection_limits(hf_local_hub::ConnectionLimits {
            max_connections: 8,
            header_read_timeout: Duration::from_millis(300),
        })
        .start()
        .await
        .unwrap();
    let http = Http::new(hub.endpoint());
    let addr = http.base.strip_prefix("http://").unwrap().to_owned();
    let mut slow = Vec::new();
    for _ in 0..8 {
        let mut socket = tokio::net::TcpStream::connect(&addr).await.unwrap();
        socket
            .write_all(b"GET /api/models HTTP/1.1\r\nHo")
            .await
            .unwrap();
        slow.push(socket);
    }
    // Each half-open connection is closed by the server once its headers are late.
    for socket in &mut slow {
        let closed = async {
            let mut buf = [0u8; 256];
            // Whatever the server says first (a 408, or nothing), the connection then ends.
            while let Ok(n) = socket.read(&mut buf).await {
                if n == 0 {
                    break;
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(10), closed)
            .await
            .expect("the server closes a connection whose headers are late");
    }
    // Then the hub serves others again.
    let r = tokio::time::timeout(Duration::from_secs(10), http.get("/api/models", None))
        .await
        .expect("served after the slow clients were cut off");
    assert_eq!(r.status, 200);
}
