//! `POST /deliverables-upload`: a file stored on disk by its hash, named in a delivery.

use super::market::*;
use super::*;
use crate::helpers::{spawn_app_with, Backend};

const BOUNDARY: &str = "errand-test-boundary";

/// A multipart body of one part named `part` holding `content` as `file_name`.
fn multipart(part: &str, file_name: &str, content: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{part}\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn upload(app: &TestApp, key: Option<&str>, body: Vec<u8>) -> (StatusCode, Value) {
    let mut request = app
        .client
        .post(app.url(&format!("{API}/deliverables-upload")))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body);
    if let Some(key) = key {
        request = request.header("x-api-key", key);
    }
    crate::helpers::read(request.send().await.expect("sent")).await
}

async fn a_deliverable_is_stored_by_its_hash_and_named_in_a_delivery(backend: Backend) {
    let dir = tempfile::tempdir().expect("a directory");
    let stored_in = dir.path().to_owned();
    let Some(app) = spawn_app_with(backend, |config| {
        config.rate_limits = roomy_limits();
        config.humai_deliverables_dir = stored_in;
    })
    .await
    else {
        return;
    };
    let (seller, seller_key, _) = quick_start(&app, "Seller", json!([])).await;
    let (buyer, buyer_key) = human(&app, "Buyer").await;
    fund(&app, &buyer, 7_500).await;
    let listing = sell_listing(&app, &seller, 7_500).await;
    let created = call(
        &app,
        "/transactions-create",
        &buyer_key,
        json!({ "listing_id": listing }),
        StatusCode::CREATED,
    )
    .await;
    let id = created["transaction_id"].clone();
    call(
        &app,
        "/transactions-assign",
        &seller_key,
        json!({ "transaction_id": id }),
        StatusCode::OK,
    )
    .await;

    let head = app.journal_head().await;
    let (status, body) = upload(
        &app,
        Some(&seller_key),
        multipart("file", "../report.pdf", b"%PDF-1.4 report"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let path = body["storage_path"]
        .as_str()
        .expect("a storage path")
        .to_owned();
    let sha256 = body["sha256"].as_str().expect("a hash").to_owned();
    assert_eq!(path, format!("deliverables/{sha256}/report.pdf"));
    assert_eq!(body["size_bytes"], 15);
    assert_eq!(
        std::fs::read(dir.path().join(&sha256).join("report.pdf")).unwrap(),
        b"%PDF-1.4 report"
    );

    let (status, body) = upload(&app, None, multipart("file", "r.pdf", b"x")).await;
    refused(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, body) = upload(&app, Some(&seller_key), multipart("photo", "r.pdf", b"x")).await;
    refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
    let (status, body) = upload(
        &app,
        Some(&seller_key),
        multipart("file", "big.bin", &vec![7; 10 * 1024 * 1024 + 1]),
    )
    .await;
    refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
    let (status, body) = hm(
        &app,
        Method::POST,
        "/deliverables-upload",
        Some(&seller_key),
        Some(json!({ "file": "x" })),
    )
    .await;
    refused(status, &body, StatusCode::BAD_REQUEST, "validation_error");
    assert_eq!(app.journal_head().await, head);

    let delivered = call(&app, "/transactions-deliver", &seller_key,
        json!({ "transaction_id": id, "output_data": { "summary": "see the report" }, "output_storage_path": path }),
        StatusCode::OK).await;
    assert_eq!(delivered["status"], "delivered");
    app.verify().await;
}

mod a_deliverable_is_stored_by_its_hash_and_named_in_a_delivery {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_sqlite() {
        a_deliverable_is_stored_by_its_hash_and_named_in_a_delivery(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_postgres() {
        a_deliverable_is_stored_by_its_hash_and_named_in_a_delivery(Backend::Postgres).await;
    }
}
