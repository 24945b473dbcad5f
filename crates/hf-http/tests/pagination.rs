//! Pagination over `Link: rel="next"`, lazily, with retries on later pages.

// Scripted-server closures panic like tests do: a failure there is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::{RecordingSleeper, client_for, respond, serve};
use futures_util::{StreamExt, TryStreamExt};

async fn three_pages(fail_page_2_first: bool) -> common::Server {
    serve(move |seen, n| async move {
        let base = format!("http://{}", seen.header("host").unwrap());
        let cursor = seen
            .uri
            .split("cursor=")
            .nth(1)
            .map(|c| c.split('&').next().unwrap().to_owned());
        match cursor.as_deref() {
            None => {
                assert!(
                    seen.uri.contains("author=org"),
                    "caller's query kept: {}",
                    seen.uri
                );
                let link = format!("<{base}/api/models?cursor=p2&limit=2>; rel=\"next\"");
                respond(200, &[("link", &link)], r#"[{"id":"a"},{"id":"b"}]"#)
            }
            Some("p2") if fail_page_2_first && n == 1 => respond(429, &[], "slow down"),
            Some("p2") => {
                let link = format!("<{base}/api/models?cursor=p3&limit=2>; rel=\"next\"");
                respond(200, &[("link", &link)], r#"[{"id":"c"},{"id":"d"}]"#)
            }
            Some("p3") => respond(200, &[], r#"[{"id":"e"}]"#),
            Some(other) => respond(500, &[], other),
        }
    })
    .await
}

#[derive(serde::Deserialize, Debug, PartialEq)]
struct Item {
    id: String,
}

#[tokio::test]
async fn follows_next_links_over_three_pages() {
    let server = three_pages(false).await;
    let client = client_for(&server.base(), &RecordingSleeper::default());
    let request = client
        .get(server.url("/api/models"))
        .query(&[("author", "org")])
        .header("x-custom", "1");
    let items: Vec<Item> = client.paginate(request).try_collect().await.unwrap();
    let ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    assert_eq!(
        seen[1].uri, "/api/models?cursor=p2&limit=2",
        "next link used verbatim"
    );
    assert!(
        seen.iter()
            .all(|s| s.header("x-custom") == Some("1") && s.header("authorization").is_some())
    );
}

#[tokio::test]
async fn pages_are_fetched_lazily() {
    let server = three_pages(false).await;
    let client = client_for(&server.base(), &RecordingSleeper::default());
    let stream = client.paginate::<Item>(server.url("/api/models?author=org"));
    let mut stream = std::pin::pin!(stream);
    assert_eq!(server.hits(), 0, "nothing sent before polling");
    stream.next().await.unwrap().unwrap();
    stream.next().await.unwrap().unwrap();
    assert_eq!(
        server.hits(),
        1,
        "page 2 not fetched while page 1 is being consumed"
    );
    assert_eq!(stream.next().await.unwrap().unwrap().id, "c");
    assert_eq!(server.hits(), 2);

    // `take` stops before the third page.
    let server = three_pages(false).await;
    let client = client_for(&server.base(), &RecordingSleeper::default());
    let first: Vec<Item> = client
        .paginate::<Item>(server.url("/api/models?author=org"))
        .take(3)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first.len(), 3);
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn later_page_retried_on_429() {
    let server = three_pages(true).await;
    let sleeper = RecordingSleeper::default();
    let client = client_for(&server.base(), &sleeper);
    let items: Vec<Item> = client
        .paginate(server.url("/api/models?author=org"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 5);
    assert_eq!(server.hits(), 4);
    assert_eq!(sleeper.waits().len(), 1);
}

#[tokio::test]
async fn error_page_ends_the_stream() {
    let server =
        serve(|_, _| async { respond(404, &[("x-error-code", "RepoNotFound")], "") }).await;
    let client = client_for(&server.base(), &RecordingSleeper::default());
    let results: Vec<Result<Item, hf_http::Error>> = client
        .paginate(server.url("/api/models/x/tree/main"))
        .collect()
        .await;
    assert_eq!(results.len(), 1);
    assert!(matches!(results[0], Err(hf_http::Error::RepoNotFound(_))));
}

/// A hostile server whose `next` link points back to an earlier page: the listing ends with an
/// error instead of looping forever.
#[tokio::test]
async fn a_link_back_to_a_page_already_read_ends_the_listing() {
    let server = serve(|seen, _| async move {
        let base = format!("http://{}", seen.header("host").unwrap());
        let (next, body) = if seen.uri.contains("cursor=p2") {
            // Back to the first page.
            (
                format!("<{base}/api/models>; rel=\"next\""),
                r#"[{"id":"b"}]"#,
            )
        } else {
            (
                format!("<{base}/api/models?cursor=p2>; rel=\"next\""),
                r#"[{"id":"a"}]"#,
            )
        };
        respond(200, &[("link", &next)], body)
    })
    .await;
    let client = client_for(&server.base(), &RecordingSleeper::default());
    let results: Vec<Result<Item, hf_http::Error>> = client
        .paginate(client.get(server.url("/api/models")))
        .collect()
        .await;
    assert_eq!(results.len(), 3, "two items then the error: {results:?}");
    let err = results[2].as_ref().unwrap_err();
    assert_eq!(err.kind(), hf_http::ErrorKind::Protocol, "{err}");
    assert!(err.to_string().contains("points back"), "{err}");
    assert_eq!(
        server.seen().len(),
        2,
        "the first page is not fetched again"
    );
}
