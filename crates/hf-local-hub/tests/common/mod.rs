//! Shared helpers of the integration tests: a hub with known users and a raw HTTP client.
#![allow(dead_code, unused_imports)]
// Test helpers panic on failure, like the tests that call them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::Bytes;
use http::{HeaderMap, Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

use hf_local_hub::LocalHubHandle;
pub use hf_local_hub::fixture::{ALICE, ALICE_READ as ALICE_RO, BOB, builder};
use hf_local_hub::seed::SeedRepo;
use hf_types::RepoType;

pub async fn hub() -> (LocalHubHandle, Http) {
    let hub = builder().start().await.unwrap();
    let http = Http::new(hub.endpoint());
    (hub, http)
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

#[derive(Clone)]
pub struct Http {
    pub base: String,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Http {
    pub fn new(base: &str) -> Self {
        Http {
            base: base.to_owned(),
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    /// Sends a request; `Err` when the connection fails or the body is cut.
    pub async fn try_send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Result<Resp, String> {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let mut req = Request::builder().method(method).uri(url);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req.body(Full::new(body.into())).unwrap();
        let resp = self
            .client
            .request(req)
            .await
            .map_err(|e| format!("{e:?}"))?;
        let (parts, body) = resp.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| format!("body error: {e:?}"))?
            .to_bytes();
        Ok(Resp {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
        })
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Resp {
        self.try_send(method, path, token, headers, body)
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.send(Method::GET, path, token, &[], Bytes::new()).await
    }

    pub async fn head(&self, path: &str, token: Option<&str>) -> Resp {
        self.send(Method::HEAD, path, token, &[], Bytes::new())
            .await
    }

    pub async fn json(&self, method: Method, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.send(
            method,
            path,
            token,
            &[("content-type", "application/json")],
            body.to_string(),
        )
        .await
    }

    pub async fn form(&self, path: &str, token: Option<&str>, body: &str) -> Resp {
        self.send(
            Method::POST,
            path,
            token,
            &[("content-type", "application/x-www-form-urlencoded")],
            body.to_owned(),
        )
        .await
    }

    /// Creates a repo through the API and returns it for seeding.
    pub async fn create_repo(
        &self,
        hub: &LocalHubHandle,
        token: &str,
        ty: &str,
        id: &str,
        private: bool,
    ) -> SeedRepo {
        let (ns, name) = id.split_once('/').unwrap();
        let mut body = serde_json::json!({"name": name, "organization": ns, "private": private});
        if ty != "model" {
            body["type"] = Value::String(ty.to_owned());
        }
        if ty == "space" {
            body["sdk"] = Value::String("gradio".into());
        }
        let r = self
            .json(Method::POST, "/api/repos/create", Some(token), body)
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let rt: RepoType = ty.parse().unwrap();
        let repo = hub.seed().repo(rt, id);
        assert!(
            repo.state().await.unwrap().is_some(),
            "{id} was not created"
        );
        repo
    }
}

/// Commits regular files on `target` of `repo`; returns the commit id.
pub async fn commit_files(repo: &SeedRepo, target: &str, files: &[(&str, &[u8])]) -> String {
    files
        .iter()
        .fold(repo.commit(target).message("test commit"), |c, (p, b)| {
            c.file(p, b.to_vec())
        })
        .push()
        .await
        .unwrap()
}

/// Stores an LFS object and returns its sha256.
pub async fn put_lfs(hub: &LocalHubHandle, content: Vec<u8>) -> String {
    hub.seed().lfs_object(content).await.unwrap()
}

/// The commit `rev` names in `repo`.
pub async fn head(repo: &SeedRepo, rev: &str) -> String {
    repo.head(rev).await.unwrap().unwrap()
}
