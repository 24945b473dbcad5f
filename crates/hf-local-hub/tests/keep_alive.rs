//! A request refused before its handler read the body must not cost the client its keep-alive
//! connection: clients (urllib3, hyper) send the next request on it and would see it closed under them.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads one HTTP/1.1 response with a `content-length` body; `None` when the connection closed first.
async fn read_response(stream: &mut TcpStream) -> Option<(u16, String)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let status: u16 = head.split(' ').nth(1)?.parse().ok()?;
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse().unwrap());
            while buf.len() < end + 4 + length {
                let n = stream.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let body = String::from_utf8_lossy(&buf[end + 4..end + 4 + length]).into_owned();
            return Some((status, body));
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[tokio::test]
async fn a_refused_request_with_a_body_keeps_the_connection_usable() {
    let (hub, _http) = hub().await;
    let space = hub.seed().repo(hf_types::RepoType::Space, "alice/demo");
    space.create(false).await.unwrap();
    let addr = hub.endpoint().trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&addr).await.unwrap();

    // Bob asks for hardware on alice's Space: refused (he may not write) before the body is read.
    let body = format!(
        "{{\"flavor\":\"t4-small\",\"padding\":\"{}\"}}",
        "x".repeat(200_000)
    );
    let refused = format!(
        "POST /api/spaces/alice/demo/hardware HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {BOB}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(refused.as_bytes()).await.unwrap();
    let (status, _) = read_response(&mut stream).await.unwrap();
    assert_eq!(status, 403);

    let next = format!("GET /api/spaces/alice/demo HTTP/1.1\r\nhost: {addr}\r\n\r\n");
    stream.write_all(next.as_bytes()).await.unwrap();
    let answer = read_response(&mut stream).await;
    let (status, _) = answer.expect("the hub closed the connection after a refused request");
    assert_eq!(status, 200);
    hub.shutdown().await;
}
