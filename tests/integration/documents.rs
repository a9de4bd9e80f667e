//! Document templates as files (seed 001): an office's administrator
//! uploads a form, it is kept in the bucket under a new address with a safe
//! name and its own content type, linked from a matter and offered to
//! citizens; what is not an office document, or not the administrator's
//! office, is refused and nothing is kept.

use lambda_http::http::Method;
use serde_json::{Value, json};
use termin_tests::*;

const PDF: &str = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n";
const UPLOAD: &str =
    "/staff/offices/olsztyn/documents?name=Wniosek%20o%20dow%C3%B3d%20osobisty.pdf";

async fn upload(env: &TestEnv, who: &str, path: &str, body: &str) -> (u16, Value) {
    let authorization = env.staff_authorization(who);
    let (status, answer) = env
        .call_raw(
            Method::POST,
            path,
            body.into(),
            &[
                ("authorization", &authorization),
                ("content-type", "application/pdf"),
            ],
        )
        .await;
    (status.as_u16(), answer)
}

#[tokio::test]
async fn an_uploaded_form_is_kept_under_a_new_address_linked_from_a_matter_and_offered_to_citizens()
{
    let env = TestEnv::new().await;
    let (status, uploaded) = upload(&env, "admin.olsztyn", UPLOAD, PDF).await;
    assert_eq!(status, 201, "{uploaded}");
    assert_eq!(uploaded["name"], "Wniosek-o-dowod-osobisty.pdf");
    assert_eq!(uploaded["content_type"], "application/pdf");
    assert_eq!(uploaded["size"], PDF.len());
    let url = uploaded["url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with("https://termin.example.pl/documents/olsztyn/")
            && url.ends_with("/Wniosek-o-dowod-osobisty.pdf"),
        "{url}"
    );
    let kept = env.published_file(&url).await.expect("kept in the bucket");
    assert_eq!(kept.bytes, PDF.as_bytes());
    assert_eq!(kept.content_type.as_deref(), Some("application/pdf"));
    assert_eq!(
        kept.disposition.as_deref(),
        Some("attachment; filename=\"Wniosek-o-dowod-osobisty.pdf\"")
    );

    // The same file again gets an address of its own: a published one never changes.
    let (_, again) = upload(&env, "admin.olsztyn", UPLOAD, PDF).await;
    assert_ne!(again["url"], uploaded["url"]);

    let audit = env.items_of("audit").await;
    let entries: Vec<&Item> = audit
        .iter()
        .filter(|e| s(e, "action") == "document_uploaded")
        .collect();
    assert_eq!(entries.len(), 2, "each upload is audited");
    assert!(url.ends_with(&s(entries[0], "target")) || url.ends_with(&s(entries[1], "target")));

    // Linked from a matter, the citizens' catalog offers it.
    let authorization = env.staff_authorization("admin.olsztyn");
    let (_, mut document) = env
        .call(
            Method::GET,
            "/staff/offices/olsztyn/catalog",
            None,
            &[("authorization", &authorization)],
        )
        .await;
    let matter = document["catalog"]["services"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| s["id"] == ID_CARD_APPLICATION)
        .unwrap();
    matter["document_templates"] =
        json!([{ "title": { "pl": "Wniosek o dowód osobisty" }, "url": url }]);
    let (status, report) = env
        .call(
            Method::PUT,
            "/staff/offices/olsztyn/catalog",
            Some(&document),
            &[("authorization", &authorization)],
        )
        .await;
    assert_eq!(status, 200, "{report}");
    let (_, office) = env.call(Method::GET, "/offices/olsztyn", None, &[]).await;
    let offered = office["departments"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["services"].as_array().unwrap())
        .find(|s| s["id"] == ID_CARD_APPLICATION)
        .unwrap()["document_templates"][0]["url"]
        .clone();
    assert_eq!(offered, url.as_str());
}

#[tokio::test]
async fn what_is_not_an_office_document_or_not_the_admins_office_is_refused_and_nothing_is_kept() {
    let env = TestEnv::new().await;
    let page = "<html><script>alert(1)</script></html>";
    for (who, path, body, status, field) in [
        (
            "admin.olsztyn",
            "/staff/offices/olsztyn/documents?name=form.html",
            page,
            422,
            Some("name"),
        ),
        (
            "admin.olsztyn",
            "/staff/offices/olsztyn/documents?name=form.pdf",
            page,
            422,
            Some("file"),
        ),
        (
            "admin.olsztyn",
            "/staff/offices/olsztyn/documents",
            PDF,
            422,
            Some("name"),
        ),
        (
            "admin.olsztyn",
            "/staff/offices/olsztyn/documents?name=empty.pdf",
            "",
            422,
            Some("file"),
        ),
        ("clerk.olsztyn", UPLOAD, PDF, 403, None),
        ("admin.mielec", UPLOAD, PDF, 403, None),
        (
            "admin.olsztyn",
            "/staff/offices/no-such-office/documents?name=a.pdf",
            PDF,
            403,
            None,
        ),
    ] {
        let (got, answer) = upload(&env, who, path, body).await;
        assert_eq!(got, status, "{who} {path}: {answer}");
        if let Some(field) = field {
            assert_eq!(
                answer["error"]["fields"][0]["field"], field,
                "{path}: {answer}"
            );
        }
    }
    let big = format!("{PDF}{}", " ".repeat(4 * 1024 * 1024));
    let (got, answer) = upload(&env, "admin.olsztyn", UPLOAD, &big).await;
    assert_eq!(got, 422, "{answer}");
    assert_eq!(answer["error"]["fields"][0]["field"], "file");
    assert!(env.kept_files().await.is_empty(), "nothing kept");
    assert!(env.items_of("audit").await.is_empty(), "nothing audited");
    let (got, _) = env.call_raw(Method::POST, UPLOAD, PDF.into(), &[]).await;
    assert_eq!(got.as_u16(), 401);
}

#[tokio::test]
async fn the_sample_upload_event_runs_through_the_admin_handler() {
    let env = TestEnv::new().await;
    let request =
        lambda_http::request::from_str(&sample_event("admin-upload-document.json")).unwrap();
    let response = admin::handle(&env.app, request).await.unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["name"], "Wniosek-o-dowod-osobisty.pdf");
    let kept = env
        .published_file(body["url"].as_str().unwrap())
        .await
        .unwrap();
    assert!(kept.bytes.starts_with(b"%PDF-1.4"));
}
