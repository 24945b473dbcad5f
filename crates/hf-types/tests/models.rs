//! Realistic Hub payloads (written from the protocol document) read into the models.

use hf_types::{
    DType, DatasetInfo, Gated, ModelInfo, RepoInfo, RepoTreeEntry, RepoType, SpaceInfo, SpaceStage,
    timestamp,
};
use serde_json::{Value, json};

const GPT2_BLOBS: &str = r#"{
  "_id": "621ffdc036468d709f174338",
  "id": "openai-community/gpt2",
  "modelId": "openai-community/gpt2",
  "author": "openai-community",
  "sha": "607a30d783dfa663caf39e06633721c8d4cfcd7e",
  "lastModified": "2024-02-19T10:57:45.000Z",
  "createdAt": "2022-03-02T23:29:04.000Z",
  "private": false,
  "disabled": false,
  "gated": false,
  "downloads": 12345678,
  "downloadsAllTime": 99999999,
  "likes": 2500,
  "library_name": "transformers",
  "pipeline_tag": "text-generation",
  "mask_token": "<mask>",
  "tags": ["transformers", "pytorch", "safetensors", "gpt2", "text-generation", "en", "license:mit"],
  "cardData": {"language": "en", "license": "mit"},
  "widgetData": [{"text": "My name is Julien"}],
  "model-index": [{"name": "gpt2", "results": []}],
  "config": {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2"},
  "transformersInfo": {"auto_model": "AutoModelForCausalLM", "pipeline_tag": "text-generation", "processor": "AutoTokenizer"},
  "siblings": [
    {"rfilename": ".gitattributes", "blobId": "7c9", "size": 445},
    {"rfilename": "config.json", "blobId": "10c66461e4c109db5a2196bff4bb59be30396ed8", "size": 665},
    {"rfilename": "model.safetensors", "blobId": "cb0", "size": 548105171,
     "lfs": {"sha256": "248dfc3911869ec493c76e65bf2fcf7f615828b0254c12b473182f0f81d3a707", "size": 548105171, "pointerSize": 135}}
  ],
  "spaces": [],
  "safetensors": {"parameters": {"F32": 137022720}, "total": 137022720},
  "securityRepoStatus": {"scansDone": true, "filesWithIssues": []},
  "inference": "warm",
  "inferenceProviderMapping": {
    "together": {"status": "live", "providerId": "openai/gpt2", "task": "text-generation"},
    "hf-inference": {"status": "staging", "providerId": "gpt2", "task": "text-generation", "adapter": "lora",
                     "adapterWeightsPath": "adapter.safetensors", "type": "single-model"}
  },
  "xetEnabled": false,
  "usedStorage": 11476655837,
  "resourceGroup": null,
  "brandNewField": {"nested": [1, 2, 3]}
}"#;

#[test]
fn model_info_with_blobs() {
    let info: ModelInfo = serde_json::from_str(GPT2_BLOBS).unwrap();
    assert_eq!(info.object_id.as_deref(), Some("621ffdc036468d709f174338"));
    assert_eq!(info.id, "openai-community/gpt2");
    assert_eq!(
        info.repo_id().unwrap().namespace(),
        Some("openai-community")
    );
    assert_eq!(
        info.sha.as_deref(),
        Some("607a30d783dfa663caf39e06633721c8d4cfcd7e")
    );
    assert_eq!(
        info.last_modified,
        Some(timestamp::parse("2024-02-19T10:57:45Z").unwrap())
    );
    assert_eq!(info.created_at.unwrap().year(), 2022);
    assert_eq!(info.gated, Some(Gated::Off));
    assert_eq!(info.downloads, Some(12_345_678));
    assert_eq!(info.downloads_all_time, Some(99_999_999));
    assert_eq!(info.library_name.as_deref(), Some("transformers"));
    assert_eq!(info.pipeline_tag.as_deref(), Some("text-generation"));
    assert_eq!(info.mask_token.as_deref(), Some("<mask>"));
    assert_eq!(info.card_data.as_ref().unwrap().license(), Some("mit"));
    assert_eq!(info.model_index.as_ref().unwrap()[0]["name"], "gpt2");
    assert_eq!(info.config.as_ref().unwrap()["model_type"], "gpt2");
    let tf = info.transformers_info.as_ref().unwrap();
    assert_eq!(tf.auto_model, "AutoModelForCausalLM");
    assert_eq!(tf.custom_class, None);
    assert_eq!(tf.processor.as_deref(), Some("AutoTokenizer"));

    let siblings = info.siblings.as_ref().unwrap();
    assert_eq!(
        info.file_names().unwrap(),
        vec![".gitattributes", "config.json", "model.safetensors"]
    );
    assert_eq!(siblings[1].size, Some(665));
    assert!(siblings[1].lfs.is_none());
    let lfs = siblings[2].lfs.as_ref().unwrap();
    assert_eq!(lfs.size, 548_105_171);
    assert_eq!(lfs.pointer_size, Some(135));
    assert_eq!(info.spaces.as_deref(), Some(&[][..]));

    let st = info.safetensors.as_ref().unwrap();
    assert_eq!(st.parameters[&DType::F32], 137_022_720);
    assert_eq!(st.total, 137_022_720);
    assert_eq!(
        info.security_repo_status.as_ref().unwrap()["scansDone"],
        true
    );
    assert_eq!(info.inference.as_deref(), Some("warm"));

    // Object form keyed by provider, read in the server's order.
    let providers = info.inference_provider_mapping.as_ref().unwrap();
    assert_eq!(providers.len(), 2);
    assert_eq!(providers[0].provider, "together");
    assert_eq!(providers[0].provider_id.as_deref(), Some("openai/gpt2"));
    assert_eq!(providers[1].provider, "hf-inference");
    assert_eq!(providers[1].adapter.as_deref(), Some("lora"));
    assert_eq!(providers[1].mapping_type.as_deref(), Some("single-model"));

    assert_eq!(info.xet_enabled, Some(false));
    assert_eq!(info.used_storage, Some(11_476_655_837));
    // Unmodelled keys are kept.
    assert_eq!(info.extra["modelId"], "openai-community/gpt2");
    assert_eq!(info.extra["brandNewField"]["nested"][2], 3);
    assert_eq!(info.extra["resourceGroup"], Value::Null);
}

#[test]
fn model_info_round_trips() {
    let info: ModelInfo = serde_json::from_str(GPT2_BLOBS).unwrap();
    let json = serde_json::to_value(&info).unwrap();
    assert_eq!(json["_id"], "621ffdc036468d709f174338");
    assert_eq!(json["lastModified"], "2024-02-19T10:57:45.000Z");
    assert_eq!(json["gated"], false);
    assert_eq!(json["library_name"], "transformers");
    assert_eq!(json["model-index"][0]["name"], "gpt2");
    assert_eq!(
        json["siblings"][2]["lfs"]["sha256"].as_str().unwrap().len(),
        64
    );
    assert_eq!(json["brandNewField"]["nested"][0], 1);
    // The provider mapping is written as a list.
    assert_eq!(json["inferenceProviderMapping"][0]["provider"], "together");
    let back: ModelInfo = serde_json::from_value(json).unwrap();
    assert_eq!(back, info);
}

#[test]
fn listing_items_are_reduced() {
    let page: Vec<ModelInfo> = serde_json::from_str(
        r#"[
      {"_id": "621ffdc036468d709f174338", "id": "openai-community/gpt2", "likes": 2500, "trendingScore": 12,
       "private": false, "downloads": 12345678, "tags": ["transformers", "gpt2"], "pipeline_tag": "text-generation",
       "library_name": "transformers", "createdAt": "2022-03-02T23:29:04.000Z", "modelId": "openai-community/gpt2"},
      {"_id": "621ffdc036468d709f174339", "id": "bert-base-uncased", "likes": 1, "trendingScore": 0.5,
       "private": false, "downloads": 0, "tags": [], "createdAt": "2022-03-02T23:29:04Z",
       "inferenceProviderMapping": [{"provider": "together", "providerId": "x", "status": "live", "task": "fill-mask"}]},
      {"id": "Some--Legacy..Id"}
    ]"#,
    )
    .unwrap();
    assert_eq!(page.len(), 3);
    let gpt2 = &page[0];
    assert_eq!(gpt2.trending_score, Some(12.0));
    assert!(gpt2.siblings.is_none(), "absent siblings must stay unknown");
    assert!(gpt2.sha.is_none() && gpt2.last_modified.is_none() && gpt2.card_data.is_none());
    let bert = &page[1];
    assert_eq!(bert.repo_id().unwrap().namespace(), None);
    assert_eq!(bert.trending_score, Some(0.5));
    assert_eq!(bert.tags.as_deref(), Some(&[][..]));
    assert_eq!(
        bert.inference_provider_mapping.as_ref().unwrap()[0]
            .task
            .as_deref(),
        Some("fill-mask")
    );
    // An id today's rules refuse does not fail the page; the typed accessor reports it.
    assert!(page[2].repo_id().is_err());
    // Reduced objects print without invented keys.
    let printed = serde_json::to_value(&page[2]).unwrap();
    assert_eq!(printed, json!({"id": "Some--Legacy..Id"}));
}

#[test]
fn expand_only_answers() {
    let space: SpaceInfo = serde_json::from_str(
        r#"{"_id":"67cae57bc3f95553ede73be7","id":"user/tmp_test_space","xetEnabled":false}"#,
    )
    .unwrap();
    assert_eq!(space.xet_enabled, Some(false));
    assert!(space.siblings.is_none() && space.runtime.is_none() && space.sha.is_none());
    assert!(space.extra.is_empty());

    let model: ModelInfo = serde_json::from_str(
        r#"{"_id":"621ffdc036468d709f174338","id":"openai-community/gpt2","siblings":[{"rfilename":"config.json"}],"gated":"manual"}"#,
    )
    .unwrap();
    assert_eq!(model.file_names().unwrap(), vec!["config.json"]);
    assert_eq!(model.siblings.as_ref().unwrap()[0].blob_id, None);
    assert_eq!(model.gated, Some(Gated::Manual));
    assert!(model.gated.as_ref().unwrap().is_gated());

    // `id` is the one required key.
    assert!(serde_json::from_str::<ModelInfo>(r#"{"_id": "x"}"#).is_err());
}

#[test]
fn dataset_info() {
    let info: DatasetInfo = serde_json::from_str(
        r#"{"_id": "639244f571c51c43091df168", "id": "acme/squad-mini", "author": "acme",
        "sha": "1111111111111111111111111111111111111111", "createdAt": "2023-01-01T00:00:00.123456Z",
        "lastModified": "2024-05-01T10:00:00Z", "private": true, "gated": "auto", "disabled": false,
        "downloads": 10, "downloadsAllTime": 100, "likes": 3, "paperswithcode_id": "squad",
        "citation": "@article{x}", "description": "Tiny SQuAD", "tags": ["task_categories:question-answering"],
        "trendingScore": 1, "cardData": {"license": ["cc-by-4.0"], "pretty_name": "Mini", "language": ["en", "fr"]},
        "siblings": [{"rfilename": "data/train-00000-of-00001.parquet"}], "xetEnabled": true, "usedStorage": 42}"#,
    )
    .unwrap();
    assert_eq!(info.gated, Some(Gated::Auto));
    assert_eq!(info.created_at.unwrap().microsecond(), 123_456);
    assert_eq!(info.private, Some(true));
    assert_eq!(info.paperswithcode_id.as_deref(), Some("squad"));
    assert_eq!(info.citation.as_deref(), Some("@article{x}"));
    let card = info.card_data.as_ref().unwrap();
    assert_eq!(
        card.license(),
        None,
        "a list where a string is expected is not a license"
    );
    assert_eq!(card.pretty_name(), Some("Mini"));
    assert_eq!(card.languages(), vec!["en", "fr"]);
    assert_eq!(info.used_storage, Some(42));
    let json = serde_json::to_value(&info).unwrap();
    assert_eq!(json["createdAt"], "2023-01-01T00:00:00.123Z");
    assert_eq!(json["gated"], "auto");
}

#[test]
fn space_info_with_runtime() {
    let info: SpaceInfo = serde_json::from_str(
        r#"{"_id": "67cae57bc3f95553ede73be7", "id": "user/tmp_test_space", "author": "user",
        "sha": "403adf5c8b48aecc6b4e5d3bfc402587153a707a", "lastModified": "2025-03-07T12:24:19.875Z",
        "createdAt": "2025-03-07T12:20:00.000Z", "private": false, "gated": false, "disabled": false,
        "host": "https://user-tmp-test-space.hf.space", "subdomain": "user-tmp-test-space", "likes": 0,
        "sdk": "gradio", "tags": ["gradio", "region:us"], "cardData": {"sdk": "gradio", "sdk_version": "5.0.0"},
        "siblings": [{"rfilename": "README.md"}, {"rfilename": "app.py"}],
        "runtime": {"stage": "RUNNING", "hardware": {"current": "cpu-basic", "requested": "cpu-basic"},
                    "storage": null, "gcTimeout": 172800, "replicas": {"requested": 1, "current": 1},
                    "devMode": false, "domains": [{"domain": "user-tmp-test-space.hf.space", "stage": "READY"}]},
        "models": ["openai-community/gpt2"], "datasets": [], "xetEnabled": false, "usedStorage": 1024}"#,
    )
    .unwrap();
    let runtime = info.runtime.as_ref().unwrap();
    assert_eq!(runtime.stage(), &SpaceStage::Running);
    assert_eq!(runtime.hardware(), Some("cpu-basic"));
    assert_eq!(runtime.raw()["replicas"]["current"], 1);
    assert_eq!(
        info.host.as_deref(),
        Some("https://user-tmp-test-space.hf.space")
    );
    assert_eq!(info.sdk.as_deref(), Some("gradio"));
    assert_eq!(info.card_data.as_ref().unwrap().sdk(), Some("gradio"));
    assert_eq!(
        info.models.as_deref(),
        Some(&["openai-community/gpt2".to_owned()][..])
    );
    assert_eq!(info.last_modified.unwrap().millisecond(), 875);
    let json = serde_json::to_value(&info).unwrap();
    assert_eq!(json["runtime"]["domains"][0]["stage"], "READY");
    assert_eq!(serde_json::from_value::<SpaceInfo>(json).unwrap(), info);
}

#[test]
fn repo_info_dispatch_and_round_trip() {
    let info = RepoInfo::from_slice(RepoType::Model, GPT2_BLOBS.as_bytes()).unwrap();
    assert_eq!(info.repo_type(), RepoType::Model);
    assert_eq!(info.id(), "openai-community/gpt2");
    assert_eq!(info.repo_id().unwrap().name(), "gpt2");
    assert_eq!(info.sha(), Some("607a30d783dfa663caf39e06633721c8d4cfcd7e"));
    assert_eq!(info.siblings().unwrap().len(), 3);
    assert_eq!(info.private(), Some(false));
    assert_eq!(info.gated(), Some(&Gated::Off));
    assert!(info.last_modified().is_some());
    assert_eq!(info.card_data().unwrap().license(), Some("mit"));

    let json = serde_json::to_value(&info).unwrap();
    assert_eq!(json["repoType"], "model");
    assert_eq!(json["id"], "openai-community/gpt2");
    let back: RepoInfo = serde_json::from_value(json).unwrap();
    assert_eq!(back, info);

    let dataset =
        RepoInfo::from_slice(RepoType::Dataset, br#"{"id": "acme/data", "sha": "abc"}"#).unwrap();
    assert!(matches!(dataset, RepoInfo::Dataset(_)));
    assert_eq!(dataset.siblings(), None);
    let space = RepoInfo::from_slice(RepoType::Space, br#"{"id": "acme/app"}"#).unwrap();
    assert_eq!(
        serde_json::to_value(&space).unwrap(),
        json!({"repoType": "space", "id": "acme/app"})
    );
    assert!(RepoInfo::from_slice(RepoType::Space, b"[]").is_err());
}

#[test]
fn wrong_types_are_reported_with_the_field() {
    let err = serde_json::from_str::<ModelInfo>(r#"{"id": "a/b", "likes": "many"}"#).unwrap_err();
    assert!(err.to_string().contains("many"), "{err}");
    let err = serde_json::from_str::<ModelInfo>(r#"{"id": "a/b", "lastModified": "2024-02-19"}"#)
        .unwrap_err();
    assert!(err.to_string().contains("invalid timestamp"), "{err}");
}

#[test]
fn paths_info_answer() {
    // POST paths-info: one entry per existing path, in request order; folders included.
    let entries: Vec<RepoTreeEntry> = serde_json::from_str(
        r#"[
      {"type": "file", "oid": "10c66461e4c109db5a2196bff4bb59be30396ed8", "size": 665, "path": "config.json",
       "lastCommit": {"id": "607a30d783dfa663caf39e06633721c8d4cfcd7e", "title": "Update config.json", "date": "2024-02-19T10:57:45.000Z"},
       "securityFileStatus": {"status": "unsafe", "avScan": null, "pickleImportScan": {"highestSafetyLevel": "dangerous", "imports": []}}},
      {"type": "directory", "oid": "aa536c4ea18073388b5b0bc791057a7296a00398", "size": 0, "path": "onnx"},
      {"type": "file", "oid": "cb0dd28fe1d8b0c5b3a11d5a6e6b4c6a1f1f2a3b", "size": 548105171, "path": "sub/model.safetensors",
       "lfs": {"oid": "248dfc3911869ec493c76e65bf2fcf7f615828b0254c12b473182f0f81d3a707", "size": 548105171, "pointerSize": 135}}
    ]"#,
    )
    .unwrap();
    let paths: Vec<&str> = entries.iter().map(RepoTreeEntry::path).collect();
    assert_eq!(paths, vec!["config.json", "onnx", "sub/model.safetensors"]);
    let config = entries[0].as_file().unwrap();
    let security = config.security.as_ref().unwrap();
    assert!(!security.is_safe());
    assert_eq!(
        security.pickle_import_scan.as_ref().unwrap()["highestSafetyLevel"],
        "dangerous"
    );
    assert_eq!(
        config.last_commit.as_ref().unwrap().title,
        "Update config.json"
    );
    assert!(entries[1].as_folder().is_some());
    assert!(entries[2].as_file().unwrap().is_lfs());
}

/// Reads `wire` as `T` and writes it back: whether the same keys and values come out.
fn round_trips_exactly<T: serde::de::DeserializeOwned + serde::Serialize>(
    wire: &str,
) -> serde_json::Result<bool> {
    let expected: Value = serde_json::from_str(wire)?;
    let model: T = serde_json::from_str(wire)?;
    Ok(serde_json::to_value(&model)? == expected)
}

#[test]
fn wire_names_are_unchanged() {
    // Every camelCase key the models rename, and the snake_case ones they keep.
    assert!(
        round_trips_exactly::<hf_types::User>(
            r#"{"_id": "5dd9", "user": "julien-c", "fullname": "J", "avatarUrl": "a", "type": "user",
                "details": "d", "isFollowing": false, "isPro": true, "numModels": 1, "numDatasets": 2,
                "numSpaces": 3, "numDiscussions": 4, "numPapers": 5, "numUpvotes": 6, "numLikes": 7,
                "numFollowing": 8, "numFollowers": 9, "orgs": [{"name": "hf", "fullname": "HF",
                "avatarUrl": "o", "details": "x", "isVerified": true, "isFollowing": false, "numUsers": 1,
                "numModels": 2, "numSpaces": 3, "numDatasets": 4, "numFollowers": 5}],
                "createdAt": "2019-11-24T00:00:00.000Z"}"#,
        )
        .unwrap()
    );
    assert!(
        round_trips_exactly::<hf_types::WhoAmI>(
            r#"{"name": "alice", "type": "user", "id": "6273", "fullname": "A", "email": "a@x",
                "emailVerified": true, "canPay": false, "isPro": false, "periodEnd": 1, "avatarUrl": "u",
                "orgs": [{"name": "acme", "type": "org", "id": "5e67", "fullname": "ACME", "email": "e",
                          "canPay": true, "periodEnd": 2, "avatarUrl": "o", "roleInOrg": "admin", "isEnterprise": false}],
                "auth": {"type": "access_token", "accessToken": {"displayName": "laptop", "role": "write",
                         "createdAt": "2024-01-01T00:00:00.000Z", "fineGrained": {"global": []}}}}"#,
        )
        .unwrap()
    );
    assert!(
        round_trips_exactly::<hf_types::GitRefs>(
            r#"{"branches": [{"name": "main", "ref": "refs/heads/main", "targetCommit": "abc"}],
                "converts": [], "tags": [], "pullRequests": []}"#,
        )
        .unwrap()
    );
    assert!(
        round_trips_exactly::<hf_types::CommitResponse>(
            r#"{"success": true, "commitOid": "abc", "commitUrl": "https://h/a/b/commit/abc",
                "hookOutput": "", "pullRequestUrl": "https://h/a/b/discussions/1"}"#,
        )
        .unwrap()
    );
    assert!(
        round_trips_exactly::<hf_types::RepoFile>(
            r#"{"path": "a.bin", "size": 3, "oid": "x", "xetHash": "h",
                "lfs": {"oid": "s", "size": 3, "pointerSize": 130},
                "lastCommit": {"id": "c", "title": "t", "date": "2024-02-19T10:57:45.000Z"},
                "securityFileStatus": {"status": "safe", "avScan": {}, "pickleImportScan": {}}}"#,
        )
        .unwrap()
    );
    assert!(
        round_trips_exactly::<hf_types::RepoSibling>(
            r#"{"rfilename": "m.bin", "size": 3, "blobId": "b", "lfs": {"sha256": "s", "size": 3, "pointerSize": 130}}"#,
        )
        .unwrap()
    );
    assert!(
        round_trips_exactly::<ModelInfo>(
            r#"{"_id": "1", "id": "a/b", "author": "a", "sha": "s", "createdAt": "2022-03-02T23:29:04.000Z",
                "lastModified": "2024-02-19T10:57:45.000Z", "private": false, "disabled": false, "gated": "auto",
                "downloads": 1, "downloadsAllTime": 2, "likes": 3, "library_name": "l", "pipeline_tag": "p",
                "mask_token": "m", "tags": [], "trendingScore": 1.5, "cardData": {}, "widgetData": [],
                "model-index": [], "config": {}, "transformersInfo": {"auto_model": "A", "custom_class": "C",
                "pipeline_tag": "p", "processor": "P"}, "siblings": [], "spaces": [],
                "safetensors": {"parameters": {"F32": 1}, "total": 1}, "securityRepoStatus": {}, "gguf": {},
                "inference": "warm", "inferenceProviderMapping": [{"provider": "t", "providerId": "x",
                "status": "live", "task": "k", "adapter": "lora", "adapterWeightsPath": "w", "type": "single-model"}],
                "xetEnabled": true, "usedStorage": 4, "somethingNew": {"kept": true}}"#,
        )
        .unwrap()
    );
    assert!(
        round_trips_exactly::<DatasetInfo>(
            r#"{"_id": "1", "id": "a/b", "downloads": 1, "downloadsAllTime": 2, "paperswithcode_id": "p",
                "citation": "c", "description": "d", "xetEnabled": false, "usedStorage": 4, "other": 1}"#,
        )
        .unwrap()
    );
    assert!(
        round_trips_exactly::<SpaceInfo>(
            r#"{"id": "a/b", "host": "h", "subdomain": "s", "sdk": "gradio", "models": [], "datasets": [],
                "likes": 0, "trendingScore": 0.0, "other": null}"#,
        )
        .unwrap()
    );
}
