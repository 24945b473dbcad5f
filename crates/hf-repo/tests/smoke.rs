//! The test harness itself works (a hub starts and serves a seeded file).
mod common;
use common::Clients;

#[tokio::test]
async fn seeded_file_is_served() {
    let hub = common::Hub::start().await;
    hub.commit(
        "seeded",
        vec![common::File::Regular("a.txt", b"hi".to_vec())],
    )
    .await;
    assert_eq!(
        hub.read("alice/seeded", "main", "a.txt").await.unwrap(),
        b"hi"
    );
    assert!(hub.read("alice/seeded", "main", "b.txt").await.is_none());
}
